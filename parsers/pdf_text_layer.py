"""Which characters a page's text comes from: its text layer, OCR where that is garbled, or none."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from parsers.garble import garbled_share, is_bad_char, is_garbled
from parsers.ocr import OcrUnavailable, PageRenderer, ink_layout, ocr_chars
from parsers.pdf_lines import IDEOGRAPHIC_SPACE, Line, Rule, collapse_overprint, page_lines

_TOKENS = re.compile(r"\(cid:\d+\)|.", re.S)
WHOLE_PAGE_SHARE = 0.3  # above this share of junk characters, OCR the page, not its lines


@dataclass
class TextSource:
    """The characters to segment and where they came from."""

    chars: list[dict[str, Any]]
    layer: str  # 'pdf' | 'ocr' | 'none'
    ocr_lines: int = 0  # garbled lines replaced by OCR (0 for a whole-page OCR)
    dropped_lines: int = 0  # garbled lines left out because OCR could not run
    notes: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)  # gutters seen in the page image (OCR)
    hrules: list[Rule] = field(default_factory=list)  # rules drawn across it: (y, x0, x1)


def line_is_garbled(line: Line) -> bool:
    """Whether one text line is junk."""
    return is_garbled(_TOKENS.findall(line.text))


def _centre_in(ch: dict[str, Any], line: Line) -> bool:
    x, y = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return line.x0 - 1 <= x <= line.x1 + 1 and line.top - 1 <= y <= line.bottom + 1


def _region(line: Line) -> tuple[float, float, float, float]:
    pad = line.size * 0.4
    return (line.x0 - pad, line.top - pad, line.x1 + pad, line.bottom + pad)


def _on_line(ch: dict[str, Any], line: Line) -> dict[str, Any]:
    """An OCR character moved onto the garbled line it replaces (never past its ends)."""
    x0, x1 = max(ch["x0"], line.x0), min(ch["x1"], line.x1)
    return dict(
        ch,
        x0=x0,
        x1=max(x0, x1),
        top=line.top,
        bottom=line.bottom,
        size=line.size,
        fontname="OCR line",
    )


def _drop(ch: dict[str, Any], height: float) -> float | None:
    """How far an upright glyph's box bottom sits below its baseline, in ems (None: turned)."""
    m = ch.get("matrix")
    if not m or m[1] or m[2] or m[0] <= 0 or m[3] <= 0 or not ch.get("size"):
        return None
    return (float(ch["bottom"]) - (height - float(m[5]))) / float(ch["size"])


def seated(chars: list[dict[str, Any]], height: float) -> list[dict[str, Any]]:
    """Glyph boxes put back on their baselines where a font's broken descent moved them.

    A font with a garbage descent (CAJ converters' cajcd fonts) boxes its glyphs tens of
    ems below where they are drawn, off the page: the line they stand in would reach down
    the page. A box is moved only when the page's other glyphs sit on their baselines.
    """
    drops = [_drop(c, height) for c in chars]
    upright = [d for d in drops if d is not None]
    usual = statistics.median(upright) if upright else 0.0
    if not -0.1 <= usual <= 0.5:
        return chars
    out = []
    for c, d in zip(chars, drops, strict=True):
        if d is None or abs(d - usual) <= 1.0:
            out.append(c)
            continue
        shift = (usual - d) * float(c["size"])
        out.append(
            dict(
                c,
                top=c["top"] + shift,
                bottom=c["bottom"] + shift,
                y0=c.get("y0", 0) - shift,
                y1=c.get("y1", 0) - shift,
                doctop=c.get("doctop", c["top"]) + shift,
            )
        )
    return out


def text_source(page: Any, rules: list[Rule], renderer: PageRenderer | None) -> TextSource:
    """The page's own characters if usable; OCR for garbled lines or a garbled/empty page."""
    drawn = [c for c in page.chars if c["text"].strip() or c["text"] in (" ", IDEOGRAPHIC_SPACE)]
    chars = collapse_overprint(seated(drawn, float(page.height)))
    texts = [c["text"] for c in chars if c["text"].strip()]
    index = page.page_number - 1
    if texts and garbled_share(texts) <= WHOLE_PAGE_SHARE:
        bad = [ln for ln in page_lines(chars, rules) if line_is_garbled(ln)]
        if not bad:
            return TextSource(chars, "pdf")
        keep = [c for c in chars if not any(_centre_in(c, ln) for ln in bad)]
        if renderer is None:
            note = f"{len(bad)} garbled lines dropped (OCR off)"
            return TextSource(keep, "pdf", dropped_lines=len(bad), notes=[note])
        try:
            found = [
                # Sized and placed like the line they replace, not like loose OCR boxes.
                _on_line(c, ln)
                for ln in bad
                for c in ocr_chars(renderer, index, _region(ln))
            ]
        except OcrUnavailable as exc:
            note = f"{len(bad)} garbled lines dropped: {exc}"
            return TextSource(keep, "pdf", dropped_lines=len(bad), notes=[note])
        return TextSource(keep + found, "ocr", ocr_lines=len(bad))
    why = "garbled text layer" if texts else "no text layer"
    if renderer is None:
        return TextSource([], "none", notes=[f"{why}, OCR not run"])
    try:
        found = ocr_chars(renderer, index)
    except OcrUnavailable as exc:
        return TextSource([], "none", notes=[f"{why}: {exc}"])
    size = statistics.median(c["size"] for c in found) if found else 0.0
    gutters, hrules = ink_layout(renderer, index, size) if found else ([], [])
    if texts:  # the glyphs are placed right, only their text is wrong: keep the geometry
        found = relabel(chars, found)
    note = f"{why}: page read by OCR"
    return TextSource(found, "ocr" if found else "none", notes=[note], rules=gutters, hrules=hrules)


def relabel(chars: list[dict[str, Any]], ocr: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text layer's characters with the text OCR read at their positions.

    A garbled layer still has exact glyph boxes and sizes, which OCR only estimates; each
    OCR character names the nearest unclaimed glyph on its line. Glyphs OCR did not read
    keep their own text when it is not junk, and are dropped when it is.
    """
    rows: dict[int, list[dict[str, Any]]] = {}
    for ch in chars:
        rows.setdefault(int((ch["top"] + ch["bottom"]) / 20), []).append(ch)
    claimed: dict[int, str] = {}
    for o in ocr:
        cx, cy = (o["x0"] + o["x1"]) / 2, (o["top"] + o["bottom"]) / 2
        near = [
            ch
            for key in (int(cy / 10) - 1, int(cy / 10), int(cy / 10) + 1)
            for ch in rows.get(key, [])
            if id(ch) not in claimed and ch["top"] - 1 <= cy <= ch["bottom"] + 1
        ]
        best = min(near, key=lambda ch: abs((ch["x0"] + ch["x1"]) / 2 - cx), default=None)
        if best is not None and abs((best["x0"] + best["x1"]) / 2 - cx) <= best["size"] * 0.7:
            claimed[id(best)] = o["text"]
    out = []
    for ch in chars:
        if id(ch) in claimed:
            out.append(dict(ch, text=claimed[id(ch)]))
        elif not is_bad_char(ch["text"]):
            out.append(ch)
    return out
