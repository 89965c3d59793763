"""Roles inside one article module: kicker, headline, subtitle, byline, subheads, paragraphs."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field, replace
from itertools import pairwise

from parsers.byline import close_spread_names
from parsers.pdf_lines import Line, text_of
from parsers.pdf_segment import CONTINUATION, Sizes
from parsers.text import MARKERS, join_lines, normalize_text

_REPORTER = r"本报记者|本报通讯员|本报编辑部|本报评论员|记者|通讯员|特约记者"
# OCR reads the byline triangle as 》 or ■; those count as markers only before a reporter title.
_CREDIT = r"(?:文|图|文图|图文|文\s*[/／]\s*图)\s*[/／:：]|作者\s*[:：]"
_BYLINE = re.compile(rf"^(?:[►▶□◎●]\s*|[》■]\s*(?={_REPORTER}))?(?:({_REPORTER})(\s)?|{_CREDIT})")
_SENTENCE = re.compile(r"[。，；！？]")
_MARKERS = "►▶》■"
# A marker before a reporter title, as OCR reads the byline triangle: typography, not text.
OCR_MARKER = re.compile(rf"^\s*[》■]\s*(?={_REPORTER})")
BBox = tuple[float, float, float, float]


@dataclass
class PdfArticle:
    """One article module: display fields, body paragraphs and where it sits."""

    headline: str  # '' for a module printed without one (a 转版 continuation, a brief)
    kicker: str | None
    subtitle: str | None
    byline: str | None
    paragraphs: list[str]
    bbox: BBox
    continuations: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    subheads: list[str] = field(default_factory=list)  # paragraphs that are subheads


def bbox_of(lines: list[Line]) -> BBox:
    """The box around some lines, rounded to 0.1 pt."""
    return (
        round(min(ln.x0 for ln in lines), 1),
        round(min(ln.top for ln in lines), 1),
        round(max(ln.x1 for ln in lines), 1),
        round(max(ln.bottom for ln in lines), 1),
    )


def _gutters(lines: list[Line]) -> list[tuple[float, float]]:
    """Column gutters of a module: x-stretches no line covers, or few while both sides are full.

    A line laid across the columns (a lead paragraph over them, a rule read as text) covers
    the gutter too, so a gutter is also where coverage drops well below both neighbours.
    """
    x0, x1 = int(min(ln.x0 for ln in lines)), int(max(ln.x1 for ln in lines)) + 1
    count = [0] * (x1 - x0 + 1)
    for ln in lines:
        for x in range(int(ln.x0) - x0, int(ln.x1) - x0 + 1):
            count[x] += 1
    min_width = max(2, round(statistics.median(ln.size for ln in lines) * 0.5))
    found = _runs(count, 0)
    for lo, hi in _runs(count, max(count) / 3):
        left, right = max(count[:lo], default=0), max(count[hi:], default=0)
        if max(count[lo:hi]) <= 0.35 * min(left, right):
            found.append((lo, hi))
    found = [(lo, hi) for lo, hi in found if hi - lo >= min_width]
    # A stretch found both ways once, the wider.
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(found, key=lambda r: (r[0], -r[1])):
        if merged and lo < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    # A text column is wider than a few characters: the white after run-in labels set at a
    # tab stop (第十四条   工会…, 问：   …) down one edge is no gutter.
    narrow = statistics.median(ln.size for ln in lines) * 5
    edges = [0, *(v for lo, hi in merged for v in (lo, hi)), len(count) - 1]
    kept = [
        (lo, hi)
        for i, (lo, hi) in enumerate(merged)
        if lo - edges[2 * i] >= narrow and edges[2 * i + 3] - hi >= narrow
    ]
    return [(lo + x0, hi + x0) for lo, hi in kept]


def _runs(count: list[int], limit: float) -> list[tuple[int, int]]:
    """Inner stretches (not touching either end) where coverage is at most `limit`."""
    runs, start = [], None
    for x, n in enumerate(count):
        if n <= limit and start is None:
            start = x
        elif n > limit and start is not None:
            runs.append((start, x))
            start = None
    return [(lo, hi) for lo, hi in runs if lo > 0]


def columns(lines: list[Line]) -> list[list[Line]]:
    """Lines in reading order as groups: each column top to bottom, left to right.

    A line that crosses a gutter (a lead paragraph set over the columns) ends the columns
    above it: they are read first, then it, then what is below.
    """
    if not lines:
        return []
    cells = [ln for ln in lines if ln.cell]
    if cells:  # a ruled table reads cell by cell, row by row (a merged cell before its rows)
        top = min(ln.top for ln in cells)
        loose = [ln for ln in lines if not ln.cell]
        grid = sorted(cells, key=_cell_order)
        return [
            *columns([ln for ln in loose if ln.top < top]),
            grid,
            *columns([ln for ln in loose if ln.top >= top]),
        ]
    gutters = _gutters(lines)
    crossing = [ln for ln in lines if any(ln.x0 < lo and ln.x1 > hi for lo, hi in gutters)]
    if crossing:
        first = min(crossing, key=lambda ln: ln.top)
        above = [ln for ln in lines if ln is not first and ln.bottom <= first.top + 1]
        below = [ln for ln in lines if ln is not first and ln not in above]
        rest = columns(below)
        if rest and rest[0][0].x0 < first.x1 and _crosses(rest[0], gutters):
            rest[0].insert(0, first)  # consecutive lines across the columns read as one
        else:
            rest.insert(0, [first])
        return columns(above) + rest
    cols: list[list[Line]] = [[] for _ in range(len(gutters) + 1)]
    for line in lines:
        # A line that starts inside a gutter (a bullet hung into it) belongs to its right.
        cols[sum(line.x0 >= lo + 1 for lo, _ in gutters)].append(line)
    return [_rejoined(sorted(col, key=_line_order)) for col in cols if col]


def _rejoined(col: list[Line]) -> list[Line]:
    """Pieces of one baseline in one column as one line: a wide gap (a tab stop after 第十四条,
    a run-in title's space) split them, but no gutter runs between them."""
    out: list[Line] = []
    for line in col:
        prev = out[-1] if out else None
        if (
            prev is not None
            and abs(prev.baseline - line.baseline) <= 1
            and line.x0 >= prev.x1
            and abs(prev.size - line.size) <= 0.5
            and prev.cell == line.cell  # a rule runs between table cells
        ):
            out[-1] = replace(
                prev,
                text=f"{prev.text} {line.text}",
                x1=line.x1,
                top=min(prev.top, line.top),
                bottom=max(prev.bottom, line.bottom),
                runs=[*prev.runs, (" ", prev.runs[-1][1] if prev.runs else ""), *line.runs],
            )
        else:
            out.append(line)
    return out


def _cell_order(line: Line) -> tuple[float, ...]:
    """Row by row (a cell's top rule), left to right, then the cell's own lines in order."""
    top, left = (line.cell[1], line.cell[0]) if line.cell else (0.0, 0.0)
    return (top, left, *_line_order(line))


def _line_order(line: Line) -> tuple[float, float]:
    """Top to bottom by baseline (faces of one line differ in glyph tops), then left to right."""
    return (round(line.baseline / 3), line.x0)


def _crosses(group: list[Line], gutters: list[tuple[float, float]]) -> bool:
    return all(any(ln.x0 < lo and ln.x1 > hi for lo, hi in gutters) for ln in group)


def reading_order(lines: list[Line]) -> list[Line]:
    """Column by column (left to right), top to bottom within a column."""
    return [ln for col in columns(lines) for ln in col]


def _edge(values: list[float], tolerance: float) -> float:
    """The column's usual edge: where most of its lines sit (the leftmost of a tie).

    Lines set off it start paragraphs: indented first lines, or outdented ones under a
    hanging indent (问： … / 答： …). A column of one or two lines has no usual edge of its
    own: its leftmost line marks it, as does a label or letterhead set apart only once.
    """
    if len(values) < 3:
        return min(values)
    counts = [(sum(abs(w - v) <= tolerance for w in values), -v) for v in values]
    best = max(counts)
    return -best[1] if best[0] >= 2 else min(values)


# What opens a list item or a turn in a dialogue: 问：, 记者：, （一）, （1）, 1., 一、, 第十四条, ①.
_LABEL = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,4}[：:]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.．、]\D"
    r"|[一二三四五六七八九十]{1,3}、|第[一二三四五六七八九十百\d]{1,4}[条章节款]|[①-⑳])"
)
# A field's label: a few words, no sentence in them, then a colon (当前价格（元）：82.42).
_FIELD = re.compile(r"^[\u4e00-\u9fffA-Za-z（）()]{1,8}[：:]\s*\S")
_LATIN_RUN = re.compile(r"^[!-~]+")
_MID_SENTENCE = re.compile(r"[\u4e00-\u9fff，、]$")
_NO_LINE_START = "，。、；：？！”’）》」』〕】…—%"


def _first_unit(text: str, size: float) -> float:
    """Width of what a line opens with that could not have ended the line before it.

    A run of Latin letters and digits is never broken, nor is a character from the
    punctuation that may not start a line (，。” …) parted from the one before it.
    """
    text = text.strip()
    run = _LATIN_RUN.match(text)
    if run:
        return len(run.group(0)) * size * 0.55
    rest = len(text[1:]) - len(text[1:].lstrip(_NO_LINE_START))
    return (1 + rest) * size


@dataclass
class _Edges:
    """A column's usual left and right edges, and whether its lines are justified."""

    left: float
    right: float
    justified: bool

    @classmethod
    def of(cls, col: list[Line], size: float) -> _Edges:
        """The edges most of the column's lines share."""
        left = _edge([ln.x0 for ln in col], size * 0.5)
        right = -_edge([-ln.x1 for ln in col], size * 0.5)
        flush = sum(1 for ln in col if right - ln.x1 <= size)
        return cls(left, right, len(col) >= 3 and flush * 5 >= len(col) * 3)

    def short(self, line: Line, following: Line, size: float) -> bool:
        """In justified type only a paragraph's last line stops short of the column's edge,
        unless what the following line opens with was too wide for the room left."""
        room = self.right - line.x1
        return self.justified and room > max(size * 1.5, _first_unit(following.text, size) + size)


# The previous column's last line, its edges, and whether it was a hanging paragraph's turn.
Before = tuple[Line, _Edges, bool] | None


def _size_edges(col: list[Line], size: float) -> list[_Edges]:
    """Each line's usual edges, from the lines of the column set in its own type size.

    An abstract set smaller and inset above the text (【摘要】 in 9 pt) has edges of its own:
    counted with the text's, its inset can pass for the text's indent. Sizes with fewer
    than three lines take the edges of the size most lines are set in.
    """
    groups: dict[float, list[Line]] = {}
    for ln in col:
        groups.setdefault(round(ln.size * 2) / 2, []).append(ln)
    main = max(groups.values(), key=lambda g: (len(g), -abs(g[0].size - size)))
    main_edges = _Edges.of(main, size)
    edges = {k: _Edges.of(g, size) if len(g) >= 3 else main_edges for k, g in groups.items()}
    return [edges[round(ln.size * 2) / 2] for ln in col]


def _starts(col: list[Line], sizes: Sizes, before: Before) -> tuple[list[bool], Before]:
    """Which lines of one column start a paragraph: set off the column's usual left edge
    (indented, or outdented under a hanging indent), or after a short last line.

    Lines set off the edge one after another, full but for the last, are the turn lines of
    a paragraph hung from the line before them (问：… set hanging), not paragraphs each.
    """
    size = sizes.body
    own = _size_edges(col, size)
    shifted = [abs(ln.x0 - e.left) > size * 0.8 for ln, e in zip(col, own, strict=True)]
    short = [
        e.short(ln, nxt, size) for (ln, nxt), e in zip(pairwise(col), own[:-1], strict=True)
    ] + [False]
    spoken = _spoken(col, before)
    listed = _listed(col, own, size)
    ongoing = _ongoing(col, own, size)
    turn = _turns(col, shifted, short, spoken, before, size)
    out = []
    for i, line in enumerate(col):
        if i == 0:
            after_short = before is not None and before[1].short(before[0], line, size)
        else:
            after_short = short[i - 1]
        # A hanging paragraph starts on the line its turn lines hang from.
        hangs = i + 1 < len(col) and turn[i + 1] and not turn[i]
        out.append(
            (shifted[i] and not turn[i] and not ongoing[i])
            or after_short
            or hangs
            or spoken[i]
            or listed[i]
        )
    return out, (col[-1], own[-1], turn[-1])


def _spoken(col: list[Line], before: Before) -> list[bool]:
    """A dialogue label (问：, 记者：) or a list number (（一）, 第十四条) after a finished
    sentence or clause opens a paragraph, however it is indented, justified or not; so does
    the number that follows one a line of the column opened with (2. after 1., whatever
    ends the item before it: a date, a title)."""
    prev = [before[0] if before else None, *col[:-1]]
    numbers = [_item_number(ln.text) for ln in col]
    return [
        p is not None
        and bool(_LABEL.match(ln.text.strip()))
        and (
            p.text.rstrip()[-1:] in "。？！…”；：》」』" or (n is not None and n - 1 in numbers[:i])
        )
        for i, (ln, p, n) in enumerate(zip(col, prev, numbers, strict=True))
    ]


_ITEM = re.compile(r"^\s*(\d{1,2})[.．、]\D")


def _item_number(text: str) -> int | None:
    """The number a list item opens with (3.《…》, 12、…), if any."""
    found = _ITEM.match(text)
    return int(found.group(1)) if found else None


def _listed(col: list[Line], own: list[_Edges], size: float) -> list[bool]:
    """Lines that each open with a field's label (资格编号：…, 邮箱：…, 当前价格（元）：…), two
    or more in a row, are a list of fields: one paragraph each. So is one field under a line
    that stops well short of the edge and ends no sentence (a name: 杨云逍 / 邮箱：…)."""
    field = [bool(_FIELD.match(ln.text.strip())) for ln in col]
    under = [False] + [
        p.x1 < e.right - size * 4 and p.text.rstrip()[-1:] not in _TEXT_END
        for p, e in zip(col[:-1], own[:-1], strict=True)
    ]
    return [
        f and ((i > 0 and (field[i - 1] or under[i])) or (i + 1 < len(col) and field[i + 1]))
        for i, f in enumerate(field)
    ]


def _ongoing(col: list[Line], own: list[_Edges], size: float) -> list[bool]:
    """A full line that stops mid-sentence goes on in the next line, however that one is set
    (a list item's turn line under its text, or back at the label's edge)."""
    return (
        [False]
        + [
            p.x1 >= e.right - size
            and p.x0 <= e.left + size * 2.5  # full, not a signature set flush right
            and _MID_SENTENCE.search(p.text) is not None
            and not _LABEL.match(ln.text.strip())
            for (p, ln), e in zip(pairwise(col), own[:-1], strict=True)
        ]
    )


def _turns(
    col: list[Line],
    shifted: list[bool],
    short: list[bool],
    spoken: list[bool],
    before: Before,
    size: float,
) -> list[bool]:
    """Which lines are turn lines of a hanging paragraph: set off the edge, one under the
    other, under a full line at the edge or under an outdented label."""
    turn = [False] * len(col)
    for i, line in enumerate(col):
        opens_run = (
            i + 1 < len(col)
            and shifted[i + 1]
            and not short[i]
            and abs(col[i + 1].x0 - line.x0) <= size * 0.5
        )
        if i == 0:
            # Turn lines that went on from the column before.
            first = before is not None and not before[1].short(before[0], line, size)
            turn[i] = shifted[i] and first and opens_run
            continue
        opener = not shifted[i - 1] or abs(col[i - 1].x0 - line.x0) > size * 0.5
        carried = (
            turn[i - 1]
            and not short[i - 1]
            and not spoken[i]
            and abs(line.x0 - col[i - 1].x0) <= size * 0.5  # turn lines share one edge
        )
        # A run opens under a line at the edge, or under an outdented label (▇效益：… over
        # turn lines set in from it).
        turn[i] = shifted[i] and (carried or (opener and not short[i - 1] and opens_run))
    # A column's last line, set like the turn lines above it after a line at the edge, turns
    # into the next column (a paragraph hung at the foot of a column).
    turns_at = [ln.x0 for ln, t in zip(col, turn, strict=True) if t]
    last = len(col) - 1
    if (
        last > 0
        and shifted[last]
        and not shifted[last - 1]
        and not short[last - 1]
        and not spoken[last]
        and any(abs(x - col[last].x0) <= size * 0.5 for x in turns_at)
    ):
        turn[last] = True
    return turn


# A block or geometric mark (▇ ■ ◆ ● ★) opening a short line without a sentence: a subhead
# set in body type (▇背景, ■ 相关链接), however plain its type.
_HEAD_MARK = re.compile(r"^[\u2580-\u259f\u25a0-\u25ff\u2605\u2606]\s*\S")
_HEAD_MARK_MAX = 12


def _marked_head(line: Line) -> bool:
    """Whether a line is a subhead by its mark alone: short, marked, no sentence in it."""
    text = normalize_text(line.text)
    return (
        bool(_HEAD_MARK.match(text))
        and len(text) <= _HEAD_MARK_MAX
        and not re.search(r"[。，；：:！？、]", text)
    )


def paragraphs(
    lines: list[Line], sizes: Sizes, subheads: list[Line]
) -> tuple[list[str], list[str], list[str]]:
    """Body lines in column order rejoined into paragraphs; subheads; continuation notes."""
    paras: list[list[str]] = []
    is_subhead: list[bool] = []
    continuations: list[str] = []
    prev_subhead = False
    prev_cell: tuple[float, float, float, float] | None = None
    marked = {id(ln) for ln in subheads}
    before: Before = None
    for col in columns(lines + subheads):
        body = [ln for ln in col if id(ln) not in marked]
        flags, before = _starts(body, sizes, before) if body else ([], None)
        starts = dict(zip(map(id, body), flags, strict=True))
        for line in col:
            if CONTINUATION.match(normalize_text(line.text)):
                continuations.append(normalize_text(line.text))
                continue
            # A table cell set in another face (Arial figures) is still a cell.
            subhead = id(line) in marked or (
                (sizes.is_subhead(line) or _marked_head(line)) and line.cell is None
            )
            # An indented first line starts a paragraph; a column break alone does not; a
            # subhead is a paragraph of its own, however many lines it wraps to.
            # A table cell is a paragraph, and so is what follows the table.
            cell = line.cell != prev_cell
            if prev_subhead != subhead or starts.get(id(line), False) or cell or not paras:
                paras.append([])
                is_subhead.append(subhead)
            paras[-1].append(line.text)
            prev_subhead, prev_cell = subhead, line.cell
    texts = [normalize_text(join_lines(p)) for p in paras]
    heads = [t for t, sub in zip(texts, is_subhead, strict=True) if t and sub]
    return [t for t in texts if t], heads, continuations


def _is_byline(line: Line, sizes: Sizes) -> bool:
    """A byline: a reporter title or a credit (文/…), no sentence, and set apart from the body.

    Set apart by a marker, its size or typeface (楷体 bylines beside 宋体 body), or by the
    space between title and names (本报记者 张明) that a wrapped body line never has.
    """
    text = line.text.strip()
    match = _BYLINE.match(text)
    if not match or len(text) > 40 or _SENTENCE.search(text):
        return False
    credit = match.group(1) is None
    set_apart = text[0] in MARKERS + "》" or abs(line.size - sizes.body) > 0.3
    return credit or set_apart or line.face != sizes.face or match.group(2) is not None


def _by_top(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=lambda ln: (ln.top, ln.x0))


def _bylines(lines: list[Line], notes: list[Line], sizes: Sizes) -> list[Line]:
    """Byline lines, with the names a byline wraps onto the line below it (… 通讯员 / 钱程)."""
    found = [ln for ln in lines if ln not in notes and _is_byline(ln, sizes)]
    for line in list(found):
        below = [
            ln
            for ln in lines
            if ln not in found
            and 0 <= ln.top - line.bottom <= line.size
            and abs(ln.x0 - line.x0) <= line.size
            and ln.face == line.face
            and abs(ln.size - line.size) <= 0.3
        ]
        for ln in below:
            text = normalize_text(ln.text)
            if len(text) <= 12 and not _SENTENCE.search(text) and ln.face != sizes.face:
                found.append(ln)
    return found


def _signature(body: list[Line], sizes: Sizes) -> list[Line]:
    """A letter's or essay's sign-off: its short last line, set flush right (读者 王某某)."""
    if len(body) < 3:
        return []
    last = reading_order(body)[-1]
    col = [ln for ln in body if ln.x0 <= last.x1 and ln.x1 >= last.x0]  # its own, at least
    left, right = min(ln.x0 for ln in col), max(ln.x1 for ln in col)
    text = normalize_text(last.text)
    if (
        len(text) <= 12
        and not _SENTENCE.search(text)
        and not re.search(r"\d", text)  # a date under a notice signs nothing
        and not CONTINUATION.match(text)
        and right - last.x1 <= sizes.body
        and last.x0 - left > (right - left) * 0.3
    ):
        return [last]
    return []


def _in_flow(line: Line, body: list[Line]) -> bool:
    """Whether body text stands above a line in its own column: then it is a subhead."""
    return any(b.bottom <= line.top + 1 and b.x0 < line.x1 and b.x1 > line.x0 for b in body)


def _heading(display: list[Line]) -> tuple[list[Line], list[Line], list[Line]]:
    """Kicker, headline and subtitle lines of a module's heading block (display type)."""
    if not display:
        return [], [], []
    biggest = max(ln.size for ln in display)
    heads = [ln for ln in display if ln.size >= biggest - 0.6]
    top, bottom = min(h.top for h in heads), max(h.bottom for h in heads)
    middle = (top + bottom) / 2
    rest = [ln for ln in display if ln not in heads]
    kicker = [ln for ln in rest if ln.bottom <= top + 1 or ln.bottom <= middle]
    subtitle = [ln for ln in rest if ln not in kicker]
    return kicker, heads, subtitle


def module_article(lines: list[Line], sizes: Sizes) -> PdfArticle:
    """Every line of one module in its role; a module without display type has no headline."""
    captions = [ln for ln in lines if ln.role == "caption"]
    rest = [ln for ln in lines if ln.role != "caption"]
    notes = [ln for ln in rest if CONTINUATION.match(normalize_text(ln.text))]
    byline = _bylines(rest, notes, sizes)
    text = [ln for ln in rest if ln not in byline]
    body = [ln for ln in text if not sizes.is_display(ln) and ln not in notes]
    if not byline:
        byline = _signature(body, sizes)
        body = [ln for ln in body if ln not in byline]
    display = [ln for ln in text if sizes.is_display(ln) and ln not in notes]
    flow = [ln for ln in display if _in_flow(ln, body)]
    kicker, heads, subtitle = _heading([ln for ln in display if ln not in flow])
    if not heads:
        heads = _title_line(body, sizes)
        body = [ln for ln in body if ln not in heads]
    title = ""
    paras, subheads, continuations = paragraphs(body + notes, sizes, flow)
    if not heads and _plain_title(paras, subheads):
        title = paras.pop(0)
    # A byline that wraps breaks between words: its lines join with a space.
    printed = re.sub(rf"^[{_MARKERS}\s]+", "", " ".join(ln.text for ln in _by_top(byline)))
    author = close_spread_names(normalize_text(printed)) if byline else None
    return PdfArticle(
        headline=title or normalize_text(text_of(heads)),
        kicker=normalize_text(text_of(kicker)) or None,
        subtitle=normalize_text(text_of(subtitle)) or None,
        byline=author or None,
        paragraphs=paras,
        bbox=bbox_of(lines),
        continuations=continuations,
        captions=[normalize_text(text_of(captions))] if captions else [],
        subheads=subheads,
    )


# A title never ends a sentence or a clause; a line ending in one of these is text.
_TEXT_END = "。！？；…，、：:”’"
_TITLE_MAX = 40


def _plain_title(paras: list[str], subheads: list[str]) -> bool:
    """Whether a module without display or bold type opens with a title set like its text.

    Its first paragraph is short, is not a subhead, ends no sentence and holds none, and
    text follows it (【案例十四】科技學院：…之應用例 over ▇背景 …).
    """
    if len(paras) < 2 or not paras[0] or (subheads and paras[0] == subheads[0]):
        return False
    first = paras[0]
    return (
        len(first) <= _TITLE_MAX
        and len(re.findall(r"[^\W\d_]", first)) >= 2  # words, not a page number
        and first[-1] not in _TEXT_END
        and not re.search(r"[。！？；]", first)
        and not CONTINUATION.match(first)
    )


def _title_line(body: list[Line], sizes: Sizes) -> list[Line]:
    """A small title: the bold lines a module without display type opens with, if any."""
    ordered = reading_order(body)
    title: list[Line] = []
    for line in ordered:
        if not sizes.is_subhead(line):
            break
        title.append(line)
    # A module that is all bold type has body text, not a title.
    return title if title and len(title) < len(ordered) else []
