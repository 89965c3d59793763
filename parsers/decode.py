"""Decode HTML bytes defensively: declared charsets lie (GB2312 label on UTF-8 or GBK bytes)."""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# GB2312 and GBK labels are routinely used for bytes only their superset GB18030 decodes.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "utf-8",
}


def declared_charset(body: bytes, content_type: str | None = None) -> str | None:
    """The charset named by the Content-Type header, else by a <meta> tag in the first 4 KB."""
    for source in (content_type.encode("latin-1", "ignore") if content_type else b"", body[:4096]):
        match = _META_CHARSET.search(source)
        if match:
            return match.group(1).decode("ascii").lower()
    return None


# Text codecs by Python's reckoning that no web page is written in: they raise or yield junk.
_NOT_DOCUMENT_CODECS = {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"}


def document_codec(name: str | None) -> str | None:
    """The codec to decode a page with for a charset name, or None when the name is no charset.

    Unknown names and codecs that are not text encodings (base64, rot13, zlib, hex, uu…) give
    None, so the bytes are decoded by sniffing instead of raising LookupError.
    """
    if not name:
        return None
    name = _SUPERSETS.get(name.lower(), name.lower())
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not info._is_text_encoding or info.name in _NOT_DOCUMENT_CODECS:
        return None
    return info.name


def _decode(body: bytes, content_type: str | None, charset: str) -> tuple[str, str]:
    """(codec, text): BOM, the profile's charset, strict UTF-8, declared, GB18030."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", body[3:].decode("utf-8", errors="replace")
    # Strict UTF-8 almost never succeeds on GBK bytes with Chinese text, so trying it
    # first is safe and fixes the common "GB2312 declared, UTF-8 served" lie.
    declared = document_codec(declared_charset(body, content_type))
    for codec in (document_codec(charset), "utf-8", declared, "gb18030"):
        if codec is None:
            continue
        try:
            return codec, body.decode(codec)
        except (UnicodeError, LookupError):  # a codec that cannot decode these bytes
            continue
    return "utf-8", body.decode("utf-8", errors="replace")


def sniff_codec(body: bytes, content_type: str | None = None, charset: str = "") -> str:
    """The codec decode_html reads body with (undecodable bytes then become U+FFFD)."""
    return _decode(body, content_type, charset)[0]


def decode_html(body: bytes, content_type: str | None = None, charset: str = "") -> str:
    """Text of an HTML document: BOM, the profile's charset, strict UTF-8, declared, GB18030."""
    return _decode(body, content_type, charset)[1]
