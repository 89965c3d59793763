"""Parsers: raw bytes (HTML pages, page PDFs) to structured, normalized records."""


class ParseError(ValueError):
    """Input that cannot be parsed; the message names what was wrong."""


# Where a page PDF's characters, rules and images are read from (parsers.pdf_page): pdfminer
# through pdfplumber (the default), or pypdfium2 (parsers.pdfium_page, several times faster).
PDF_ENGINES = ("pdfplumber", "pdfium")
