"""Columns of briefs (简讯, 短讯): items that open with a run-in title, one article each.

A brief's title is set in the same size as its text but in another face (黑体 in 宋体) or
bold, often after a marker (■ ●), and its text runs on after it on the same line. A module
whose body holds two or more such openings is a column of briefs: each item is an article
titled by its run-in, and the column's own heading (简讯) is page furniture.
"""

from __future__ import annotations

from dataclasses import replace

from parsers.pdf_lines import Line
from parsers.pdf_roles import reading_order
from parsers.pdf_segment import Sizes
from parsers.text import MARKERS


def _emphasis(face: str, sizes: Sizes) -> bool:
    return bool(face and sizes.face and face != sizes.face)


def _opening(line: Line, sizes: Sizes) -> bool:
    """Whether a line opens a brief: a marker or a run-in title in another face, then text."""
    runs = [(t, f) for t, f in line.runs if t.strip(MARKERS + " ")]
    if not runs or not _emphasis(runs[0][1], sizes):
        return False
    marked = line.text.lstrip()[:1] in MARKERS
    return marked or any(not _emphasis(f, sizes) for _, f in runs[1:])


Brief = tuple[str, list[Line], list[Line]]  # run-in title, its text lines, all its lines


def _all_emphasis(line: Line, sizes: Sizes) -> bool:
    return all(_emphasis(f, sizes) or not t.strip(MARKERS + " ") for t, f in line.runs)


def brief_items(body: list[Line], sizes: Sizes) -> tuple[list[Line], list[Brief]]:
    """The column's label lines (简讯) and its briefs; ([], []) when not a briefs column."""
    ordered = reading_order(body)
    # A title that wraps goes on at the start of the next line: that line opens nothing.
    starts = [
        i
        for i, ln in enumerate(ordered)
        if _opening(ln, sizes) and not (i and _all_emphasis(ordered[i - 1], sizes))
    ]
    # Before the first brief only the column's label may stand, set apart like a title.
    if len(starts) < 2 or not all(map(sizes.is_subhead, ordered[: starts[0]])):
        return [], []
    items = []
    for start, end in zip(starts, [*starts[1:], len(ordered)], strict=True):
        title, rest = _split_title(ordered[start:end], sizes)
        items.append((title, rest, ordered[start:end]))
    return ordered[: starts[0]], items


def _split_title(lines: list[Line], sizes: Sizes) -> tuple[str, list[Line]]:
    """A brief's title (the emphasised text it opens with, across lines) and its text lines."""
    title = ""
    rest: list[Line] = []
    for i, line in enumerate(lines):
        runs = list(line.runs)
        while runs and (_emphasis(runs[0][1], sizes) or not runs[0][0].strip(MARKERS + " ")):
            title += runs.pop(0)[0]
        if runs:
            text = "".join(t for t, _ in runs)
            rest = [replace(line, text=text, runs=runs), *lines[i + 1 :]]
            break
    return title.strip(MARKERS + " "), rest
