"""Parsers: raw bytes (HTML pages, page PDFs) to structured, normalized records."""


class ParseError(ValueError):
    """Input that cannot be parsed; the message names what was wrong."""
