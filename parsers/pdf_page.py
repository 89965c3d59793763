"""Page PDFs to articles, ads and furniture, by geometry (pdfplumber), in reading order."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from parsers import ParseError
from parsers.ocr import PageRenderer
from parsers.pdf_lines import Line, body_size, page_lines, text_of
from parsers.pdf_text_layer import text_source
from parsers.text import convert_script, join_lines, normalize_text
from parsers.timelimit import TimeLimitExceeded, time_limit

_REPORTER = r"本报记者|本报通讯员|本报编辑部|本报评论员|记者|通讯员|特约记者"
# OCR reads the byline triangle as 》 or ■; those count as markers only before a reporter title.
_BYLINE = re.compile(rf"^(►|▶|[》■]\s*(?={_REPORTER})|{_REPORTER})")
_MARKERS = "►▶》■"
_CONTINUATION = re.compile(r"^[（(]\s*[上下]?[接转]第\s*[A-Za-z]?\d+\s*版\s*[)）]$")
_AD_WORDS = ("广告", "订阅", "热线", "招商")
BBox = tuple[float, float, float, float]
MAX_PDF_BYTES = 64 * 1024 * 1024  # a page PDF is a few MB; anything this big is not one
PAGE_TIME_LIMIT = 120.0  # seconds per page, OCR included (an OCR'd page takes 5–20 s)
# pdfminer warns on every glyph of fonts it half understands (Chromium's FontBBox-less
# subsets); what matters to us is reported as a ParseError or a text layer verdict.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


@dataclass
class PdfArticle:
    """One article module: display fields, body paragraphs and where it sits."""

    headline: str
    kicker: str | None
    subtitle: str | None
    byline: str | None
    paragraphs: list[str]
    bbox: BBox
    continuations: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    subheads: list[str] = field(default_factory=list)  # paragraphs that are subheads


@dataclass
class PdfAd:
    """A boxed ad or notice."""

    text: str
    bbox: BBox


@dataclass
class PdfPage:
    """What one PDF page holds, and whether its text came from the text layer."""

    page_number: int
    width: float
    height: float
    text_layer: str  # 'pdf' | 'ocr' (some or all text read by OCR) | 'none'
    articles: list[PdfArticle] = field(default_factory=list)
    ads: list[PdfAd] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)
    ocr_lines: int = 0  # garbled text-layer lines replaced by OCR
    dropped_lines: int = 0  # garbled lines left out (never loaded as junk) for want of OCR
    notes: list[str] = field(default_factory=list)  # why text is missing or came from OCR


def _bbox(lines: list[Line]) -> BBox:
    return (
        round(min(ln.x0 for ln in lines), 1),
        round(min(ln.top for ln in lines), 1),
        round(max(ln.x1 for ln in lines), 1),
        round(max(ln.bottom for ln in lines), 1),
    )


def _inside(line: Line, box: BBox, slack: float = 2.0) -> bool:
    return (
        line.x0 >= box[0] - slack
        and line.x1 <= box[2] + slack
        and line.top >= box[1] - slack
        and line.bottom <= box[3] + slack
    )


def _boxes(page: Any) -> list[BBox]:
    """Stroked rectangles big enough to frame an ad or notice."""
    boxes = []
    for r in page.rects:
        if r.get("stroke") and r["width"] > 60 and r["height"] > 30:
            boxes.append((r["x0"], r["top"], r["x1"], r["bottom"]))
    return boxes


def _mark_captions(page: Any, lines: list[Line], body: float) -> None:
    """Small type right below a photo is its caption, with the lines it wraps to."""
    for img in page.images:
        if img["width"] < 30 or img["height"] < 20:
            continue  # icons and rules drawn as images have no captions
        edge = img["bottom"]
        for ln in sorted(lines, key=lambda ln: ln.top):
            if ln.top < edge - 2 or ln.x1 <= img["x0"] or ln.x0 >= img["x1"]:
                continue
            if ln.top - edge > ln.size * 1.2 or ln.size >= body - 0.3:
                break
            ln.role = "caption"
            edge = ln.bottom


def _furniture_limits(page: Any, lines: list[Line]) -> tuple[float, float]:
    """Y limits of the content area: below the header rule and above the footer rule."""
    rules = [e for e in page.horizontal_edges if e["x1"] - e["x0"] > page.width * 0.6]
    top_rules = [e["top"] for e in rules if e["top"] < page.height * 0.12]
    bottom_rules = [e["top"] for e in rules if e["top"] > page.height * 0.9]
    upper = max(top_rules) if top_rules else page.height * 0.035
    lower = min(bottom_rules) if bottom_rules else page.height * 0.97
    return upper, lower


def _ad_text(lines: list[Line]) -> str:
    return normalize_text(join_lines([ln.text for ln in _reading_order(lines)]))


def _columns(lines: list[Line]) -> list[list[Line]]:
    """Group lines into columns by horizontal overlap, left to right, each top to bottom."""
    columns: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: ln.x0):
        for col in columns:
            if line.x0 < max(ln.x1 for ln in col) - 1 and line.x1 > min(ln.x0 for ln in col) + 1:
                col.append(line)
                break
        else:
            columns.append([line])
    columns.sort(key=lambda col: min(ln.x0 for ln in col))
    return [sorted(col, key=lambda ln: ln.top) for col in columns]


def _reading_order(lines: list[Line]) -> list[Line]:
    """Column by column (left to right), top to bottom within a column."""
    return [ln for col in _columns(lines) for ln in col]


class _Sizes:
    """Font-size roles relative to the page's body size."""

    def __init__(self, body: float) -> None:
        self.body = body

    def is_headline(self, line: Line) -> bool:
        return line.size >= self.body * 1.5

    def is_display(self, line: Line) -> bool:
        return line.size >= self.body * 1.15

    def is_subhead(self, line: Line) -> bool:
        return line.bold or self.body * 1.03 <= line.size < self.body * 1.15


@dataclass
class _Rules:
    """Separator rules drawn on the page: horizontal (y, x0, x1) and vertical (x, top, bottom)."""

    horizontal: list[tuple[float, float, float]]
    vertical: list[tuple[float, float, float]]

    @classmethod
    def of(cls, page: Any) -> _Rules:
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
    gap: tuple[float, float], rules: list[tuple[float, float, float]], span: tuple[float, float]
) -> bool:
    """Whether a rule runs inside the gap along at least half of the region's extent."""
    need = (span[1] - span[0]) * 0.5
    return any(
        gap[0] - 1 <= pos <= gap[1] + 1 and min(hi, span[1]) - max(lo, span[0]) >= need
        for pos, lo, hi in rules
    )


def _split(lines: list[Line], sizes: _Sizes, rules: _Rules) -> list[list[Line]]:
    """Recursive XY-cut; a cut is kept only where it separates whole article modules.

    Among valid cuts, one along a drawn rule wins, then the widest: column gaps inside a
    module are often nearly as wide as the gutters between modules.
    """
    if sum(1 for ln in lines if sizes.is_headline(ln)) <= 1:
        return [lines]
    xspan = (min(ln.x0 for ln in lines), max(ln.x1 for ln in lines))
    yspan = (min(ln.top for ln in lines), max(ln.bottom for ln in lines))
    options = []
    for gap in _gaps([(ln.top, ln.bottom) for ln in lines], sizes.body * 0.8):
        above = [ln for ln in lines if ln.bottom <= gap[0]]
        below = [ln for ln in lines if ln.top >= gap[1]]
        # A module starts with its display type (kicker or headline), never with body text,
        # and has a headline of its own (a subtitle below a headline starts nothing).
        if (
            any(map(sizes.is_headline, above))
            and any(map(sizes.is_headline, below))
            and sizes.is_display(min(below, key=lambda ln: ln.top))
        ):
            options.append((_ruled(gap, rules.horizontal, xspan), gap[1] - gap[0], above, below))
    for gap in _gaps([(ln.x0, ln.x1) for ln in lines], sizes.body * 0.8):
        left = [ln for ln in lines if ln.x1 <= gap[0]]
        right = [ln for ln in lines if ln.x0 >= gap[1]]
        if any(map(sizes.is_headline, left)) and any(map(sizes.is_headline, right)):
            options.append((_ruled(gap, rules.vertical, yspan), gap[1] - gap[0], left, right))
    if not options:
        return [lines]
    _, _, first, second = max(options, key=lambda o: (o[0], o[1]))
    return _split(first, sizes, rules) + _split(second, sizes, rules)


def _paragraphs(lines: list[Line], sizes: _Sizes) -> tuple[list[str], list[str], list[str]]:
    """Body lines in column order rejoined into paragraphs; subheads; continuation notes."""
    paragraphs: list[list[str]] = []
    is_subhead: list[bool] = []
    continuations: list[str] = []
    prev_subhead = False
    for col in _columns(lines):
        left = min(ln.x0 for ln in col)
        for line in col:
            if _CONTINUATION.match(normalize_text(line.text)):
                continuations.append(normalize_text(line.text))
                continue
            subhead = sizes.is_subhead(line)
            # An indented first line starts a paragraph; a column break alone does not; a
            # subhead is a paragraph of its own, however many lines it wraps to.
            if prev_subhead != subhead or line.x0 - left > sizes.body * 1.2 or not paragraphs:
                paragraphs.append([])
                is_subhead.append(subhead)
            paragraphs[-1].append(line.text)
            prev_subhead = subhead
    texts = [normalize_text(join_lines(p)) for p in paragraphs]
    subheads = [t for t, sub in zip(texts, is_subhead, strict=True) if t and sub]
    return [t for t in texts if t], subheads, continuations


def _is_byline(line: Line, sizes: _Sizes) -> bool:
    """A byline opens with a marker or a reporter title and is set apart from body type."""
    text = line.text.strip()
    return bool(_BYLINE.match(text)) and (text[0] in _MARKERS or abs(line.size - sizes.body) > 0.3)


def _module(lines: list[Line], sizes: _Sizes) -> PdfArticle | None:
    """Roles inside one module: kicker above the headline, subtitle below, byline, body."""
    heads = [ln for ln in lines if sizes.is_headline(ln)]
    if not heads:
        return None
    head_top, head_bottom = min(h.top for h in heads), max(h.bottom for h in heads)
    display = [ln for ln in lines if sizes.is_display(ln) and not sizes.is_headline(ln)]
    kicker = [ln for ln in display if ln.bottom <= head_top + 1]
    subtitle = [ln for ln in display if ln.top >= head_bottom - 1]
    captions = [ln for ln in lines if ln.role == "caption"]
    rest = [ln for ln in lines if not sizes.is_display(ln) and ln.role != "caption"]
    byline = [ln for ln in rest if _is_byline(ln, sizes)]
    body = [ln for ln in rest if ln not in byline]
    paragraphs, subheads, continuations = _paragraphs(body, sizes)
    author = normalize_text(re.sub(rf"^[{_MARKERS}\s]+", "", text_of(byline))) if byline else None
    return PdfArticle(
        headline=normalize_text(text_of(heads)),
        kicker=normalize_text(text_of(kicker)) or None,
        subtitle=normalize_text(text_of(subtitle)) or None,
        byline=author or None,
        paragraphs=paragraphs,
        bbox=_bbox(lines),
        continuations=continuations,
        captions=[normalize_text(text_of(captions))] if captions else [],
        subheads=subheads,
    )


def parse_page(page: Any, renderer: PageRenderer | None = None) -> PdfPage:
    """Segment one pdfplumber page into articles, ads and furniture (OCR needs a renderer)."""
    rules = _Rules.of(page)
    source = text_source(page, rules.vertical, renderer)
    lines = page_lines(source.chars, rules.vertical)
    result = PdfPage(
        page_number=page.page_number,
        width=float(page.width),
        height=float(page.height),
        text_layer=source.layer if lines else "none",
        ocr_lines=source.ocr_lines,
        dropped_lines=source.dropped_lines,
        notes=source.notes,
    )
    upper, lower = _furniture_limits(page, lines)
    result.furniture = [
        normalize_text(ln.text) for ln in lines if ln.bottom <= upper or ln.top >= lower
    ]
    content = [ln for ln in lines if ln.bottom > upper and ln.top < lower]
    for box in _boxes(page):
        inside = [ln for ln in content if _inside(ln, box)]
        text = _ad_text(inside) if inside else ""
        if text and any(word in text for word in _AD_WORDS):
            result.ads.append(PdfAd(text=text, bbox=tuple(round(v, 1) for v in box)))  # type: ignore[arg-type]
            content = [ln for ln in content if ln not in inside]
    sizes = _Sizes(body_size(content))
    _mark_captions(page, content, sizes.body)
    for module in _split(content, sizes, rules):
        article = _module(module, sizes)
        if article is not None:
            result.articles.append(article)
    return result


def _pdfminer_reason(exc: PdfminerException) -> str:
    """What pdfminer's wrapped error means for the reader of a problem list."""
    cause = exc.args[0] if exc.args else exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return f"encrypted PDF, cannot be read without its password ({type(cause).__name__})"
    return f"not a readable PDF ({type(cause).__name__}: {cause})"


def _timed_page(page: Any, renderer: PageRenderer | None, limit: float | None) -> PdfPage:
    """One page within the time limit; a page that runs over comes back empty, with a note."""
    try:
        with time_limit(limit):
            return parse_page(page, renderer)
    except (TimeLimitExceeded, PdfminerException) as exc:
        if isinstance(exc, PdfminerException) and not isinstance(
            exc.args[0] if exc.args else None, TimeLimitExceeded
        ):
            raise  # pdfplumber wraps whatever interrupts pdfminer, the time limit included
        return PdfPage(
            page_number=page.page_number,
            width=float(page.width),
            height=float(page.height),
            text_layer="none",
            notes=[f"page {page.page_number}: {exc.args[0] if exc.args else exc}, skipped"],
        )


def parse_pdf(
    data: bytes,
    source: str,
    ocr: bool = True,
    page_time_limit: float | None = PAGE_TIME_LIMIT,
    max_bytes: int = MAX_PDF_BYTES,
    convert: str = "",
) -> list[PdfPage]:
    """Parse every page of a PDF; raise ParseError naming the source when it cannot be read.

    Garbled or missing text layers are read by OCR unless `ocr` is False; `convert` names
    a script conversion (parsers.text.CONVERSIONS) applied to all display text.
    """
    if not data:
        raise ParseError(f"{source}: empty file")
    if len(data) > max_bytes:
        raise ParseError(f"{source}: {len(data):,} bytes, over the {max_bytes:,}-byte limit")
    renderer = PageRenderer(data) if ocr else None
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not pdf.pages:
                raise ParseError(f"{source}: PDF has no pages")
            pages = [_timed_page(page, renderer, page_time_limit) for page in pdf.pages]
    except ParseError:
        raise
    except PdfminerException as exc:
        raise ParseError(f"{source}: {_pdfminer_reason(exc)}") from exc
    except Exception as exc:  # pdfminer raises many types on damaged files; all mean "unreadable"
        raise ParseError(f"{source}: not a readable PDF ({type(exc).__name__}: {exc})") from exc
    finally:
        if renderer is not None:
            renderer.close()
    return [converted(page, convert) for page in pages] if convert else pages


def converted(page: PdfPage, conversion: str) -> PdfPage:
    """The page with every display text run through convert_script (geometry untouched)."""

    def conv(text: str) -> str:
        return convert_script(text, conversion)

    def opt(text: str | None) -> str | None:
        return conv(text) if text else text

    articles = [
        replace(
            a,
            headline=conv(a.headline),
            kicker=opt(a.kicker),
            subtitle=opt(a.subtitle),
            byline=opt(a.byline),
            paragraphs=list(map(conv, a.paragraphs)),
            continuations=list(map(conv, a.continuations)),
            captions=list(map(conv, a.captions)),
            subheads=list(map(conv, a.subheads)),
        )
        for a in page.articles
    ]
    ads = [replace(ad, text=conv(ad.text)) for ad in page.ads]
    return replace(page, articles=articles, ads=ads, furniture=list(map(conv, page.furniture)))
