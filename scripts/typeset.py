"""A small newspaper typesetter for scripts/make_layout_corpus.py, independent of make_sample.

Own line breaking (kinsoku: no closing mark starts a line, no opening mark ends one; Latin
words and numbers never split; a closing mark that overshoots the measure by at most half
its width stays on the line, the line squeezed to fit), CJK justification (extra space spread over the gaps
between characters), first-line indents, column filling with keep-with-next, and a
sheet that records every drawn piece of text with the truth item it belongs to, so a
page can be checked against its truth after it is written. Coordinates are PDF points
with the origin top-left; the sheet flips them when it draws.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import pdfplumber
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

# Registered name → (file, subfont index). Bullet is DejaVu Sans Mono, used for nothing
# else, so its ToUnicode map alone can be rewritten (see private_use_bullets).
FONT_FILES: dict[str, tuple[str, int]] = {
    "Song": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # AR PL UMing CN (明/宋)
    "Kai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),  # AR PL UKai CN (楷)
    "Hei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # WenQuanYi Zen Hei (黑)
    "Sans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
    "SansBold": ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 0),
    "Serif": ("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf", 0),
    "SerifBold": ("/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf", 0),
    "Bullet": ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 0),
}
BULLET_FACE = "DejaVuSansMono"
NO_START = set("。，、；：？！”’）》〉」』】…%·")  # never first on a line
NO_END = set("“‘（《〈「『【")  # never last on a line
TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.%:/@+\-_]*|——|……| +|.", re.S)


# SerifCAJ is Liberation Serif whose font descriptor claims a descent of 100 em, as the
# cajcd fonts of CAJ-to-PDF converters do: pdfminer boxes its glyphs far off their baseline.
BROKEN_DESCENT = {"SerifCAJ": ("Serif", -100_000)}


def register_fonts() -> None:
    """Register every face once; fail if a file is missing."""
    for name, (path, index) in FONT_FILES.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    for name, (like, descent) in BROKEN_DESCENT.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            path, index = FONT_FILES[like]
            font = TTFont(name, path, subfontIndex=index)
            font.face.descent = descent
            # A name of its own, or reportlab shares the first face's descriptor with it.
            font.face.name = font.face.name + b"-CAJ"
            font.face.filename = f"{font.face.filename}#{name}"
            pdfmetrics.registerFont(font)


@cache
def _cmap(font: str) -> frozenset[int]:
    """Code points the font has a glyph for."""
    face = pdfmetrics.getFont(font).face
    return frozenset(code for code, gid in face.charToGlyph.items() if gid)


def require_glyphs(text: str, font: str) -> None:
    """Fail loudly if any character of `text` has no glyph in `font` (it would draw nothing)."""
    missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in _cmap(font)})
    if missing:
        raise SystemExit(f"font {font} has no glyph for {' '.join(missing)!r} (in {text!r})")


@cache
def width(text: str, font: str, size: float) -> float:
    """Advance width of `text` in `font` at `size`."""
    return float(pdfmetrics.stringWidth(text, font, size))


def ascent(font: str) -> float:
    """Ascent in em as the PDF's font descriptor states it (pdfplumber's glyph top)."""
    return float(pdfmetrics.getFont(font).face.ascent) / 1000


def descent(font: str) -> float:
    """Descent in em, positive (pdfplumber's glyph bottom below the baseline)."""
    return -float(pdfmetrics.getFont(font).face.descent) / 1000


@dataclass(frozen=True)
class Style:
    """Type for one kind of text: CJK face, Latin face, size, baseline pitch, indent, align."""

    font: str
    size: float
    lead: float  # baseline to baseline
    latin: str = ""  # face for ASCII words and numbers ("" = the CJK face)
    indent: float = 0.0  # first-line indent in em
    hang: float = 0.0  # indent of every line but the first, in em (hanging paragraphs)
    align: str = "justify"  # justify | left | center | right
    before: float = 0.0  # space above the paragraph (dropped at a column top)
    after: float = 0.0  # space below the paragraph
    keep: bool = False  # keep with the next box (subheads, bylines)
    fake_bold: tuple[tuple[float, float], ...] = ()  # extra offsets each glyph is drawn at
    space: float = 0.0  # width of a word space in em (0: the face's own)
    even: bool = False  # display type: lines of a wrapped paragraph made about equally long

    def face(self, token: str) -> str:
        """The face a token is set in."""
        return self.latin if self.latin and token.isascii() else self.font

    def measure(self, token: str) -> float:
        """Advance of one token."""
        if token.isspace() and self.space:
            return self.space * self.size * len(token)
        return width(token, self.face(token), self.size)


@dataclass(frozen=True)
class Piece:
    """Text drawn in one face at one position (x, baseline), owned by one truth item."""

    text: str
    x: float
    baseline: float
    font: str
    size: float
    owner: str
    copies: tuple[tuple[float, float], ...] = ()

    def moved(self, dx: float, dy: float) -> Piece:
        """The piece shifted by (dx, dy)."""
        return replace(self, x=self.x + dx, baseline=self.baseline + dy)

    def box(self) -> tuple[float, float, float, float]:
        """Glyph box as pdfplumber computes it: x0, top, x1, bottom."""
        w = width(self.text, self.font, self.size)
        top = self.baseline - ascent(self.font) * self.size
        return (self.x, top, self.x + w, self.baseline + descent(self.font) * self.size)


@dataclass
class Box:
    """One line (or fixed block) in a column: its pieces relative to the box's top-left."""

    height: float
    pieces: list[Piece] = field(default_factory=list)
    before: float = 0.0
    keep: bool = False  # must not be the last box of a column
    tag: str = ""  # what the box is (body, subhead, byline…) for layout checks


Tok = tuple[str, Style]  # a token and the style it is set in
Runs = list[tuple[str, Style]]  # a paragraph as runs of text, each in its own style


def tokens(text: str) -> list[str]:
    """Breakable units: a Latin word or number, a doubled dash or ellipsis, a space, a char."""
    return TOKEN_RE.findall(text)


def _toks(runs: Runs) -> list[Tok]:
    """The runs' tokens, each with its style."""
    return [(tok, style) for text, style in runs for tok in tokens(text)]


def _measure(line: list[Tok]) -> float:
    """Natural width of a line of tokens."""
    return sum(style.measure(tok) for tok, style in line)


def _carry(line: list[Tok], nxt: str) -> list[Tok]:
    """Tokens moved from the end of `line` so that neither line breaks a kinsoku rule."""
    carry: list[Tok] = []
    while line and (carry[0][0] if carry else nxt)[0] in NO_START:
        carry.insert(0, line.pop())
    while line and line[-1][0][-1] in NO_END:
        carry.insert(0, line.pop())
    return carry


def break_runs(runs: Runs, base: Style, measure: float) -> list[list[Tok]]:
    """Greedy line breaking within `measure` points, first line indented, kinsoku applied."""
    lines: list[list[Tok]] = []
    line: list[Tok] = []
    used = base.indent * base.size
    for tok, style in _toks(runs):
        if tok.isspace() and not line:
            continue
        w = style.measure(tok)
        squeeze = base.align == "justify" and tok[0] in NO_START and used + w <= measure + w / 2
        if line and used + w > measure + 0.01 and not tok.isspace() and not squeeze:
            carry = _carry(line, tok)
            assert line, f"cannot break {runs!r} at {tok!r}"
            lines.append(line)
            line, used = carry, base.hang * base.size + _measure(carry)
        line.append((tok, style))
        used += w
    if line:
        lines.append(line)
    return [_trim(ln) for ln in lines]


def even_lines(runs: Runs, base: Style, measure: float, count: int) -> list[list[Tok]]:
    """The narrowest breaking of the runs into `count` lines (display type wraps evenly)."""
    narrow, step = measure, base.size / 2
    while narrow > base.size and len(break_runs(runs, base, narrow - step)) == count:
        narrow -= step
    return break_runs(runs, base, narrow)


def _trim(line: list[Tok]) -> list[Tok]:
    """A line without spaces at its ends."""
    while line and line[-1][0].isspace():
        line = line[:-1]
    return line


def place_line(
    line: list[Tok], base: Style, x0: float, measure: float, last: bool
) -> list[tuple[str, Style, float]]:
    """(token, style, x) for one line: justified unless last, else aligned as `base` says."""
    natural, gaps = _measure(line), len(line) - 1
    extra, x = 0.0, x0
    if base.align == "justify" and (not last or natural > measure) and gaps:
        extra = (measure - natural) / gaps  # negative where end-of-line punctuation squeezes
    elif base.align == "center":
        x += (measure - natural) / 2
    elif base.align == "right":
        x += measure - natural
    placed = []
    for i, (tok, style) in enumerate(line):
        # An ideographic space is a glyph in the text layer, as typesetters set it (1　前　言).
        if not tok.isspace() or tok == "\u3000":
            placed.append((tok, style, x))
        x += style.measure(tok) + (extra if i < gaps else 0.0)
    return placed


def pieces_of(placed: list[tuple[str, Style, float]], baseline: float, owner: str) -> list[Piece]:
    """Pieces for one placed line; touching tokens of one face and size make one piece."""
    out: list[Piece] = []
    for tok, style, x in placed:
        face = style.face(tok)
        require_glyphs(tok, face)
        prev = out[-1] if out else None
        if (
            prev is not None
            and (prev.font, prev.size) == (face, style.size)
            and abs(prev.x + width(prev.text, face, style.size) - x) < 0.001
        ):
            out[-1] = replace(prev, text=prev.text + tok)
        else:
            out.append(Piece(tok, x, baseline, face, style.size, owner, style.fake_bold))
    return out


def first_baseline(style: Style) -> float:
    """Baseline of a line whose glyph tops touch the top of its box."""
    return max(ascent(style.font), ascent(style.face("A")) if style.latin else 0.0) * style.size


def rich(runs: Runs, base: Style, measure: float, owner: str, tag: str = "body") -> list[Box]:
    """A paragraph of styled runs set into line boxes `measure` wide, in `base`'s layout."""
    lines = break_runs(runs, base, measure)
    if base.even and len(lines) > 1:
        lines = even_lines(runs, base, measure, len(lines))
    top = max(first_baseline(style) for _, style in runs)
    boxes = []
    for i, line in enumerate(lines):
        x0 = (base.indent if i == 0 else base.hang) * base.size
        placed = place_line(line, base, x0, measure - x0, i == len(lines) - 1)
        box = Box(base.lead, pieces_of(placed, top, owner), keep=base.keep, tag=tag)
        box.before = base.before if i == 0 else 0.0
        boxes.append(box)
    boxes[-1].height += base.after
    return boxes


def paragraph(text: str, style: Style, measure: float, owner: str, tag: str = "body") -> list[Box]:
    """One paragraph in one style set into line boxes `measure` wide."""
    return rich([(text, style)], style, measure, owner, tag)


def spaced(
    text: str, style: Style, x: float, baseline: float, track: float, owner: str
) -> tuple[list[Piece], float]:
    """Letter-spaced text: every glyph drawn on its own, `track` points apart; a space is a
    word gap (one extra em). Returns the pieces and the x after the last glyph."""
    out = []
    for i, ch in enumerate(text):
        if ch == " ":
            x += style.size
            continue
        face = style.face(ch)
        require_glyphs(ch, face)
        out.append(Piece(ch, x, baseline, face, style.size, owner, style.fake_bold))
        x += width(ch, face, style.size) + (track if i + 1 < len(text) else 0.0)
    return out, x


# --- columns -------------------------------------------------------------------


def fill(boxes: list[Box], height: float) -> list[list[Box]]:
    """Boxes poured into columns `height` tall, in order; a keep box never ends a column."""
    columns: list[list[Box]] = [[]]
    used = 0.0
    i = 0
    while i < len(boxes):
        box = boxes[i]
        need = box.height + (box.before if columns[-1] else 0.0)
        if columns[-1] and used + need > height + 0.01:
            columns[-1], moved = _unkeep(columns[-1])
            columns.append(moved)
            used = sum(b.height for b in moved) + sum(b.before for b in moved[1:])
            continue
        columns[-1].append(box)
        used += need
        i += 1
    return columns


def _unkeep(column: list[Box]) -> tuple[list[Box], list[Box]]:
    """Split trailing keep-with-next boxes off a full column."""
    cut = len(column)
    while cut > 1 and column[cut - 1].keep:
        cut -= 1
    return column[:cut], column[cut:]


def column_height(column: list[Box]) -> float:
    """Height a column of boxes takes (space above its first box dropped)."""
    return sum(b.height for b in column) + sum(b.before for b in column[1:])


def balance(boxes: list[Box], count: int, step: float = 0.5) -> float:
    """The least column height at which the boxes fit in `count` columns."""
    low = max(b.height for b in boxes)
    height = max(low, sum(b.height + b.before for b in boxes) / count)
    while len(fill(boxes, height)) > count:
        height += step
    return height


def set_columns(
    columns: list[list[Box]], x0: float, top: float, col_w: float, gutter: float
) -> list[Piece]:
    """Pieces of filled columns placed on the page, columns `col_w` wide and `gutter` apart."""
    out: list[Piece] = []
    for c, column in enumerate(columns):
        y = top
        for i, box in enumerate(column):
            y += box.before if i else 0.0
            out += [p.moved(x0 + c * (col_w + gutter), y) for p in box.pieces]
            y += box.height
    return out


def stack(boxes: list[Box], x0: float, top: float) -> tuple[list[Piece], float]:
    """Boxes set one below the other from `top`; returns the pieces and the bottom."""
    out: list[Piece] = []
    y = top
    for i, box in enumerate(boxes):
        y += box.before if i else 0.0
        out += [p.moved(x0, y) for p in box.pieces]
        y += box.height
    return out, y


# --- the sheet: everything drawn on a page -------------------------------------


@dataclass(frozen=True)
class Rule:
    """A straight line from (x0, y0) to (x1, y1), `lw` thick."""

    x0: float
    y0: float
    x1: float
    y1: float
    lw: float


@dataclass(frozen=True)
class Rect:
    """A rectangle: a stroked frame, or a filled box (QR cells, photos' stand-ins)."""

    x: float
    top: float
    w: float
    h: float
    lw: float
    filled: bool
    grey: float = 0.0  # fill colour, 0 black to 1 white


@dataclass(frozen=True)
class Picture:
    """A raster image (a photo's stand-in) placed at (x, top), w × h points."""

    x: float
    top: float
    w: float
    h: float
    image: Image.Image


@dataclass(frozen=True)
class Polyline:
    """One path through many points (a chart's plotted line), stroked `lw` thick."""

    points: tuple[tuple[float, float], ...]
    lw: float


Op = Piece | Rule | Rect | Picture | Polyline


@dataclass
class Sheet:
    """A page: drawing operations in the order they will be written."""

    width: float
    height: float
    ops: list[Op] = field(default_factory=list)
    trim: tuple[float, float, float, float] | None = None  # TrimBox: x0, top, x1, bottom

    def text(self, pieces: list[Piece]) -> None:
        """Queue pieces of text."""
        self.ops += pieces

    def rule(self, x0: float, y0: float, x1: float, y1: float, lw: float = 0.5) -> None:
        """Queue a straight line."""
        self.ops.append(Rule(x0, y0, x1, y1, lw))

    def rect(
        self, x: float, top: float, w: float, h: float, lw: float, filled: bool, grey: float = 0.0
    ) -> None:
        """Queue a rectangle: stroked frame, or filled box."""
        self.ops.append(Rect(x, top, w, h, lw, filled, grey))

    def polyline(self, points: list[tuple[float, float]], lw: float = 0.8) -> None:
        """Queue a path through points (x, y from the page top)."""
        self.ops.append(Polyline(tuple(points), lw))

    def picture(self, x: float, top: float, w: float, h: float, image: Image.Image) -> None:
        """Queue an image."""
        self.ops.append(Picture(x, top, w, h, image))

    def row_major(self) -> None:
        """Reorder: graphics first, then text line by line across the page (baseline, x)."""
        text = sorted(self.pieces(), key=lambda p: (round(p.baseline, 1), p.x))
        self.ops = [op for op in self.ops if not isinstance(op, Piece)] + list(text)

    def pieces(self) -> list[Piece]:
        """Every piece of text on the sheet."""
        return [op for op in self.ops if isinstance(op, Piece)]

    def write(self, path: str, creator: str) -> None:
        """Write the one-page PDF (deterministic: invariant=1)."""
        canvas = Canvas(path, pagesize=(self.width, self.height), invariant=1, pageCompression=1)
        canvas.setCreator(creator)
        if self.trim:
            x0, top, x1, bottom = self.trim
            canvas.setTrimBox((x0, self.height - bottom, x1, self.height - top))
        for op in self.ops:
            if isinstance(op, Piece):
                self._text(canvas, op)
            elif isinstance(op, Rule):
                canvas.setLineWidth(op.lw)
                canvas.line(op.x0, self.height - op.y0, op.x1, self.height - op.y1)
            elif isinstance(op, Polyline):
                stroke = canvas.beginPath()
                stroke.moveTo(op.points[0][0], self.height - op.points[0][1])
                for x, y in op.points[1:]:
                    stroke.lineTo(x, self.height - y)
                canvas.setLineWidth(op.lw)
                canvas.drawPath(stroke, stroke=1, fill=0)
            elif isinstance(op, Picture):
                y = self.height - op.top - op.h
                canvas.drawImage(ImageReader(op.image), op.x, y, op.w, op.h)
            else:
                self._rect(canvas, op)
        canvas.showPage()
        canvas.save()

    def _text(self, canvas: Canvas, piece: Piece) -> None:
        """One piece (and its fake-bold copies) in a text object of its own."""
        obj = canvas.beginText()
        obj.setFont(piece.font, piece.size)
        for dx, dy in ((0.0, 0.0), *piece.copies):
            obj.setTextOrigin(round(piece.x + dx, 3), round(self.height - piece.baseline - dy, 3))
            obj.textOut(piece.text)
        canvas.drawText(obj)

    def _rect(self, canvas: Canvas, rect: Rect) -> None:
        """A frame or a filled box."""
        canvas.setLineWidth(rect.lw)
        canvas.setFillGray(rect.grey)
        y = self.height - rect.top - rect.h
        canvas.rect(rect.x, y, rect.w, rect.h, stroke=int(not rect.filled), fill=int(rect.filled))
        canvas.setFillGray(0.0)


@contextmanager
def private_use_bullets(code: int = 0xF06C) -> Iterator[None]:
    """While a PDF is saved, the Bullet face's ToUnicode maps every glyph to `code`.

    A Word-made PDF's Wingdings bullet comes out of text extraction as U+F06C; this
    makes the Bullet face's glyphs do the same.
    """
    original = ttfonts.makeToUnicodeCMap

    def patched(fontname: str, subset: list[int]) -> str:
        if BULLET_FACE not in fontname:
            return str(original(fontname, subset))
        return str(original(fontname, [code for _ in subset]))

    ttfonts.makeToUnicodeCMap = patched
    try:
        yield
    finally:
        ttfonts.makeToUnicodeCMap = original


# --- checking a written page against its truth ----------------------------------


def _visible(text: str | None) -> str:
    """The characters of a truth field that are drawn (spaces are not)."""
    return "".join((text or "").split())


def article_chars(art: dict[str, Any]) -> Counter[str]:
    """Characters a truth article puts on the page (subheads are among its paragraphs)."""
    fields = [art["headline"], art["kicker"], art["subtitle"], art["byline"]]
    fields += art["paragraphs"] + art["captions"] + art["continuations"]
    return Counter("".join(_visible(f) for f in fields))


def truth_chars(truth: dict[str, Any]) -> Counter[str]:
    """Every character the truth says the page draws, ignored glyphs included."""
    total: Counter[str] = Counter()
    for art in truth["articles"]:
        total += article_chars(art)
    total += Counter("".join(_visible(ad["text"]) for ad in truth["ads"]))
    total += Counter("".join(_visible(f) for f in truth["furniture"]))
    return total + Counter("".join(truth.get("ignored", [])))


def pdf_chars(path: str) -> tuple[list[dict[str, Any]], int]:
    """The page's visible characters, fake-bold duplicates dropped; and how many were dropped."""
    with pdfplumber.open(path) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"].strip()]
    kept: dict[tuple[str, int, int], dict[str, Any]] = {}
    dropped = 0
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        near = [
            (ch["text"], round(ch["x0"]) + dx, round(ch["top"]) + dy)
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
        ]
        if any(key in kept for key in near):
            dropped += 1
            continue
        kept[(ch["text"], round(ch["x0"]), round(ch["top"]))] = ch
    return list(kept.values()), dropped


def _inside(ch: dict[str, Any], bbox: list[float], slack: float = 0.5) -> bool:
    """Whether a character's whole glyph box lies inside bbox."""
    x0, top, x1, bottom = bbox
    return (
        ch["x0"] >= x0 - slack
        and ch["top"] >= top - slack
        and ch["x1"] <= x1 + slack
        and ch["bottom"] <= bottom + slack
    )


def _centred(ch: dict[str, Any], bbox: list[float]) -> bool:
    """Whether a character's centre lies inside bbox."""
    x, y = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _diff(want: Counter[str], got: Counter[str]) -> str:
    """What is missing from and extra in the page, for an error message."""
    missing, extra = "".join((want - got).elements()), "".join((got - want).elements())
    return f"missing {missing[:80]!r}, extra {extra[:80]!r}"


def verify(path: str, truth: dict[str, Any], duplicates: int = 0) -> None:
    """Fail unless the PDF's characters are exactly the truth's, each inside its module."""
    chars, dropped = pdf_chars(path)
    if dropped != duplicates:
        raise SystemExit(f"{path}: {dropped} duplicate glyphs, expected {duplicates}")
    got, want = Counter(c["text"] for c in chars), truth_chars(truth)
    if got != want:
        raise SystemExit(f"{path}: page chars differ from truth: {_diff(want, got)}")
    items = [(a["headline"], a["bbox"], article_chars(a)) for a in truth["articles"]]
    items += [(ad["text"][:10], ad["bbox"], Counter(_visible(ad["text"]))) for ad in truth["ads"]]
    for name, bbox, item_want in items:
        if bbox is None:
            continue
        inside = [c for c in chars if _centred(c, bbox)]
        if Counter(c["text"] for c in inside) - Counter(truth.get("ignored", [])) != item_want:
            diff = _diff(item_want, Counter(c["text"] for c in inside))
            raise SystemExit(f"{path}: module {name!r} bbox holds other chars: {diff}")
        outside = [c["text"] for c in inside if not _inside(c, bbox)]
        if outside:
            raise SystemExit(f"{path}: module {name!r}: glyphs cross its bbox: {outside[:10]}")
