"""One spider per e-paper CMS family, configured by site profiles."""
