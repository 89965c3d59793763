"""Characters of a PDF page grouped into positioned text lines (one pass over page.chars)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from parsers.gutters import gutters, ink_extent
from parsers.text import join_lines


@dataclass
class Line:
    """A run of characters on one baseline within one column."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False
    baseline: float = 0.0  # from the page top; lines of one baseline read left to right
    role: str | None = None  # set when geometry decides it early: 'caption'
    # The text in runs of one typeface (subset prefix dropped), as (text, face): a bold
    # run-in title set in 黑体 inside 宋体 body, a byline in 楷体. Characters without a
    # face of their own (digits, Latin, punctuation in a fallback font) take their neighbour's.
    runs: list[tuple[str, str]] = field(default_factory=list)
    banded: bool = False  # alone on a tinted band: a label set apart as bold type is
    # The ruled table cell the line sits in, (left, top, right, bottom): one paragraph per cell.
    cell: tuple[float, float, float, float] | None = None
    # x-extent of the ink: a full-width mark hanging past the column edge inks half its box
    ink: tuple[float, float] | None = None

    @property
    def inked(self) -> tuple[float, float]:
        """Where the line's ink runs from and to (its box where nothing hangs)."""
        return self.ink or (self.x0, self.x1)

    @property
    def face(self) -> str:
        """The typeface most of the line is set in."""
        counts: Counter[str] = Counter()
        for text, face in self.runs:
            counts[face] += len(text)
        return counts.most_common(1)[0][0] if counts else ""

    @property
    def center_y(self) -> float:
        """Vertical middle of the line."""
        return (self.top + self.bottom) / 2


Rule = tuple[float, float, float]  # a vertical rule: x, top, bottom
IDEOGRAPHIC_SPACE = "\u3000"


def _crosses(rules: list[Rule], x0: float, x1: float, top: float, bottom: float) -> bool:
    """Whether a vertical rule runs between x0 and x1 beside a line at top..bottom."""
    mid = (top + bottom) / 2
    return any(x0 - 0.5 <= x <= x1 + 0.5 and rt - 1 <= mid <= rb + 1 for x, rt, rb in rules)


def _baseline(ch: dict[str, Any]) -> float:
    """Baseline as a distance from the page top: glyph boxes of fallback fonts disagree."""
    matrix = ch.get("matrix")
    return -float(matrix[5]) if matrix else float(ch["bottom"])


def _centre(ch: dict[str, Any]) -> float:
    """Where a character sits along its line: the middle of its box. Compressed punctuation
    (《 after 2.) has a box that starts over the character before it, never past its middle."""
    return (ch["x0"] + ch["x1"]) / 2


def _factor(ch: dict[str, Any], pdf: float, ocr: float) -> float:
    """Gap thresholds: OCR boxes are looser than glyph boxes (wider, unevenly spaced)."""
    return ocr if ch.get("fontname") == "OCR" else pdf


def _segment(
    chars: list[dict[str, Any]], spaces: list[float], rules: list[Rule], wide: list[float]
) -> list[Line]:
    """Split one baseline's characters at a column gap wider than a character or at a rule.

    A gap is measured beyond the run's letter spacing (its narrowest gap so far): display
    type tracked wide (项   目   巡   礼) is one line, not a character per column.
    """
    chars.sort(key=_centre)
    runs: list[list[dict[str, Any]]] = [[chars[0]]]
    tracking = 0.0
    for ch in chars[1:]:
        prev = runs[-1][-1]
        gap = ch["x0"] - prev["x1"]
        if len(runs[-1]) == 1 and _is_cjk_or_latin(prev) and _is_cjk_or_latin(ch):
            # Tracking wider than 2.5 characters is a column gap after a one-character line.
            alike = abs(ch["size"] - prev["size"]) < 0.5 and gap <= ch["size"] * 2.5
            tracking = max(0.0, gap) if alike else 0.0
        if gap - tracking > max(prev["size"], ch["size"]) * _factor(ch, 1.2, 0.9) or (
            gap > 0 and _crosses(rules, prev["x1"], ch["x0"], ch["top"], ch["bottom"])
        ):
            runs.append([ch])
            tracking = 0.0
        else:
            runs[-1].append(ch)
            tracking = min(tracking, max(0.0, gap))
    return [_line(run, spaces, wide) for run in runs]


def _is_cjk_or_latin(ch: dict[str, Any]) -> bool:
    return ch["text"].isalnum()


def _face(ch: dict[str, Any]) -> str:
    name = str(ch.get("fontname") or "")
    return name.split("+", 1)[1] if len(name) > 7 and name[6] == "+" else name


def _is_cjk(text: str) -> bool:
    return "\u3400" <= text <= "\u9fff" or "\uf900" <= text <= "\ufaff"


def _runs(run: list[dict[str, Any]], pieces: list[str]) -> list[tuple[str, str]]:
    """(text, face) runs of a line; only CJK characters decide a face (see Line.runs).

    Digits, Latin and punctuation take the face of the nearest CJK character in their word
    (words end at word spaces), the one before first; a word without CJK takes the next
    word's: a run-in title, a space, then 12月26日 … keeps the digits in the text's face.
    """
    faces = [_face(ch) if _is_cjk(ch["text"]) else "" for ch in run]
    words: list[list[int]] = []
    for i, piece in enumerate(pieces):
        if not words or piece.startswith(" "):
            words.append([])
        words[-1].append(i)
    fallback = next((f for f in faces if f), _face(run[0]))
    for w in reversed(range(len(words))):
        known = [faces[i] for i in words[w] if faces[i]]
        following = faces[words[w + 1][0]] if w + 1 < len(words) else fallback
        last = known[0] if known else following
        for i in words[w]:
            last = faces[i] = faces[i] or last
    out: list[tuple[str, str]] = []
    for piece, face in zip(pieces, faces, strict=True):
        if out and out[-1][1] == face:
            out[-1] = (out[-1][0] + piece, face)
        else:
            out.append((piece, face))
    return out


def _line(run: list[dict[str, Any]], spaces: list[float], wide: list[float]) -> Line:
    gaps = [ch["x0"] - prev["x1"] for prev, ch in pairwise(run)]
    # Letter-spaced display type (项  目, C H I N A) spreads every character alike, and
    # justified type spreads a line's characters alike: the line's usual gap (its lower
    # quartile, so a byline's spaced name does not set it) is its letter spacing, and only a gap wider than that by a word space is one.
    base = max(0.0, sorted(gaps)[len(gaps) // 4]) if gaps else 0.0
    after = _after_number(run)
    pieces = []
    for i, ch in enumerate(run):
        # A space character in the text layer, or a visible gap, is a word space
        # (本报记者 张明).
        # Typesetters set a quarter em between Chinese and Latin or digits (扩产 4000 万):
        # spacing, not a space, so there a word space must be wider.
        mixed = i and _is_cjk(ch["text"]) != _is_cjk(run[i - 1]["text"])
        spaced = i and (
            gaps[i - 1] - base > ch["size"] * _factor(ch, 0.45 if mixed else 0.2, 0.6)
            or any(run[i - 1]["x1"] - 0.5 <= x <= ch["x0"] + 0.5 for x in spaces)
            # An ideographic space spreads letters (前　言), but after a heading's number
            # (1　前　言) it parts the number from its words.
            or (i == after and any(run[i - 1]["x1"] - 0.5 <= x <= ch["x0"] + 0.5 for x in wide))
        )
        pieces.append((" " if spaced else "") + ch["text"])
    size = Counter(round(c["size"], 1) for c in run).most_common(1)[0][0]
    bold = all(c.get("overprint") or "bold" in c["fontname"].lower() for c in run)
    return Line(
        text="".join(pieces),
        x0=min(c["x0"] for c in run),
        x1=max(c["x1"] for c in run),
        top=min(c["top"] for c in run),
        bottom=max(c["bottom"] for c in run),
        size=float(size),
        bold=bold,
        baseline=max(_baseline(c) for c in run),
        runs=_runs(run, pieces),
        ink=(min(ink_extent(c)[0] for c in run), max(ink_extent(c)[1] for c in run)),
    )


def collapse_overprint(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One character where fake bold draws the same glyph several times a hair apart.

    The copies are offset by well under a tenth of the type size; the kept one is marked
    `overprint` (the line is bold). Real text never repeats a glyph that close.
    """
    kept: list[dict[str, Any]] = []
    near: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
    for ch in chars:
        tol = max(0.5, ch["size"] * 0.12)
        gx, gy = int(ch["x0"] // tol), int(ch["top"] // tol)
        twin = next(
            (
                k
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for k in near.get((ch["text"], gx + dx, gy + dy), ())
                if abs(k["x0"] - ch["x0"]) < tol
                and abs(k["top"] - ch["top"]) < tol
                and abs(k["size"] - ch["size"]) < 0.5
            ),
            None,
        )
        if twin is not None and ch["text"].strip():
            twin["overprint"] = True
            continue
        kept.append(ch)
        near.setdefault((ch["text"], gx, gy), []).append(ch)
    return kept


def page_lines(
    chars: list[dict[str, Any]],
    rules: list[Rule] | None = None,
    whitespace: list[Rule] | None = None,
) -> list[Line]:
    """Group characters into lines by baseline, then split each baseline at column gaps.

    `rules` are the page's vertical rules: text on either side of one never joins a line,
    nor across a whitespace gutter (`whitespace`, found here when not given).
    """
    bands = _bands(chars)
    if whitespace is None:
        whitespace = text_gutters(chars, bands)
    rules = [*(rules or []), *whitespace]
    return [line for band in bands for line in _band_lines(band, rules)]


def _bands(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Characters (spaces kept) grouped by baseline, top to bottom, each left to right."""
    ordered = sorted(
        (c for c in chars if c["text"].strip() or c["text"] in (" ", IDEOGRAPHIC_SPACE)),
        key=lambda c: (round(_baseline(c), 0), _centre(c)),
    )
    bands: list[list[dict[str, Any]]] = []
    for ch in ordered:
        last = bands[-1][-1] if bands else None
        if (
            last is None
            or abs(_baseline(ch) - _baseline(last)) > min(ch["size"], last["size"]) * 0.3
        ):
            bands.append([])
        bands[-1].append(ch)
    return _lift_superscripts(bands)


SUPERSCRIPT = 0.75  # a note mark or citation is set at most this size of the text it rides on


def _lift_superscripts(bands: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Superscripts (a note mark 1) or **, a citation [1～10]) join the line they are raised on.

    Set small and raised, their baseline is another band's; left there, they are lines of
    their own, read as subheads between the pieces of the line they belong to.
    """
    moved: dict[int, int] = {}
    for i, band in enumerate(bands):
        for run in _runs_of(band):
            host = _host(run, bands, i)
            if host is not None:
                moved |= {id(ch): host for ch in run}
    if not moved:
        return bands
    out: list[list[dict[str, Any]]] = [[] for _ in bands]
    for i, band in enumerate(bands):
        for ch in band:
            out[moved.get(id(ch), i)].append(ch)
    return [sorted(b, key=_centre) for b in out if b]


def _runs_of(band: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """A band's visible characters in runs set no more than a character apart."""
    runs: list[list[dict[str, Any]]] = []
    for ch in band:
        if not ch["text"].strip():
            continue
        if runs and ch["x0"] - runs[-1][-1]["x1"] <= ch["size"]:
            runs[-1].append(ch)
        else:
            runs.append([ch])
    return runs


def _host(run: list[dict[str, Any]], bands: list[list[dict[str, Any]]], i: int) -> int | None:
    """The band below whose text a run of small raised characters touches, if any."""
    # Note marks are digits, brackets and symbols, a few of them: a short run of small
    # Chinese type is a caption's or a label's, whatever lies beside it.
    if len(run) > 8 or any(ch.get("fontname") == "OCR" or _is_cjk(ch["text"]) for ch in run):
        return None
    x0, x1 = run[0]["x0"], run[-1]["x1"]
    top, bottom = min(ch["top"] for ch in run), max(ch["bottom"] for ch in run)
    small = max(ch["size"] for ch in run)
    for j in range(i + 1, min(i + 4, len(bands))):
        for host in bands[j]:
            size = host["size"]
            if (
                host["text"].strip()
                and small <= size * SUPERSCRIPT
                and top >= host["top"] - size * 0.25
                and bottom <= host["bottom"] - size * 0.2  # raised, not a smaller line
                and max(host["x0"] - x1, x0 - host["x1"]) <= size * 0.5
            ):
                return j
    return None


def text_gutters(
    chars: list[dict[str, Any]], bands: list[list[dict[str, Any]]] | None = None
) -> list[Rule]:
    """The whitespace column gutters among a page's characters (parsers.gutters)."""
    rows = (
        [c for c in band if c["text"] not in (" ", IDEOGRAPHIC_SPACE)]
        for band in (bands or _bands(chars))
    )
    return gutters([row for row in rows if row])


def _band_lines(band: list[dict[str, Any]], rules: list[Rule]) -> list[Line]:
    """Lines of one baseline; space characters only mark word breaks."""
    visible = [c for c in band if c["text"] not in (" ", IDEOGRAPHIC_SPACE)]
    spaces = [(c["x0"] + c["x1"]) / 2 for c in band if c["text"] == " "]
    wide = [(c["x0"] + c["x1"]) / 2 for c in band if c["text"] == IDEOGRAPHIC_SPACE]
    return _segment(visible, spaces, rules, wide) if visible else []


def _after_number(run: list[dict[str, Any]]) -> int:
    """Index of the first Chinese character after a line's leading number (1, 2.3), or -1."""
    k = 0
    while k < len(run) and run[k]["text"] in "0123456789.．":
        k += 1
    return k if 0 < k < len(run) and _is_cjk(run[k]["text"]) else -1


def body_size(lines: list[Line]) -> float:
    """The most common font size by character count: the size of body text."""
    counts: Counter[float] = Counter()
    for line in lines:
        counts[line.size] += len(line.text)
    return counts.most_common(1)[0][0] if counts else 10.0


PROSE_SHARE = 0.25  # display type is a small share of a page's text; a quarter is text


def prose_sizes(lines: list[Line], body: float) -> list[tuple[float, float]]:
    """Sizes above body type that carry running text: a book's main text over its notes.

    A page set in two text sizes (main text, footnotes in smaller type) takes the smaller
    as its body when the notes run longer; the larger is still text, not display type,
    when its sentences hold a quarter of the page's characters, on five lines or more.
    """
    total = sum(len(ln.text) for ln in lines)
    clusters: list[list[Line]] = []
    for ln in sorted((ln for ln in lines if ln.size >= body * 1.15), key=lambda ln: ln.size):
        if clusters and ln.size <= clusters[-1][-1].size * 1.06:
            clusters[-1].append(ln)
        else:
            clusters.append([ln])
    found = []
    for group in clusters:
        prose = [ln for ln in group if re.search(r"[。，；！？]", ln.text)]
        if len(prose) >= 5 and sum(len(ln.text) for ln in prose) >= total * PROSE_SHARE:
            found.append((group[0].size, group[-1].size))
    return found


def body_face(lines: list[Line]) -> str:
    """The typeface most characters of these lines are set in."""
    counts: Counter[str] = Counter()
    for line in lines:
        for text, face in line.runs:
            counts[face] += len(text)
    return counts.most_common(1)[0][0] if counts else ""


def baseline_rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped by baseline (within 1 pt), top to bottom, each row left to right."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (round(ln.baseline), ln.x0)):
        if rows and abs(rows[-1][0].baseline - ln.baseline) <= 1:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return rows


def text_of(lines: list[Line]) -> str:
    """Lines read top to bottom and joined without inserted spaces; pieces of one baseline
    that a wide gap split (第三章   职工代表大会…) keep one space between them."""
    rows = sorted(baseline_rows(lines), key=lambda row: (min(ln.top for ln in row), row[0].x0))
    return join_lines([" ".join(ln.text for ln in row) for row in rows])
