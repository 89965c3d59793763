"""Every character of a page accounted for: coverage, and the text no role was found for.

The check is independent of how the page was segmented: the characters of every line on
the page are counted against the characters of everything the parse put out (articles,
ads and notices, captions, furniture). Both sides are normalized alike, with punctuation
width folded, since joining lines may make a comma full-width that one line left ASCII.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parsers.pdf_lines import Line
from parsers.pdf_roles import OCR_MARKER
from parsers.text import MARKERS, normalize_text

if TYPE_CHECKING:
    from parsers.pdf_page import PdfPage

_FOLD = str.maketrans("，；：！？（）　“”", ',;:!?() ""')
# A byline is stored without its ►, a list item without its bullet: markers are not counted.
MARKS = frozenset(MARKERS)


@dataclass
class PdfBlock:
    """Text the parser could give no role: kept with its place, and counted as a problem."""

    text: str
    bbox: tuple[float, float, float, float]


def char_counts(texts: Iterable[str]) -> Counter[str]:
    """Characters of some texts as coverage counts them: normalized, no whitespace."""
    counts: Counter[str] = Counter()
    for text in texts:
        folded = normalize_text(text).translate(_FOLD)
        counts.update(ch for ch in folded if not ch.isspace() and ch not in MARKS)
    return counts


def placed_texts(page: PdfPage) -> list[str]:
    """Every text a parsed page puts out, unassigned blocks excepted."""
    out = list(page.furniture) + [ad.text for ad in page.ads]
    for a in page.articles:
        out += [a.headline, a.kicker or "", a.subtitle or "", a.byline or ""]
        out += a.paragraphs + a.captions + a.continuations
    return out


def account(page: PdfPage, lines: list[Line]) -> None:
    """Set the page's character count and coverage; keep what was not placed as blocks."""
    on_page = char_counts(OCR_MARKER.sub("", ln.text) for ln in lines)
    missing = on_page - char_counts(placed_texts(page))
    page.chars = sum(on_page.values())
    page.coverage = 1.0 if not page.chars else 1 - sum(missing.values()) / page.chars
    if missing:
        page.unassigned = _blocks(lines, missing)


def _blocks(lines: list[Line], missing: Counter[str]) -> list[PdfBlock]:
    """The lines holding the missing characters, top to bottom, as blocks of their own."""
    left = Counter(missing)
    blocks = []
    for line in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
        chars = char_counts([line.text])
        if chars & left:
            left -= chars
            box = (round(line.x0, 1), round(line.top, 1), round(line.x1, 1), round(line.bottom, 1))
            blocks.append(PdfBlock(normalize_text(line.text), box))
    return blocks
