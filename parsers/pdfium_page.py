"""Page PDFs read with pypdfium2, shaped like the part of pdfplumber's Page the parser reads.

pdfminer (pdfplumber's `page.chars`) interprets a dense page in Python, 400–700 ms; pdfium
reads the same characters in C. `PdfiumPage` gives what `parse_page` and its helpers use:
`chars`, `rects`, `lines`, `curves`, `images`, `horizontal_edges`, `width`, `height` and
`page_number`, as dicts with pdfplumber's keys and coordinates (points, origin top-left).

pdfium's text page is built for selection, not for geometry, and three of its habits are
undone here so that every drawn glyph comes back, as pdfminer gives it:
- it drops a text object it takes for a copy of one drawn just before (fake bold draws a
  glyph two to four times a hair apart; the parser wants each copy, parsers.pdf_lines);
  such objects are moved far off the page, read there, and moved back;
- it drops text objects whose glyphs have no outline box (a GlyphLessFont OCR layer, a
  non-embedded font, a space), so those are given a hairline stroke, which widens them;
- it splits ligatures (ﬁ → f, i) and generates spaces and line breaks; the pieces are
  joined again and generated characters left out.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium

PdfiumError = pypdfium2.PdfiumError  # what a file pdfium cannot open raises

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# pdfium splits these ligatures into their letters; the letters name the ligature again.
LIGATURES = {"ff": "ﬀ", "fi": "ﬁ", "fl": "ﬂ", "ffi": "ﬃ", "ffl": "ﬄ", "ſt": "ﬅ", "st": "ﬆ"}
HAIRLINE = 0.05  # stroke that makes an outline-less text object wide enough to be read
MIN_WIDTH = 0.01  # pdfium's kSizeEpsilon: narrower text objects are skipped by its text page


def _mult(m: Matrix, n: Matrix) -> Matrix:
    """m then n (pdfium's and PDF's row-vector order)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _matrix(obj: Any) -> Matrix:
    fs = pdfium.FS_MATRIX()
    if not pdfium.FPDFPageObj_GetMatrix(obj, fs):
        return IDENTITY
    return (fs.a, fs.b, fs.c, fs.d, fs.e, fs.f)


def _address(obj: Any) -> int:
    return int(ctypes.cast(obj, ctypes.c_void_p).value or 0)


def _bounds(obj: Any) -> tuple[float, float, float, float]:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    pdfium.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
    return left.value, bottom.value, right.value, top.value


@dataclass
class _Frame:
    """PDF user space to pdfplumber's device space (rotation applied, mediabox at the origin).

    pdfminer's device space is y-up with the page's lower left corner at 0; pdfplumber's
    `top` is the page height less y.
    """

    device: Matrix
    width: float
    height: float

    @classmethod
    def of(cls, page: Any) -> _Frame:
        x0, y0, x1, y1 = page.get_mediabox()
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        rotation = page.get_rotation() % 360
        device = {  # pdfminer's initial CTM per /Rotate
            90: (0.0, -1.0, 1.0, 0.0, -y0, x1),
            180: (-1.0, 0.0, 0.0, -1.0, x1, y1),
            270: (0.0, 1.0, -1.0, 0.0, y1, -x0),
        }.get(rotation, (1.0, 0.0, 0.0, 1.0, -x0, -y0))
        w, h = x1 - x0, y1 - y0
        return cls(device, *((h, w) if rotation in (90, 270) else (w, h)))

    def box(self, points: list[tuple[float, float]]) -> dict[str, float]:
        """pdfplumber's bbox keys of user-space points."""
        xs, ys = zip(*(_apply(self.device, x, y) for x, y in points), strict=True)
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        return {
            "x0": x0,
            "x1": x1,
            "y0": y0,
            "y1": y1,
            "top": self.height - y1,
            "bottom": self.height - y0,
            "width": x1 - x0,
            "height": y1 - y0,
        }

    def point(self, x: float, y: float) -> tuple[float, float]:
        """A user-space point as pdfplumber's (x, top)."""
        dx, dy = _apply(self.device, x, y)
        return dx, self.height - dy


@dataclass
class _Objects:
    """A page's text objects (with their form matrices), drawn paths and images."""

    texts: list[tuple[Any, Matrix]] = field(default_factory=list)
    rects: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    curves: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)


def _walk(objects: _Objects, frame: _Frame, get: Any, count: int, form: Matrix) -> None:
    """Every object of a page or form XObject, recursively, by type."""
    for i in range(count):
        obj = get(i)
        kind = pdfium.FPDFPageObj_GetType(obj)
        if kind == pdfium.FPDF_PAGEOBJ_TEXT:
            objects.texts.append((obj, form))
        elif kind == pdfium.FPDF_PAGEOBJ_PATH:
            _path(objects, frame, obj, _mult(_matrix(obj), form))
        elif kind == pdfium.FPDF_PAGEOBJ_IMAGE:
            m = _mult(_matrix(obj), form)
            corners = [_apply(m, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
            objects.images.append({"object_type": "image", **frame.box(corners)})
        elif kind == pdfium.FPDF_PAGEOBJ_FORM:
            inner = _mult(_matrix(obj), form)
            n = pdfium.FPDFFormObj_CountObjects(obj)
            _walk(objects, frame, lambda j, o=obj: pdfium.FPDFFormObj_GetObject(o, j), n, inner)


def _subpaths(obj: Any, m: Matrix) -> list[tuple[list[tuple[float, float]], bool]]:
    """A path's subpaths as (user-space points, closed); a Bézier counts its end point only,
    as pdfminer does."""
    out: list[tuple[list[tuple[float, float]], bool]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    bezier = 0
    for i in range(pdfium.FPDFPath_CountSegments(obj)):
        seg = pdfium.FPDFPath_GetPathSegment(obj, i)
        kind = pdfium.FPDFPathSegment_GetType(seg)
        if kind == pdfium.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3:
                continue  # a control point
        else:
            bezier = 0
        pdfium.FPDFPathSegment_GetPoint(seg, x, y)
        point = _apply(m, x.value, y.value)
        if kind == pdfium.FPDF_SEGMENT_MOVETO or not out:
            out.append(([point], False))
        else:
            out[-1][0].append(point)
        if pdfium.FPDFPathSegment_GetClose(seg):
            out[-1] = (out[-1][0], True)
    return out


def _path(objects: _Objects, frame: _Frame, obj: Any, m: Matrix) -> None:
    """A painted path as pdfminer classes it: a line, a rectangle or a curve per subpath."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium.FPDFPath_GetDrawMode(obj, fill, stroke)
    if not fill.value and not stroke.value:
        return  # a clipping path: pdfminer paints nothing for `n`
    width = ctypes.c_float()
    pdfium.FPDFPageObj_GetStrokeWidth(obj, width)
    style = {
        "stroke": bool(stroke.value),
        "fill": bool(fill.value),
        "linewidth": width.value,
        "non_stroking_color": _fill_color(obj),
    }
    for points, closed in _subpaths(obj, m):
        kind = _shape(points, closed)
        if kind is None:
            continue
        pts = [frame.point(x, y) for x, y in points]
        item = {"object_type": kind, **frame.box(points), **style, "pts": pts}
        getattr(objects, kind + "s").append(item)


def _fill_color(obj: Any) -> tuple[float, ...] | None:
    """The fill colour as RGB in 0..1 (pdfium renders every colour space to RGB)."""
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not pdfium.FPDFPageObj_GetFillColor(obj, r, g, b, a):
        return None
    return (r.value / 255, g.value / 255, b.value / 255)


def _shape(points: list[tuple[float, float]], closed: bool) -> str | None:
    """'line', 'rect' or 'curve', by pdfminer's rules (a lone moveto draws nothing)."""
    if len(points) < 2:
        return None
    ring = closed or (len(points) == 5 and points[4] == points[0])
    body = points[:-1] if len(points) > 2 and points[-1] == points[0] else points
    if len(body) == 2 or (len(points) == 2):
        return "line"
    if len(body) == 4 and ring:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = body
        if (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
            y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
        ):
            return "rect"
    return "curve"


class _Fonts:
    """Name and descent of each font, looked up once per page."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[str, float, Any]] = {}
        self._widths: dict[tuple[int, str], float] = {}
        self._out = ctypes.c_float()

    def of(self, text_obj: Any) -> tuple[str, float, Any]:
        """Name, descent per point, and the font handle of a text object's font."""
        font = pdfium.FPDFTextObj_GetFont(text_obj)
        key = _address(font)
        if key not in self._seen:
            self._seen[key] = (_font_name(font), _descent(font), font)
        return self._seen[key]

    def advance(self, font: Any, text: str) -> float:
        """A character's advance per point of type size (0 when the font cannot say)."""
        key = (_address(font), text)
        if key not in self._widths:
            ok = (
                len(text) == 1
                and font
                and pdfium.FPDFFont_GetGlyphWidth(font, ord(text), 1.0, self._out)
            )
            self._widths[key] = self._out.value if ok else 0.0
        return self._widths[key]


def _font_name(font: Any) -> str:
    """The font's BaseFont (its family when it has none); bytes that are not UTF-8 are
    written #XX, as pdfminer leaves a name's escapes."""
    if not font:
        return ""
    for getter in (pdfium.FPDFFont_GetBaseFontName, pdfium.FPDFFont_GetFamilyName):
        size = getter(font, None, 0)
        buf = ctypes.create_string_buffer(max(size, 1))
        getter(font, buf, size)
        if buf.value:
            try:
                return buf.value.decode("utf-8")
            except UnicodeDecodeError:
                return "".join(chr(b) if b < 0x80 else f"#{b:02X}" for b in buf.value)
    return ""


def _descent(font: Any) -> float:
    """Descent per point of type size, negative below the baseline (pdfminer's glyph bottom)."""
    out = ctypes.c_float()
    if not font or not pdfium.FPDFFont_GetDescent(font, 1.0, out):
        return 0.0
    return -abs(out.value)


def _text_of(textpage: Any, i: int) -> str:
    """One character's text as pdfminer writes it: an unmapped glyph is (cid:N)."""
    code = pdfium.FPDFText_GetUnicode(textpage, i)
    if pdfium.FPDFText_HasUnicodeMapError(textpage, i) == 1 or code == 0:
        # pdfminer reads a simple font's codes 0x80-0x9F as Windows-1252 where it has them.
        if 0x80 <= code <= 0x9F and code not in _CP1252_HOLES:
            return bytes([code]).decode("cp1252")
        return f"(cid:{code})"
    if code == 2 and pdfium.FPDFText_IsHyphen(textpage, i) == 1:
        return "-"  # pdfium marks a hyphen that ends a line
    return chr(code)


_CP1252_HOLES = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))


class _Reader:
    """Characters of one loaded text page, as pdfplumber's char dicts."""

    def __init__(self, frame: _Frame, shifts: dict[int, tuple[float, float]]) -> None:
        self.frame = frame
        self.shifts = shifts  # text objects read off the page: how far they were moved
        self.fonts = _Fonts()
        self.loose = pdfium.FS_RECTF()
        self.fs = pdfium.FS_MATRIX()
        self.ox, self.oy = ctypes.c_double(), ctypes.c_double()
        self.objs: dict[int, tuple[str, float, Any, float, Matrix]] = {}

    def obj_info(
        self, textpage: Any, i: int, obj: Any, key: int
    ) -> tuple[str, float, Any, float, Matrix]:
        """Font name, descent and handle, type size and matrix of a char's text object (the
        same for all its chars)."""
        if key not in self.objs:
            name, descent, font = self.fonts.of(obj)
            pdfium.FPDFText_GetMatrix(textpage, i, self.fs)
            m = self.fs
            size = pdfium.FPDFText_GetFontSize(textpage, i)
            self.objs[key] = (name, descent, font, size, (m.a, m.b, m.c, m.d, 0.0, 0.0))
        return self.objs[key]

    def read(self, textpage: Any) -> tuple[list[dict[str, Any]], set[int]]:
        """The page's drawn characters, and the text objects they came from."""
        chars: list[dict[str, Any]] = []
        seen: set[int] = set()
        last_key, last_origin, pieces = 0, (0.0, 0.0), ""
        for i in range(pdfium.FPDFText_CountChars(textpage)):
            if pdfium.FPDFText_IsGenerated(textpage, i) == 1:
                continue
            obj = pdfium.FPDFText_GetTextObject(textpage, i)
            if not obj:
                continue
            key = _address(obj)
            seen.add(key)
            text = _text_of(textpage, i)
            pdfium.FPDFText_GetCharOrigin(textpage, i, self.ox, self.oy)
            origin = (self.ox.value, self.oy.value)
            if chars and key == last_key and origin == last_origin:
                joined = pieces + text  # a ligature pdfium split into letters
                if any(lig.startswith(joined) for lig in LIGATURES):
                    # One glyph drawn for the letters: its box ends where its loose box does
                    # (the first letter's advance would leave a gap read as a space).
                    lig = LIGATURES.get(joined, joined)
                    chars[-1] = self.char(textpage, i, obj, key, lig, origin, loose=True)
                    pieces = joined
                    continue
            last_key, last_origin, pieces = key, origin, text
            chars.append(self.char(textpage, i, obj, key, text, origin))
        return chars, seen

    def char(
        self,
        textpage: Any,
        i: int,
        obj: Any,
        key: int,
        text: str,
        origin: tuple[float, float],
        loose: bool = False,
    ) -> dict[str, Any]:
        """One char dict: pdfminer's box is the advance wide and the type size high, its
        bottom at the font's descent (`loose`: the advance from the glyph's loose box)."""
        name, descent, font, size, lin = self.obj_info(textpage, i, obj, key)
        dx, dy = self.shifts.get(key, (0.0, 0.0))
        ox, oy = origin[0] - dx, origin[1] - dy
        a = lin[0]
        adv = 0.0 if loose else self.fonts.advance(font, text) * size
        if not adv and a > 1e-6:  # no width for it in the font: the end of its loose box
            pdfium.FPDFText_GetLooseCharBox(textpage, i, self.loose)
            adv = (self.loose.right - origin[0]) / a
        m = (*lin[:4], ox, oy)
        lo = _apply(m, 0.0, descent * size)
        hi = _apply(m, adv, (descent + 1.0) * size)
        if abs(lin[1]) > 1e-6 or abs(lin[2]) > 1e-6 or a <= 1e-6:
            # Turned or mirrored type: the glyph's own box, as pdfium measures it.
            left, right, bottom, top = (ctypes.c_double() for _ in range(4))
            pdfium.FPDFText_GetCharBox(textpage, i, left, right, bottom, top)
            lo, hi = (left.value - dx, bottom.value - dy), (right.value - dx, top.value - dy)
        box = self.frame.box([lo, hi])
        dev = _mult(m, self.frame.device)
        return {
            "object_type": "char",
            "text": text,
            "fontname": name,
            "size": box["height"],
            "upright": dev[0] * dev[3] > 0 and dev[1] * dev[2] <= 0,
            "matrix": dev,
            "adv": adv,
            **box,
        }


def _widen(texts: list[tuple[Any, Matrix]]) -> None:
    """Give outline-less text objects a hairline stroke, so pdfium's text page reads them.

    pdfium skips a text object narrower than 0.01 pt; its box comes from glyph outlines, and
    an OCR layer's GlyphLessFont or an unembedded font has none. A stroked object's box is
    widened by half the line width; re-applying the (identity) matrix recomputes it.
    """
    for obj, _ in texts:
        left, _b, right, _t = _bounds(obj)
        if right - left < MIN_WIDTH:
            pdfium.FPDFTextObj_SetTextRenderMode(obj, pdfium.FPDF_TEXTRENDERMODE_STROKE)
            pdfium.FPDFPageObj_SetStrokeWidth(obj, HAIRLINE)
            pdfium.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 0, 0)


def _move_apart(missing: list[tuple[Any, Matrix]], height: float) -> dict[int, tuple[float, float]]:
    """Move text objects pdfium took for copies below the page, each copy of a run to its own
    strip (copies of one glyph are consecutive); return each one's shift in page space."""
    shifts = {}
    for n, (obj, form) in enumerate(missing):
        dy = -(height + 1000.0) * (n % 8 + 1)
        # The object lives in its form's space: move it there so that the page sees dy.
        inv = _inverse(form)
        fx, fy = _apply((*inv[:4], 0.0, 0.0), 0.0, dy)
        pdfium.FPDFPageObj_Transform(obj, 1, 0, 0, 1, fx, fy)
        shifts[_address(obj)] = (0.0, dy)
    return shifts


def _inverse(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c or 1.0
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


class PdfiumPage:
    """One page of an open pdfium document, read on first use of any attribute."""

    def __init__(self, doc: pypdfium2.PdfDocument, index: int) -> None:
        self._doc = doc
        self._index = index
        self.page_number = index + 1
        page = doc[index]
        try:
            self._frame = _Frame.of(page)
            trim = page.get_trimbox(fallback_ok=False)
            rotated = page.get_rotation() % 360 != 0
        finally:
            page.close()
        self.width = self._frame.width
        self.height = self._frame.height
        # (top, bottom) of the TrimBox, as pdfplumber would place it; None without one.
        self.trim: tuple[float, float] | None = None
        if trim is not None and not rotated:
            box = self._frame.box([(trim[0], trim[1]), (trim[2], trim[3])])
            self.trim = (box["top"], box["bottom"])

    @cached_property
    def _objects(self) -> tuple[list[dict[str, Any]], _Objects]:
        page = self._doc[self._index]
        try:
            objects = _Objects()
            raw = page.raw
            n = pdfium.FPDFPage_CountObjects(raw)
            _walk(objects, self._frame, lambda i: pdfium.FPDFPage_GetObject(raw, i), n, IDENTITY)
            _widen(objects.texts)
            chars = self._chars(page, objects.texts)
            return chars, objects
        finally:
            page.close()

    def _chars(self, page: Any, texts: list[tuple[Any, Matrix]]) -> list[dict[str, Any]]:
        """Every glyph drawn: a second reading takes the copies the first one dropped."""
        textpage = page.get_textpage()
        try:
            chars, seen = _Reader(self._frame, {}).read(textpage.raw)
        finally:
            textpage.close()
        missing = [(o, f) for o, f in texts if _address(o) not in seen]
        if not missing:
            return chars
        shifts = _move_apart(missing, self._frame.height)
        textpage = page.get_textpage()
        try:
            chars, _ = _Reader(self._frame, shifts).read(textpage.raw)
        finally:
            textpage.close()
        return chars

    @property
    def chars(self) -> list[dict[str, Any]]:
        """Characters as pdfplumber's `page.chars`."""
        return self._objects[0]

    @property
    def rects(self) -> list[dict[str, Any]]:
        """Rectangles as pdfplumber's `page.rects`."""
        return self._objects[1].rects

    @property
    def lines(self) -> list[dict[str, Any]]:
        """Straight lines as pdfplumber's `page.lines`."""
        return self._objects[1].lines

    @property
    def curves(self) -> list[dict[str, Any]]:
        """Other paths as pdfplumber's `page.curves`."""
        return self._objects[1].curves

    @property
    def images(self) -> list[dict[str, Any]]:
        """Image boxes as pdfplumber's `page.images`."""
        return self._objects[1].images

    @property
    def horizontal_edges(self) -> list[dict[str, Any]]:
        """Horizontal edges of lines, rectangles and curves, as pdfplumber's."""
        edges = [ln for ln in self.lines if ln["top"] == ln["bottom"]]
        for r in self.rects:
            edges.append({**r, "bottom": r["top"], "height": 0})
            edges.append({**r, "top": r["bottom"], "height": 0})
        for c in self.curves:
            for (x0, t0), (x1, t1) in zip(c["pts"], c["pts"][1:], strict=False):
                if t0 == t1 and x0 != x1:
                    edges.append(
                        {
                            "x0": min(x0, x1),
                            "x1": max(x0, x1),
                            "top": t0,
                            "bottom": t0,
                            "width": abs(x1 - x0),
                            "height": 0,
                        }
                    )
        return edges


@contextmanager
def open_pages(data: bytes) -> Iterator[list[PdfiumPage]]:
    """The pages of a PDF, read lazily; the document is closed on leaving."""
    doc = pypdfium2.PdfDocument(data)
    try:
        yield [PdfiumPage(doc, i) for i in range(len(doc))]
    finally:
        doc.close()
