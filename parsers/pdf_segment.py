"""A page's lines cut into article modules: recursive XY-cut along gutters and drawn rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from parsers.pdf_lines import Line


class Sizes:
    """Font-size roles relative to the page's body size."""

    def __init__(
        self, body: float, face: str = "", prose: list[tuple[float, float]] | None = None
    ) -> None:
        self.body = body
        self.face = face  # the body text's typeface
        self.prose = prose or []  # size ranges above body type that are text (prose_sizes)

    def is_text(self, line: Line) -> bool:
        """Set in one of the page's larger text sizes (a book's main text over its notes)."""
        return any(lo - 0.3 <= line.size <= hi + 0.3 for lo, hi in self.prose)

    def is_headline(self, line: Line) -> bool:
        """Headline type: half again the body size or more."""
        return line.size >= self.body * 1.5 and not self.is_text(line)

    def is_display(self, line: Line) -> bool:
        """Display type (headline, kicker, subtitle, large subhead): clearly above body size."""
        return line.size >= self.body * 1.15 and not self.is_text(line)

    def is_subhead(self, line: Line) -> bool:
        """Type set apart from body text without being display type: bold, another typeface
        (黑体 in 宋体 body), or a little larger."""
        return (
            line.bold
            or line.banded
            or bool(self.face and line.face and line.face != self.face)
            or self.body * 1.03 <= line.size < self.body * 1.15
        )


@dataclass
class Rules:
    """Separator rules drawn on the page: horizontal (y, x0, x1) and vertical (x, top, bottom).

    `gutters` are the vertical whitespace gutters of the text (no rule drawn): they let a
    narrow gap cut, as a rule does, but give it no rule's weight.
    """

    horizontal: list[tuple[float, float, float]]
    vertical: list[tuple[float, float, float]]
    gutters: list[tuple[float, float, float]] = field(default_factory=list)

    @classmethod
    def of(cls, page: Any) -> Rules:
        """Lines and hairline rectangles of a pdfplumber page, by orientation."""
        h, v = [], []
        thin = [r for r in page.rects if min(r["width"], r["height"]) < 2]
        for obj in list(page.lines) + thin:
            if obj["x1"] - obj["x0"] >= obj["bottom"] - obj["top"]:
                h.append(((obj["top"] + obj["bottom"]) / 2, obj["x0"], obj["x1"]))
            else:
                v.append(((obj["x0"] + obj["x1"]) / 2, obj["top"], obj["bottom"]))
        return cls(h, v)


def _gaps(spans: list[tuple[float, float]], min_gap: float) -> list[tuple[float, float]]:
    """The empty stretches between projected spans, as (start, end)."""
    gaps: list[tuple[float, float]] = []
    reach: float | None = None
    for lo, hi in sorted(spans):
        if reach is not None and lo - reach >= min_gap:
            gaps.append((reach, lo))
        reach = hi if reach is None else max(reach, hi)
    return gaps


def _ruled(
    gap: tuple[float, float],
    rules: list[tuple[float, float, float]],
    span: tuple[float, float],
    share: float = 0.5,
) -> bool:
    """Whether a rule runs inside the gap along at least half of the region's extent."""
    need = (span[1] - span[0]) * share
    return any(
        gap[0] - 1 <= pos <= gap[1] + 1 and min(hi, span[1]) - max(lo, span[0]) >= need
        for pos, lo, hi in rules
    )


Cut = tuple[bool, float, list[Line], list[Line]]  # (along a rule, gap width, one side, other)


def _horizontal_cuts(lines: list[Line], sizes: Sizes, rules: Rules) -> list[Cut]:
    xspan = (min(ln.x0 for ln in lines), max(ln.x1 for ln in lines))
    cuts: list[Cut] = []
    for gap in _gaps([(ln.top, ln.bottom) for ln in lines], sizes.body * 0.3):
        ruled = _ruled(gap, rules.horizontal, xspan, 0.9)
        if gap[1] - gap[0] < sizes.body * 0.8 and not ruled:
            continue  # line spacing: only a rule drawn in it makes a gap this narrow a cut
        above = [ln for ln in lines if ln.bottom <= gap[0]]
        below = [ln for ln in lines if ln.top >= gap[1]]
        # A whole module lies above a cut (body text ends it) and one with a headline of its
        # own below (a subtitle below a headline starts nothing, nor does a cut between a
        # headline and its body). A rule across the region also ends a module that has no
        # headline (a 转版 continuation, a letter, a column of briefs), with body text on
        # both sides of it.
        headed = _has_body(above, sizes) and _has_body(below, sizes)
        headed = headed and (
            any(map(sizes.is_headline, below)) or _section_head(below, lines, sizes)
        )
        ends = ruled or _notes_below(above, below, sizes)
        if headed or (ends and _has_body(above, sizes) and _has_body(below, sizes)):
            cuts.append((ruled, gap[1] - gap[0], above, below))
    return cuts


def _notes_below(above: list[Line], below: list[Line], sizes: Sizes) -> bool:
    """Whether a block of notes in the smaller text size follows text in the larger one
    (a book's footnotes under its main text): where the text size changes, a module ends."""
    chars_text = sum(len(ln.text) for ln in above if sizes.is_text(ln))
    return (
        chars_text * 2 > sum(len(ln.text) for ln in above)
        and len(below) >= 2
        and not any(sizes.is_text(ln) or sizes.is_display(ln) for ln in below)
    )


def _vertical_cuts(lines: list[Line], sizes: Sizes, rules: Rules) -> list[Cut]:
    yspan = (min(ln.top for ln in lines), max(ln.bottom for ln in lines))
    cuts: list[Cut] = []
    # Ink extents: a comma hanging at a column's edge must not close the gutter beside it.
    for gap in _gaps([ln.inked for ln in lines], sizes.body * 0.4):
        ruled = _ruled(gap, rules.vertical, yspan)
        seen = any(
            gap[0] - 1 <= x <= gap[1] + 1 and lo < yspan[1] and hi > yspan[0]
            for x, lo, hi in rules.vertical + rules.gutters
        )
        if gap[1] - gap[0] < sizes.body * 0.8 and not seen:
            continue  # a narrow gap is a gutter only where a rule (or a scan's gutter) runs
        left = [ln for ln in lines if ln.inked[1] <= gap[0]]
        right = [ln for ln in lines if ln.inked[0] >= gap[1]]
        # Column rules inside one module are common, so a rule alone cuts only between
        # sides that each open like a module and have body text.
        # Without a rule, the right side must open at its left edge with display type: a
        # module's last column beside the next module's headline is not a module.
        # The left side may be a column of small modules under titles set apart (a sidebar
        # of labelled blocks) rather than headlines.
        opens = any(map(sizes.is_headline, left)) or _opens_module(left, sizes)
        headed = opens and any(map(sizes.is_headline, right))
        edge = [ln for ln in right if ln.x0 <= gap[1] + sizes.body * 2]
        headed = headed and bool(edge) and sizes.is_display(min(edge, key=lambda ln: ln.top))
        if headed or (ruled and _opens_module(left, sizes) and _opens_module(right, sizes)):
            cuts.append((ruled, gap[1] - gap[0], left, right))
    return cuts


def _section_head(below: list[Line], region: list[Line], sizes: Sizes) -> bool:
    """Whether `below` opens with a section's title: in a region without headline type,
    display type as large as any in it, alone on its row and centred on the region's measure
    (第三章 over a regulation's articles). A subhead under a headline is never the largest."""
    top = min(ln.top for ln in below)
    row = [ln for ln in below if ln.top <= top + 1]
    biggest = max(ln.size for ln in region)
    if any(map(sizes.is_headline, region)) or not all(sizes.is_display(ln) for ln in row):
        return False
    if min(ln.size for ln in row) < biggest - 0.6:
        return False
    left, right = min(ln.x0 for ln in region), max(ln.x1 for ln in region)
    x0, x1 = min(ln.x0 for ln in row), max(ln.x1 for ln in row)
    return x1 - x0 < (right - left) * 0.8 and abs((x0 + x1) - (left + right)) / 2 <= sizes.body


def _has_body(lines: list[Line], sizes: Sizes) -> bool:
    return any(not sizes.is_display(ln) for ln in lines)


CONTINUATION = re.compile(r"^[（(]\s*[上下]?[接转]第\s*[A-Za-z]?\d+\s*版\s*[)）]$")


def _opens_module(lines: list[Line], sizes: Sizes) -> bool:
    """Body text under a first line that opens a module: display type, a title set apart
    (bold, another face), or a continuation note (上接第1版). A column of a module's body
    opens with body text."""
    if not _has_body(lines, sizes):
        return False
    first = min(lines, key=lambda ln: (round(ln.top), ln.x0))
    return (
        sizes.is_display(first)
        or sizes.is_subhead(first)
        or bool(CONTINUATION.match(first.text.strip()))
    )


def split_modules(lines: list[Line], sizes: Sizes, rules: Rules) -> list[list[Line]]:
    """Recursive XY-cut; a cut is kept only where it separates whole article modules.

    Among valid cuts, one along a drawn rule wins, then the widest: column gaps inside a
    module are often nearly as wide as the gutters between modules.
    """
    if len(lines) < 2:
        return [lines] if lines else []
    cuts = _horizontal_cuts(lines, sizes, rules) + _vertical_cuts(lines, sizes, rules)
    if not cuts:
        return [lines]
    _, _, first, second = max(cuts, key=lambda c: (c[0], c[1]))
    return split_modules(first, sizes, rules) + split_modules(second, sizes, rules)
