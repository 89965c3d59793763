"""baokan (报刊): newspaper issues to a clean, deduplicated warehouse."""

__version__ = "0.1.0"

# Bump when parser output changes, so warehouse rows say which parser produced them.
PARSER_VERSION = "2026.12.1"
