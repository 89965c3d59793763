"""Scrapy project: e-paper spiders that land every response in the raw zone."""
