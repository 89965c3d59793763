"""Decompression-bomb guard: what a PDF's Flate streams expand to, measured before pdfminer reads them.

pdfminer inflates every stream it touches in one `zlib.decompress` call, so a 3 MB PDF of
zeros compressed 1000:1 (or compressed twice) asks for gigabytes. This pass inflates each
stream incrementally, layer after layer, with a running budget, and stops at the first byte
over it: memory stays a few chunks whatever the file claims.
"""

from __future__ import annotations

import re
import zlib

from parsers import ParseError

# What one page PDF's streams may expand to in all. A 600-dpi RGB scan of an A2 broadsheet
# page is 4,960 × 7,016 × 3 ≈ 104 MB; text pages are a few MB. Five such scans fit.
MAX_DECODED_BYTES = 512 * 1024 * 1024
CHUNK = 1024 * 1024
# A stream compressed more than twice over is an attack, not a page.
MAX_LAYERS = 3
STREAM = re.compile(rb"stream\r?\n")
ZLIB_HEADER = re.compile(rb"\x78[\x01\x5e\x9c\xda]")


class PdfTooLarge(ParseError):
    """The PDF's streams decompress to more than the limit (a decompression bomb)."""


def decoded_size(data: bytes, limit: int = MAX_DECODED_BYTES) -> int:
    """Bytes the file's zlib streams inflate to, all layers; stops counting once over `limit`."""
    total = 0
    for match in STREAM.finditer(data):
        start = match.end()
        if not ZLIB_HEADER.match(data, start):
            continue
        end = data.find(b"endstream", start)
        raw = data[start : end if end >= 0 else len(data)]
        total += _inflated(raw, limit - total + 1)
        if total > limit:
            break
    return total


def _inflated(raw: bytes, budget: int) -> int:
    """Size of `raw` inflated through every zlib layer, counting at most about `budget` bytes."""
    return _feed([zlib.decompressobj()], 0, raw, budget)


def _feed(layers: list[zlib._Decompress], depth: int, chunk: bytes, budget: int) -> int:
    """Feed `chunk` into layer `depth`, a megabyte at a time; return the innermost bytes made."""
    decomp, produced, data = layers[depth], 0, chunk
    while data and produced < budget:
        try:
            out = decomp.decompress(data, CHUNK)
        except zlib.error:
            return produced  # not (or no longer) zlib: pdfminer reports the damage itself
        data = decomp.unconsumed_tail
        if not out:
            break
        nested = len(layers) > depth + 1 or (
            depth + 1 < MAX_LAYERS and ZLIB_HEADER.match(out) is not None
        )
        if nested:
            if len(layers) == depth + 1:
                layers.append(zlib.decompressobj())
            produced += _feed(layers, depth + 1, out, budget - produced)
        else:
            produced += len(out)
    return produced


def check_decoded_size(data: bytes, source: str, limit: int = MAX_DECODED_BYTES) -> None:
    """Raise PdfTooLarge naming `source` when the PDF's streams expand past `limit`."""
    size = decoded_size(data, limit)
    if size > limit:
        raise PdfTooLarge(
            f"{source}: streams decompress to more than {limit:,} bytes from {len(data):,} "
            "(a decompression bomb, or not a page PDF); not parsed"
        )
