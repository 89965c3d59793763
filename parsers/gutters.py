"""Column gutters drawn by whitespace alone: vertical strips that no text crosses for many lines.

Classic pages separate columns by a gap of about one character and no rule; lines of
neighbouring columns then share a baseline and a gap no wider than a word space. One line
cannot tell the two apart, but a gutter is empty on every line beside it, while a word space
or a justified line's spacing never lines up over several lines. Each gutter found is
returned as a vertical rule, which the line builder never joins text across.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

Rule = tuple[float, float, float]  # x, top, bottom
MIN_LINES = 3  # a gutter runs beside at least this many lines
MIN_WIDTH = 0.6  # of the type size: narrower gaps are letter or word spacing
MIN_RUN = 3  # characters on each side of a gutter, in most of its lines (not a list number)
# Full-width punctuation inks one half of its em box: closing marks the left half, opening
# marks the right. Set hanging (标点悬挂) at a column's edge, the empty half reaches into the
# gutter, so a gutter is measured from the ink, not from the box.
INK_LEFT = set("，。、；：！？）】」』〉》〕”’")
INK_RIGHT = set("（【「『〈《〔“‘")


def ink_extent(ch: dict[str, Any]) -> tuple[float, float]:
    """The x-extent a character's ink can occupy: its box, less a full-width mark's empty half."""
    x0, x1 = ch["x0"], ch["x1"]
    if x1 - x0 >= ch["size"] * 0.8:
        if ch["text"] in INK_LEFT:
            return x0, (x0 + x1) / 2
        if ch["text"] in INK_RIGHT:
            return (x0 + x1) / 2, x1
    return x0, x1


@dataclass
class _River:
    """A candidate gutter: an x-interval empty on every row it has passed through."""

    lo: float
    hi: float
    rows: int = 0  # rows with text on both sides of it
    sides: int = 0  # of those, rows with at least MIN_RUN characters on each side
    first: int = -1  # first and last rows with MIN_RUN characters on each side: its extent
    last: int = -1
    edges: int = 0  # rows with text on one side only, ending right at it (a column's edge)

    def through(self, lo: float, hi: float, row: int, sided: bool) -> _River:
        """The river narrowed to a gap of the next row."""
        first = self.first if self.first >= 0 or not sided else row
        return _River(
            max(lo, self.lo),
            min(hi, self.hi),
            self.rows + 1,
            self.sides + sided,
            first,
            row if sided else self.last,
            self.edges,
        )


def _row_gaps(row: list[dict[str, Any]], min_gap: float) -> list[tuple[float, float, bool]]:
    """Empty stretches between a row's characters: (start, end, MIN_RUN characters each side).

    The characters beside a gap are counted up to the next gap nearly as wide as it, so a
    letter-spaced or loosely justified line still has text on both sides of a gutter.
    """
    inks = sorted(ink_extent(c) for c in row)
    spaces = [nxt[0] - ink[1] for ink, nxt in pairwise(inks)]
    gaps = []
    for i, width in enumerate(spaces):
        if width < min_gap:
            continue
        left = 1
        while i - left >= 0 and spaces[i - left] < width * 0.9 and left < MIN_RUN:
            left += 1
        right = 1
        while i + right < len(spaces) and spaces[i + right] < width * 0.9 and right < MIN_RUN:
            right += 1
        gaps.append((inks[i][1], inks[i + 1][0], left >= MIN_RUN and right >= MIN_RUN))
    return gaps


def _advance(
    active: list[_River], row: list[dict[str, Any]], index: int, min_gap: float
) -> tuple[list[_River], list[_River]]:
    """Rivers still open after one more row, and those it closed."""
    gaps = _row_gaps(row, min_gap)
    lo_row, hi_row = min(ink_extent(c)[0] for c in row), max(ink_extent(c)[1] for c in row)
    kept: list[_River] = []
    closed: list[_River] = []
    for river in active:
        if river.hi <= lo_row or river.lo >= hi_row:
            # Text on one side only (a short line, a margin, a column's last lines): it goes
            # on, and a justified column ending right at it says it is a column's edge.
            if abs(hi_row - river.lo) <= 1 or abs(lo_row - river.hi) <= 1:
                river = replace(river, edges=river.edges + 1)
            kept.append(river)
            continue
        narrowed = [
            river.through(lo, hi, index, sided)
            for lo, hi, sided in gaps
            if min(hi, river.hi) - max(lo, river.lo) >= min_gap
        ]
        if narrowed:
            kept.extend(narrowed)
        else:
            closed.append(river)
    for lo, hi, sided in gaps:
        if not any(r.lo < hi and r.hi > lo for r in kept):
            kept.append(_River(lo, hi).through(lo, hi, index, sided))
    return kept, closed


def _edges_before(river: _River, rows: list[list[dict[str, Any]]]) -> int:
    """Rows above where a river opened with text on one side only, ending right at it.

    Columns on different baseline grids share a row now and then: the river opens there, and
    the column edges above it say as much as those below.
    """
    count = 0
    for row in reversed(rows[: max(river.first, 0)]):
        lo, hi = min(ink_extent(c)[0] for c in row), max(ink_extent(c)[1] for c in row)
        if not (hi <= river.lo + 1 or lo >= river.hi - 1):
            break  # text across it: the river was not open there
        count += abs(hi - river.lo) <= 1 or abs(lo - river.hi) <= 1
    return count


def gutters(rows: list[list[dict[str, Any]]]) -> list[Rule]:
    """Whitespace gutters among rows of characters (each row one baseline, rows top to bottom)."""
    sizes = [c["size"] for row in rows for c in row]
    if not sizes:
        return []
    min_gap = statistics.median(sizes) * MIN_WIDTH
    active: list[_River] = []
    found: list[_River] = []
    for i, row in enumerate(rows):
        active, closed = _advance(active, row, i, min_gap)
        found += closed
    found += active
    found = [replace(r, edges=r.edges + _edges_before(r, rows)) for r in found]
    # Rows where a side holds only a word or a list number extend no gutter: a byline's
    # word space above a gutter must not split the byline.
    return [
        (
            (r.lo + r.hi) / 2,
            min(c["top"] for c in rows[r.first]),
            max(c["bottom"] for c in rows[r.last]),
        )
        for r in found
        if r.sides and r.rows + r.edges >= MIN_LINES and r.sides * 2 > r.rows
    ]
