"""Page PDFs to articles, ads and furniture, by geometry (pdfplumber), in reading order."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfplumber.utils.exceptions import PdfminerException

from parsers import PDF_ENGINES, ParseError
from parsers.coverage import PdfBlock, account
from parsers.notices import box_kind, is_notice_heading
from parsers.ocr import PageRenderer
from parsers.pdf_briefs import brief_items
from parsers.pdf_guard import check_decoded_size
from parsers.pdf_lines import (
    Line,
    Rule,
    baseline_rows,
    body_face,
    body_size,
    page_lines,
    prose_sizes,
    text_gutters,
)
from parsers.pdf_roles import PdfArticle, bbox_of, module_article, reading_order
from parsers.pdf_segment import CONTINUATION, Rules, Sizes, split_modules
from parsers.pdf_text_layer import text_source
from parsers.pdfium_page import PdfiumError, open_pages
from parsers.text import convert_script, join_lines, normalize_text
from parsers.timelimit import TimeLimitExceeded, time_limit

__all__ = ["PDF_ENGINES", "PdfAd", "PdfArticle", "PdfBlock", "PdfPage", "parse_page", "parse_pdf"]

BBox = tuple[float, float, float, float]
MAX_PDF_BYTES = 64 * 1024 * 1024  # a page PDF is a few MB; anything this big is not one
PAGE_TIME_LIMIT = 120.0  # seconds per page, OCR included (an OCR'd page takes 5–20 s)
# pdfminer warns on every glyph of fonts it half understands (Chromium's FontBBox-less
# subsets); what matters to us is reported as a ParseError or a text layer verdict.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


@dataclass
class PdfAd:
    """A boxed ad or notice."""

    text: str
    bbox: BBox
    kind: str = "ad"  # 'ad' | 'notice' (parsers.notices)


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
    unassigned: list[PdfBlock] = field(default_factory=list)
    ocr_lines: int = 0  # garbled text-layer lines replaced by OCR
    dropped_lines: int = 0  # garbled lines left out (never loaded as junk) for want of OCR
    notes: list[str] = field(default_factory=list)  # why text is missing or came from OCR
    chars: int = 0  # characters on the page (text layer or OCR), spaces not counted
    coverage: float = 1.0  # share of them placed in an article, ad, caption or furniture


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


def _tinted(rect: dict[str, Any]) -> bool:
    """A filled rectangle in a colour other than white (a band, a shaded box)."""
    color = rect.get("non_stroking_color")
    if not rect.get("fill") or color is None:
        return False
    values = color if isinstance(color, tuple | list) else (color,)
    if len(values) == 4:  # CMYK: white is no ink
        return any(float(v) > 0.02 for v in values)
    return any(float(v) < 0.98 for v in values)


def _mark_bands(page: Any, lines: list[Line], rules: Rules) -> None:
    """A short line alone on a tinted band is a label set apart; the band's top edge a rule.

    Reports and papers head a block with its label on a shaded strip (色块标题), in body
    type: the strip is what sets it apart, and what separates the block from the one above.
    """
    for r in page.rects:
        height = r["bottom"] - r["top"]
        if not _tinted(r) or height < 2 or r["width"] < 40:
            continue
        inside = [ln for ln in lines if _inside(ln, (r["x0"], r["top"], r["x1"], r["bottom"]))]
        if len(inside) != 1 or height > inside[0].size * 2.5:
            continue
        line = inside[0]
        if line.x1 - line.x0 <= r["width"] * 0.6:
            line.banded = True
            # The band is one shape with the hairlines drawn along its edges: its label
            # and the text under it are one block, and only its top edge separates.
            rules.horizontal = [
                (y, x0, x1)
                for y, x0, x1 in rules.horizontal
                if not (r["top"] - 1.5 <= y <= r["bottom"] + 1.5 and x0 < r["x1"] and x1 > r["x0"])
            ]
            rules.horizontal.append((r["top"], r["x0"], r["x1"]))


MAX_CELL_CHARS = 10  # a cell of a table set without rules: a figure, a label; never a text line
MAX_CELL_LINES = 4  # more lines between two rules is a ruled-off module, not a table cell


def _cell(line: Line, rules: Rules) -> tuple[float, float, float, float] | None:
    """The box of rules around a line: the nearest on each side that spans it."""
    mid = (line.top + line.bottom) / 2
    beside = [x for x, top, bottom in rules.vertical if top - 1 <= mid <= bottom + 1]
    left = [x for x in beside if x <= line.x0 + 0.5]
    right = [x for x in beside if x >= line.x1 - 0.5]
    across = [y for y, x0, x1 in rules.horizontal if x0 <= line.x1 and x1 >= line.x0]
    above = [y for y in across if y <= line.top + 0.5]
    below = [y for y in across if y >= line.bottom - 0.5]
    if not (left and right and above and below):
        return None
    return (round(max(left), 1), round(max(above), 1), round(min(right), 1), round(min(below), 1))


def _mark_table(lines: list[Line], rules: Rules, body: float) -> None:
    """Lines boxed in by rules, a few to a box, in a grid of such boxes, are table cells; a
    short line right above the grid is the table's title (表1 …), a caption."""
    found: dict[tuple[float, float, float, float], list[Line]] = {}
    for ln in lines:
        cell = _cell(ln, rules)
        if cell is not None:
            found.setdefault(cell, []).append(ln)
    cells = {c: group for c, group in found.items() if len(group) <= MAX_CELL_LINES}
    if len({c[0] for c in cells}) < 2 or len({c[1] for c in cells}) < 2:
        return  # one column or one row of boxes: framed text, not a table
    top, bottom = min(c[1] for c in cells), max(c[3] for c in cells)
    x0, x1 = min(c[0] for c in cells), max(c[2] for c in cells)
    boxed = {id(ln) for group in cells.values() for ln in group}
    for ln in lines:
        # Text beside the grid on its rows: a table ruled only in part, whose cells these
        # boxes do not all show; it is read as it reads without them.
        near = ln.x1 >= x0 - body * 2 and ln.x0 <= x1 + body * 2
        if id(ln) not in boxed and near and top < (ln.top + ln.bottom) / 2 < bottom:
            return
    for cell, group in cells.items():
        for ln in group:
            ln.cell = cell
    for ln in _beside(lines, x0, x1, body):
        if 0 <= top - ln.bottom <= body * 1.5 and not _sentence([ln]):
            ln.role = "caption"


def _beside(lines: list[Line], x0: float, x1: float, body: float) -> list[Line]:
    """Lines outside a table that lie within its width: where its title or source goes."""
    return [ln for ln in lines if ln.cell is None and ln.x0 >= x0 - body and ln.x1 <= x1 + body]


def _aligned(a: list[Line], b: list[Line], body: float) -> bool:
    """Rows of as many pieces, each under the other by its left or right edge."""
    return len(a) == len(b) and all(
        abs(p.x0 - q.x0) <= body or abs(p.x1 - q.x1) <= body for p, q in zip(a, b, strict=True)
    )


def _mark_unruled_table(lines: list[Line], body: float) -> None:
    """Rows of three or more short pieces on one baseline in one module, lined up under each
    other, no sentence in them, are a table set without rules: each piece a cell. Small type right
    under such a table (资料来源：…) is its caption."""
    rows = [
        r
        for r in baseline_rows([ln for ln in lines if ln.cell is None])
        if len(r) >= 3 and all(len(ln.text) <= MAX_CELL_CHARS for ln in r)
    ]
    runs: list[list[list[Line]]] = []
    for row in rows:
        last = runs[-1][-1] if runs else None
        gap = row[0].top - max(ln.bottom for ln in last) if last else 0.0
        if last is not None and 0 <= gap <= body and _aligned(last, row, body):
            runs[-1].append(row)
        else:
            runs.append([row])
    for run in (r for r in runs if len(r) >= 2 and not any(_sentence(row) for row in r)):
        for row in run:
            top, bottom = min(ln.top for ln in row), max(ln.bottom for ln in row)
            for ln in row:
                ln.cell = (round(ln.x0, 1), round(top, 1), round(ln.x1, 1), round(bottom, 1))
        end = max(ln.bottom for ln in run[-1])
        x0, x1 = min(ln.x0 for ln in run[0]), max(ln.x1 for ln in run[0])
        for ln in _beside(lines, x0, x1, body):
            if 0 <= ln.top - end <= body and ln.size < body - 0.5:
                ln.role = "caption"


def _chart_labels(page: Any, lines: list[Line], body: float) -> list[Line]:
    """Axis labels, ticks and legend of a chart drawn as paths: small type, no sentence,
    set around a plotted line (a path of many points). They label the drawing, not text."""
    plots = [
        c
        for c in page.curves
        if len(c.get("pts") or ()) >= 10
        and c["x1"] - c["x0"] >= 40
        and c["bottom"] - c["top"] >= 20
    ]
    margin = body * 2.5
    labels = []
    for ln in lines:
        if ln.size >= body - 0.5 or _sentence([ln]):
            continue
        if any(
            ln.x0 >= c["x0"] - margin
            and ln.x1 <= c["x1"] + margin
            and ln.top >= c["top"] - margin
            and ln.bottom <= c["bottom"] + margin
            for c in plots
        ):
            labels.append(ln)
    return labels


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


def _trim(page: Any) -> tuple[float, float]:
    """Top and bottom of the page as printed: its TrimBox where it has one, the whole page
    otherwise. A print-ready PDF sets crop marks and a slug line (…indd 1, the date) outside
    it, and its page number sits near the trim's foot, not the sheet's."""
    box = getattr(page, "trim", None)
    if box is None and hasattr(page, "page_obj"):
        raw = resolve1(page.page_obj.attrs.get("TrimBox"))
        if isinstance(raw, list) and len(raw) == 4 and not (page.rotation or 0) % 360:
            y0, y1 = sorted(float(resolve1(v)) for v in raw[1::2])
            box = (float(page.mediabox[3]) - y1, float(page.mediabox[3]) - y0)
    if box is None:
        return 0.0, float(page.height)
    top, bottom = max(0.0, box[0]), min(float(page.height), box[1])
    # A trim box that leaves most of the sheet out is no trim box.
    return (top, bottom) if bottom - top > page.height * 0.5 else (0.0, float(page.height))


def _furniture_limits(page: Any, lines: list[Line], seen: list[Rule]) -> tuple[float, float]:
    """Y limits of the content area: below the header rule and above the footer rule.

    `seen` are rules found in a scan's image, (y, x0, x1): a scan has no drawn ones.
    Lines outside the trim area are furniture: they are not on the printed page.
    """
    top, bottom = _trim(page)
    height = bottom - top
    printed = [ln for ln in lines if ln.bottom > top and ln.top < bottom]
    edges = [(e["top"], e["x0"], e["x1"]) for e in page.horizontal_edges] + seen
    # The edges of a page-size background are no header or footer rule.
    rules = [y for y, x0, x1 in edges if x1 - x0 > page.width * 0.6 and 2 < y < page.height - 2]
    top_rules = [y for y in rules if top <= y < top + height * 0.12]
    bottom_rules = [y for y in rules if top + height * 0.9 < y <= bottom]
    upper = (
        max(top_rules)
        if top_rules
        else _folio_head(printed, top, height) or _header_bottom(printed, top, height)
    )
    lower = min(bottom_rules) if bottom_rules else _footer_top(printed, top, height)
    return max(upper, top), min(lower, bottom)


def _first_row(lines: list[Line]) -> tuple[list[Line], list[Line]] | None:
    """The page's first row (lines beside its topmost), and the lines below it, top first."""
    ordered = sorted(lines, key=lambda ln: ln.top)
    first = [ln for ln in ordered if ordered and ln.top <= ordered[0].bottom]
    rest = [ln for ln in ordered if ln not in first]
    return (first, rest) if first and rest else None


def _header_bottom(lines: list[Line], top: float, height: float) -> float:
    """Without a header rule: where a running head set apart at the page top ends.

    It is the page's first line, in its top tenth, above a gap wider than any line spacing.
    """
    upper = top + height * 0.035
    row = _first_row(lines)
    if row is None:
        return upper
    first, rest = row
    bottom = max(ln.bottom for ln in first)
    if bottom >= top + height * 0.1:
        return upper
    gap, body = rest[0].top - bottom, body_size(lines)
    # A running head set smaller than the text (党委【2017】010号) needs less room above the
    # text than one in body type: more than the text's own line spacing.
    small = all(ln.size < body - 0.5 for ln in first) and not _sentence(first)
    if gap >= body * 1.5 or (small and gap > _leading(first + rest) * 1.5):
        return max(upper, bottom + 1)
    return upper


def _folio_head(lines: list[Line], top: float, height: float) -> float | None:
    """A book's running head: the page's first row, holding its page number beside the
    chapter's name (12 第一篇 商品和货币), no sentence, set apart from the text below.

    Books leave wide margins, so it may sit lower than a paper's head, in the top 15%.
    """
    row = _first_row(lines)
    if row is None:
        return None
    first, rest = row
    bottom = max(ln.bottom for ln in first)
    folio = any(re.fullmatch(r"\d{1,4}", normalize_text(ln.text)) for ln in first)
    if not folio or _sentence(first) or bottom >= top + height * 0.15:
        return None
    return bottom + 1 if rest[0].top - bottom >= body_size(lines) * 1.5 else None


def _in_margin(lines: list[Line], body: float) -> list[Line]:
    """Notes set in the side margin beside the text (a book's 14（I）, the original's page
    number): short lines, no sentence, left or right of every line of text on the page,
    in a strip a few characters wide (a sidebar of short lines is a column, not a margin)."""
    text = [ln for ln in lines if _sentence([ln])]
    if not text:
        return []
    left, right = min(ln.x0 for ln in text), max(ln.x1 for ln in text)
    found = []
    for side in (lambda ln: ln.x1 < left, lambda ln: ln.x0 > right):
        notes = [ln for ln in lines if side(ln)]
        short = all(len(normalize_text(ln.text)) <= 8 and not _sentence([ln]) for ln in notes)
        if notes and short and max(ln.x1 for ln in notes) - min(ln.x0 for ln in notes) <= body * 6:
            found += notes
    return found


def _sentence(lines: list[Line]) -> bool:
    return any(re.search(r"[。，；！？]", ln.text) for ln in lines)


def _leading(ordered: list[Line]) -> float:
    """The usual white space between one line and the next (their median gap)."""
    gaps = [b.top - a.bottom for a, b in pairwise(ordered) if b.top - a.bottom > 0]
    return sorted(gaps)[len(gaps) // 2] if gaps else 0.0


def _footer_top(lines: list[Line], top: float, height: float) -> float:
    """Without a footer rule: where a footer set apart at the page foot begins.

    A page number or footer line sits in the page's last 6%, below a gap wider than any
    line spacing of the text above it.
    """
    lower = top + height * 0.97
    if not lines:
        return lower
    ordered = sorted(lines, key=lambda ln: ln.top)
    body = body_size(lines)
    for above, below in pairwise(ordered):
        if below.top - above.bottom < body * 1.5:
            continue
        rest = [ln for ln in ordered if ln.top >= below.top]
        # A page number or a short footer may sit a little higher (in the last tenth).
        short = len(rest) <= 2 and not _sentence(rest) and sum(len(ln.text) for ln in rest) <= 12
        place = (below.top - top) / height
        if place > 0.94 or (short and place > 0.9):
            return min(lower, below.top - 1)
    return lower


def _block_text(ordered: list[Line]) -> str:
    """An ad's or notice's text: its lines in reading order, joined."""
    return normalize_text(join_lines([ln.text for ln in ordered]))


def _box_items(page: Any, content: list[Line], result: PdfPage) -> list[Line]:
    """Framed ads and notices into `result`; the lines left for articles."""
    for box in _boxes(page):
        inside = [ln for ln in content if _inside(ln, box)]
        if not inside:
            continue
        ordered = reading_order(inside)
        text = _block_text(ordered)
        kind = box_kind(normalize_text(ordered[0].text), text)
        if kind is not None:
            result.ads.append(PdfAd(text, tuple(round(v, 1) for v in box), kind))  # type: ignore[arg-type]
            content = [ln for ln in content if ln not in inside]
    return content


_MASTHEAD = (
    re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月"),  # a journal's issue has no day
    re.compile(r"第\s*\d+\s*卷|\bVol\W?\s*\d+"),
    re.compile(r"星期[一二三四五六日天]|周[一二三四五六日]"),
    re.compile(r"农历|[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥]年"),
    re.compile(r"第\s*\d+\s*期|总第\s*\d+"),
    re.compile(r"CN\s*\d{2}\s*-\s*\d{4}|统一连续出版物号|邮发代号"),
    re.compile(r"今日\s*\d+\s*版"),
)


def _is_masthead(lines: list[Line], height: float) -> bool:
    """A paper's masthead: at the page top, no sentence, and what mastheads print.

    The name, date, 农历, issue number and 刊号 are page furniture, whatever their size;
    a module with a sentence in it (。) is never a masthead.
    """
    text = " ".join(normalize_text(ln.text) for ln in lines)
    if min(ln.top for ln in lines) > height * 0.25 or "。" in text:
        return False
    return sum(bool(p.search(text)) for p in _MASTHEAD) >= 2


def _is_label(lines: list[Line]) -> bool:
    """A module of one short line and no sentence: a column's label (简讯, 图片新闻), a page
    number. A label is furniture, like the page name in the running head."""
    if len(lines) != 1:
        return False
    text = normalize_text(lines[0].text)
    return (
        len(text) <= 8 and not re.search(r"[。，；：！？]", text) and not CONTINUATION.match(text)
    )


def _module_items(module: list[Line], sizes: Sizes, result: PdfPage) -> None:
    """One module's articles (a briefs column gives one per brief), or furniture."""
    _mark_unruled_table(module, sizes.body)
    if _is_masthead(module, result.height) or _is_label(module):
        result.furniture += [normalize_text(ln.text) for ln in reading_order(module)]
        return
    body = [ln for ln in module if not sizes.is_display(ln) and ln.role != "caption"]
    label, items = brief_items(body, sizes)
    if not items:
        single = module_article(module, sizes)
        if is_notice_heading(single.headline):
            # Unframed, a notice is still one (分析师声明, 法律声明): the rule dedup applies.
            notice = _block_text(reading_order(module))
            result.ads.append(PdfAd(notice, tuple(round(v, 1) for v in single.bbox), "notice"))  # type: ignore[arg-type]
        else:
            result.articles.append(single)
        return
    # The column's own heading (简讯) labels it, like a page name: furniture.
    label += [ln for ln in module if ln not in body and ln.role != "caption"]
    result.furniture += [normalize_text(ln.text) for ln in reading_order(label)]
    captions = [ln for ln in module if ln.role == "caption"]
    for i, (title, text, whole) in enumerate(items):
        extra = captions if i == len(items) - 1 else []
        art = module_article(text + extra, sizes) if text + extra else None
        if art is None:
            art = PdfArticle("", None, None, None, [], bbox_of(whole))
        elif art.headline:  # a bold first line of its text is text, not a second title
            art.paragraphs.insert(0, art.headline)
        art.headline, art.bbox = normalize_text(title), bbox_of(whole + extra)
        result.articles.append(art)


def parse_page(page: Any, renderer: PageRenderer | None = None) -> PdfPage:
    """Segment one pdfplumber page into articles, ads and furniture (OCR needs a renderer)."""
    rules = Rules.of(page)
    source = text_source(page, rules.vertical, renderer)
    rules.horizontal += source.hrules
    rules.vertical += source.rules
    rules.gutters = text_gutters(source.chars)
    lines = page_lines(source.chars, rules.vertical, rules.gutters)
    result = PdfPage(
        page_number=page.page_number,
        width=float(page.width),
        height=float(page.height),
        text_layer=source.layer if lines else "none",
        ocr_lines=source.ocr_lines,
        dropped_lines=source.dropped_lines,
        notes=source.notes,
    )
    upper, lower = _furniture_limits(page, lines, source.hrules)
    result.furniture = [
        normalize_text(ln.text) for ln in lines if ln.bottom <= upper or ln.top >= lower
    ]
    content = [ln for ln in lines if ln.bottom > upper and ln.top < lower]
    size = body_size(content)
    aside = _chart_labels(page, content, size) + _in_margin(content, size)
    result.furniture += [normalize_text(ln.text) for ln in aside]
    content = [ln for ln in content if ln not in aside]
    content = _box_items(page, content, result)
    body = body_size(content)
    sizes = Sizes(body, body_face(content), prose_sizes(content, body))
    _mark_captions(page, content, sizes.body)
    _mark_bands(page, content, rules)
    _mark_table(content, rules, sizes.body)
    for module in split_modules(content, sizes, rules):
        _module_items(module, sizes, result)
    account(result, lines)
    return result


def _pdfminer_reason(exc: PdfminerException) -> str:
    """What pdfminer's wrapped error means for the reader of a problem list."""
    cause = exc.args[0] if exc.args else exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return f"encrypted PDF, cannot be read without its password ({type(cause).__name__})"
    return f"not a readable PDF ({type(cause).__name__}: {cause})"


def _pdfium_reason(exc: PdfiumError) -> str:
    """What pdfium's load error means, worded as for pdfminer's."""
    if "password" in str(exc).lower():
        return f"encrypted PDF, cannot be read without its password (PdfiumError: {exc})"
    return f"not a readable PDF (PdfiumError: {exc})"


@contextmanager
def _pages(data: bytes, engine: str) -> Iterator[Sequence[Any]]:
    """The document's pages, as pdfplumber pages or their pdfium look-alikes."""
    if engine == "pdfium":
        with open_pages(data) as pages:
            yield pages
    else:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            yield pdf.pages


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
    engine: str = "pdfplumber",
) -> list[PdfPage]:
    """Parse every page of a PDF; raise ParseError naming the source when it cannot be read.

    Garbled or missing text layers are read by OCR unless `ocr` is False; `convert` names
    a script conversion (parsers.text.CONVERSIONS) applied to all display text; `engine`
    (PDF_ENGINES) reads the pages.
    """
    if engine not in PDF_ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r} (known: {', '.join(PDF_ENGINES)})")
    if not data:
        raise ParseError(f"{source}: empty file")
    if len(data) > max_bytes:
        raise ParseError(f"{source}: {len(data):,} bytes, over the {max_bytes:,}-byte limit")
    check_decoded_size(data, source)  # before pdfminer inflates a bomb in one call
    renderer = PageRenderer(data) if ocr else None
    try:
        with _pages(data, engine) as found:
            if not found:
                raise ParseError(f"{source}: PDF has no pages")
            pages = [_timed_page(page, renderer, page_time_limit) for page in found]
    except ParseError:
        raise
    except PdfminerException as exc:
        raise ParseError(f"{source}: {_pdfminer_reason(exc)}") from exc
    except PdfiumError as exc:
        raise ParseError(f"{source}: {_pdfium_reason(exc)}") from exc
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
