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


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = _SUPERSETS.get(name.lower(), name.lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None, charset: str = "") -> str:
    """Text of an HTML document: BOM, the profile's charset, strict UTF-8, declared, GB18030."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace")
    # Strict UTF-8 almost never succeeds on GBK bytes with Chinese text, so trying it
    # first is safe and fixes the common "GB2312 declared, UTF-8 served" lie.
    declared = _codec(declared_charset(body, content_type))
    for codec in (_codec(charset), "utf-8", declared, "gb18030"):
        if codec is None:
            continue
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    return body.decode("utf-8", errors="replace")
