#!/usr/bin/env python3
"""Corpus pages from a second, independent typesetter (scripts/typeset.py): tests/pdf_corpus/l_*.

make_pdf_corpus.py's pages all come from make_sample's layout engine, so a parser tuned on
them learns one paper's habits. These pages are set differently, one layout class each:
宋体 (AR PL UMing) body with 2-character indents, justified with kinsoku, 1.5–1.7× leading;
黑体 (WenQuanYi Zen Hei) headlines and subheads; 楷体 (AR PL UKai) bylines and captions;
Latin in Liberation Serif; rules only where the class has them. Every page is checked after
it is written: the PDF's characters must be exactly the truth's, each module's inside its
bbox (scripts/typeset.py verify). Deterministic (reportlab invariant=1). Needs the Debian
packages fonts-arphic-uming, fonts-arphic-ukai, fonts-wqy-zenhei, fonts-dejavu-core and
fonts-liberation; the pages are described in tests/pdf_corpus/README.md.

    .venv/bin/python scripts/make_layout_corpus.py
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_sample as ms  # the seed article's text and the ad's wording only
import pypdfium2
import typeset as ts
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "pdf_corpus"
PAGE_W, PAGE_H = 842.0, 1191.0  # A3
CREATOR = "baokan scripts/make_layout_corpus.py (reportlab, own typesetter)"


@dataclass
class Page:
    """One page being built: what is drawn and what the truth says about it."""

    sheet: ts.Sheet
    issue: str
    articles: list[dict[str, Any]] = field(default_factory=list)
    ads: list[dict[str, Any]] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # more truth keys (text_layer…)

    def truth(self, producer: str) -> dict[str, Any]:
        """The truth JSON of the page."""
        out: dict[str, Any] = {"producer": producer, "shuffled": False, "issue_date": self.issue}
        out |= {"articles": self.articles, "ads": self.ads, "furniture": self.furniture}
        if self.ignored:
            out["ignored"] = self.ignored
        return out | self.extra

    def put(self, pieces: list[ts.Piece]) -> None:
        """Draw pieces of text."""
        self.sheet.text(pieces)

    def furnish(self, item: str, style: ts.Style, x: float, baseline: float) -> float:
        """Draw one item of page furniture on one line; return the x after it."""
        self.put(line(item, style, x, baseline, "f"))
        self.furniture.append(item)
        return x + sum(style.measure(t) for t in ts.tokens(item))

    def furnish_right(
        self, items: tuple[tuple[str, ts.Style], ...], right: float, baseline: float, gap: float
    ) -> None:
        """Furniture items on one line, `gap` apart, the last one ending at `right`."""
        widths = [sum(st.measure(t) for t in ts.tokens(item)) for item, st in items]
        x = right - sum(widths) - gap * (len(items) - 1)
        for item, style in items:
            x = self.furnish(item, style, x, baseline) + gap


def article(
    headline: str,
    paragraphs: list[str],
    subheads: list[str],
    columns: int,
    bbox: tuple[float, float, float, float],
    **fields: Any,
) -> dict[str, Any]:
    """A truth article; kicker, subtitle, byline default to None, captions etc. to []."""
    out: dict[str, Any] = {"headline": headline, "kicker": None, "subtitle": None, "byline": None}
    out |= {"paragraphs": paragraphs, "subheads": subheads, "captions": [], "continuations": []}
    out |= {"columns": columns, "bbox": [round(v, 2) for v in bbox]}
    return out | fields


def line(
    text: str, style: ts.Style, x: float, baseline: float, owner: str, measure: float = 0.0
) -> list[ts.Piece]:
    """One unbroken line at (x, baseline), aligned in `measure` as the style says."""
    toks = [(tok, style) for tok in ts.tokens(text)]
    placed = ts.place_line(toks, style, x, measure or 1e6, last=True)
    return ts.pieces_of(placed, baseline, owner)


def marked(marker: str, text: str, style: ts.Style, owner: str) -> ts.Box:
    """A byline box: a marker in DejaVu Sans, a gap, then the name."""
    base = ts.first_baseline(style)
    pieces = line(marker, replace(style, font="Sans", latin=""), 0.0, base, owner)
    x = ts.width(marker, "Sans", style.size) + style.size * 0.5
    pieces += line(text, style, x, base, owner)
    return ts.Box(style.lead + style.after, pieces, keep=True, tag="byline")


def qr(sheet: ts.Sheet, seed: str, x: float, top: float, side: float) -> None:
    """A fake QR code: 25×25 cells from a hash, three finder squares, no frame."""
    n, cell = 25, side / 25
    bits = "".join(f"{b:08b}" for b in hashlib.sha256(seed.encode()).digest() * 3)
    for r in range(n):
        for c in range(n):
            if _qr_dark(r, c, n, bits):
                sheet.rect(x + c * cell, top + r * cell, cell, cell, 0.0, True)


def _qr_dark(r: int, c: int, n: int, bits: str) -> bool:
    """Whether cell (r, c) is dark: finder rings in three corners, hash bits elsewhere."""
    for r0, c0 in ((0, 0), (0, n - 7), (n - 7, 0)):
        if r0 <= r < r0 + 7 and c0 <= c < c0 + 7:
            return max(abs(r - r0 - 3), abs(c - c0 - 3)) != 2
    if r in (7, n - 8) or c in (7, n - 8):
        return False
    return bits[(r * n + c) % len(bits)] == "1"


# --- modules: display lines above columns of body -------------------------------


def snap(y: float, grid: tuple[float, float]) -> float:
    """`y` moved down to the next line of a baseline grid (unchanged without a grid)."""
    origin, pitch = grid
    if not pitch:
        return y
    return origin + math.ceil((y - origin) / pitch - 1e-6) * pitch


def col_width(width: float, count: int, gutter: float) -> float:
    """Width of one of `count` columns filling `width` with `gutter` between them."""
    return (width - gutter * (count - 1)) / count


def flow(
    paragraphs: list[str], subheads: set[int], body: ts.Style, sub: ts.Style, measure: float
) -> list[ts.Box]:
    """Body paragraphs and subheads (by index) set into boxes `measure` wide."""
    boxes = []
    for i, text in enumerate(paragraphs):
        style, tag = (sub, "subhead") if i in subheads else (body, "body")
        boxes += ts.paragraph(text, style, measure, "", tag)
    return boxes


@dataclass
class Module:
    """Where a module goes and how its columns are set."""

    x0: float
    top: float
    width: float
    columns: int
    gutter: float
    height: float = 0.0  # column height; 0 balances the columns
    rules: bool = False  # vertical rules in the gutters
    gap: float = 8.0  # between the display lines and the columns
    grid: tuple[float, float] = (0.0, 0.0)  # (origin, pitch): column tops snap to it

    def set(
        self, page: Page, head: list[ts.Box], body: list[ts.Box]
    ) -> tuple[float, list[list[ts.Box]]]:
        """Draw display lines across the module and body in columns; return the bottom."""
        pieces, y = ts.stack(head, self.x0, self.top)
        col_top = snap(y + self.gap if head else y, self.grid)
        col_w = col_width(self.width, self.columns, self.gutter)
        height = self.height or ts.balance(body, self.columns)
        columns = ts.fill(body, height)
        assert len(columns) <= self.columns, f"module at {self.x0},{self.top} overflows"
        pieces += ts.set_columns(columns, self.x0, col_top, col_w, self.gutter)
        page.put(pieces)
        bottom = col_top + max(ts.column_height(c) for c in columns)
        for c in range(1, self.columns if self.rules else 0):
            x = self.x0 + c * (col_w + self.gutter) - self.gutter / 2
            page.sheet.rule(x, col_top, x, bottom, 0.4)
        return bottom, columns


# --- l_seed4: the seed article, 4 ruled columns, a row below, the subscription ad ---

SEED_BODY = ts.Style("Song", 10.5, 16.8, latin="Serif", indent=2.0)
SEED_SUBHEAD = ts.Style(
    "Hei", 12.5, 16.5, align="left", before=8.0, after=3.5, keep=True, space=0.6, even=True
)
SEED_HEAD = ts.Style("Hei", 34.0, 42.0, align="center")
SEED_BYLINE = ts.Style("Kai", 10.5, 16.8, after=2.0)
SEED_COLS, SEED_COL_W, SEED_GUTTER = 4, 178.5, 12.0  # 17 characters of 10.5 pt
SEED_LEFT = (PAGE_W - SEED_COLS * SEED_COL_W - (SEED_COLS - 1) * SEED_GUTTER) / 2
SEED_RIGHT = PAGE_W - SEED_LEFT
ROW_HEAD = ts.Style("Hei", 22.0, 28.0, align="center", even=True)
ROW_KICKER = ts.Style("Kai", 13.0, 19.0, align="center")
ROW_SUBTITLE = ts.Style("Song", 13.0, 19.0, align="center", after=4.0)
ROW_BYLINE = ts.Style("Kai", 10.5, 16.8, keep=True)


def furniture_band(page: Page, section: str, label: str, editor: str) -> float:
    """Header: paper and date left, page and section right, a thick-thin rule; the footer."""
    left, right, base = SEED_LEFT, SEED_RIGHT, 38.0
    small, big = ts.Style("Song", 9.5, 12.0), ts.Style("Hei", 15.0, 18.0)
    x = left
    for text, style in (("高新样报", big), ("2025年12月29日", small), ("星期一", small)):
        x = page.furnish(text, style, x, base) + 12.0
    page.furnish_right(
        ((f"第{label}版", small), (section, big), (editor, small)), right, base, 12.0
    )
    page.sheet.rule(left, 46.0, right, 46.0, 1.8)
    page.sheet.rule(left, 49.0, right, 49.0, 0.4)
    page.furnish("高新样报社出版", small, left, PAGE_H - 24.0)
    page.furnish(label, big, right - 20.0, PAGE_H - 24.0)
    page.sheet.rule(left, PAGE_H - 40.0, right, PAGE_H - 40.0, 0.4)
    return 62.0


def subhead_spots(columns: list[list[ts.Box]]) -> list[tuple[int, int]]:
    """(column, line index) of the first line of every subhead."""
    spots = []
    for c, col in enumerate(columns):
        for i, box in enumerate(col):
            if box.tag == "subhead" and (i == 0 or col[i - 1].tag != "subhead"):
                spots.append((c, i))
    return spots


def seed_height(boxes: list[ts.Box]) -> float:
    """A column height putting subheads in every column, one at (or next to) a column top."""
    height = ts.balance(boxes, SEED_COLS)
    for _ in range(200):
        columns = ts.fill(boxes, height)
        spots = subhead_spots(columns)
        if (
            len(columns) == SEED_COLS
            and {c for c, _ in spots} == set(range(SEED_COLS))
            and any(c > 0 and i <= 2 for c, i in spots)
            and sum(1 for _, i in spots if i > 5) >= 5
        ):
            return height
        height += 1.0
    raise SystemExit("l_seed4: no column height puts subheads where the page needs them")


def seed_article(page: Page, top: float) -> float:
    """The 十大新闻 feature: centred headline, byline atop column 1, 4 ruled columns."""
    art = ms.SEED
    head = ts.paragraph(art.title, SEED_HEAD, SEED_RIGHT - SEED_LEFT, "", "headline")
    body = [marked("►", art.author, SEED_BYLINE, "")]
    body += flow(list(art.paragraphs), set(art.subheads), SEED_BODY, SEED_SUBHEAD, SEED_COL_W)
    mod = Module(SEED_LEFT, top, SEED_RIGHT - SEED_LEFT, SEED_COLS, SEED_GUTTER, rules=True)
    mod.height, mod.gap = seed_height(body), 12.0
    bottom, _ = mod.set(page, head, body)
    subheads = [p for i, p in enumerate(art.paragraphs) if i in art.subheads]
    bbox = (SEED_LEFT, top, SEED_RIGHT, bottom)
    page.articles.append(
        article(art.title, list(art.paragraphs), subheads, SEED_COLS, bbox, byline=art.author)
    )
    page.ignored.append("►")
    return bottom


def row_article(page: Page, art: ms.Article, x0: float, top: float, bottom: float) -> None:
    """A 2-column article of the row below the seed: kicker, headline, subtitle, byline."""
    width = 2 * SEED_COL_W + SEED_GUTTER
    head = ts.paragraph(art.kicker, ROW_KICKER, width, "", "kicker") if art.kicker else []
    head += ts.paragraph(art.title, ROW_HEAD, width, "", "headline")
    if art.subtitle:
        head += ts.paragraph(art.subtitle, ROW_SUBTITLE, width, "", "subtitle")
    body = ts.paragraph(art.author, ROW_BYLINE, SEED_COL_W, "", "byline")
    body += flow(list(art.paragraphs), set(), SEED_BODY, SEED_SUBHEAD, SEED_COL_W)
    end, _ = Module(x0, top, width, 2, SEED_GUTTER, gap=10.0).set(page, head, body)
    assert end <= bottom, f"{art.title} overflows its cell: {end} > {bottom}"
    page.articles.append(
        article(
            art.title,
            list(art.paragraphs),
            [],
            2,
            (x0, top, x0 + width, bottom),
            kicker=art.kicker,
            subtitle=art.subtitle,
            byline=art.author,
        )
    )


def seed_ad(page: Page, top: float) -> float:
    """The framed subscription ad: offer left, details middle, QR codes right, label last."""
    left, right, pad = SEED_LEFT, SEED_RIGHT, AD_PAD
    head, price = ts.Style("Hei", 22.0, 28.0), ts.Style("Song", 12.0, 16.0, latin="Serif")
    parts = line(ms.AD_HEADLINE, head, left + pad, top + pad + 20.0, "ad")
    parts += line(ms.AD_PRICE, price, left + pad, top + pad + 48.0, "ad")
    x, y = left + pad + 10 * 22.0 + 18.0, top + pad
    for size, bold, segments in ms.AD_LINES:
        style = ts.Style("Hei" if bold else "Song", size, size * 1.45, latin="Serif")
        y += style.lead
        seg_x = x
        for seg in segments:
            parts += line(seg, style, seg_x, y - style.lead * 0.3, "ad")
            seg_x += sum(style.measure(t) for t in ts.tokens(seg)) + 2 * size
        assert seg_x - 2 * size < right - pad - 140, segments
    side, cap = 52.0, ts.Style("Kai", 9.0, 12.0)
    qx = right - pad - 2 * side - 16.0
    for i, caption in enumerate(ms.AD_QR_CAPTIONS):
        qr(page.sheet, caption, qx + i * (side + 16.0), top + pad + 4.0, side)
        parts += line(caption, cap, qx + i * (side + 16.0), top + pad + side + 18.0, "ad", side)
    bottom = y + pad
    label = ts.Style("Song", 8.0, 10.0)
    parts += line(ms.AD_LABEL, label, right - pad / 2 - 16.0, bottom - 4.0, "ad")
    page.sheet.rect(left, top, right - left, bottom - top, 0.8, False)
    page.sheet.text(parts)
    text = ms.AD_HEADLINE + ms.AD_PRICE
    text += "".join("".join(segs) for _, _, segs in ms.AD_LINES)
    text += "".join(ms.AD_QR_CAPTIONS) + ms.AD_LABEL
    page.ads.append({"text": text, "bbox": [left, top, right, round(bottom, 2)], "kind": "ad"})
    return bottom


AD_PAD = 12.0


def seed_ad_height() -> float:
    """Height of the framed ad: its detail lines between the paddings."""
    return AD_PAD * 2 + sum(size * 1.45 for size, _, _ in ms.AD_LINES)


def seed4() -> Page:
    """The seed feature re-typeset over 4 ruled columns, a 2-article row, the ad at the foot."""
    page = Page(ts.Sheet(PAGE_W, PAGE_H), "2025-12-29")
    top = furniture_band(page, "要闻", "A1", "责任编辑：周岚")
    bottom = seed_article(page, top + 8.0)
    page.sheet.rule(SEED_LEFT, bottom + 9.0, SEED_RIGHT, bottom + 9.0, 0.6)
    ad_top = PAGE_H - 54.0 - seed_ad_height()
    x1 = SEED_LEFT + 2 * (SEED_COL_W + SEED_GUTTER)
    row_article(page, ms.SIGNING, SEED_LEFT, bottom + 20.0, ad_top - 14.0)
    row_article(page, ms.INCUBATORS, x1, bottom + 20.0, ad_top - 14.0)
    page.sheet.rule(x1 - SEED_GUTTER / 2, bottom + 20.0, x1 - SEED_GUTTER / 2, ad_top - 14.0, 0.4)
    ad_bottom = seed_ad(page, ad_top)
    assert abs(ad_bottom - PAGE_H + 54.0) < 0.01, ad_bottom
    return page


# --- l_classic_front: masthead, unruled columns on one baseline grid -----------

FRONT_COLS, FRONT_COL_W, FRONT_GUTTER = 5, 147.0, 10.5  # 14 characters; a 1-character gutter
FRONT_LEFT = (PAGE_W - FRONT_COLS * FRONT_COL_W - (FRONT_COLS - 1) * FRONT_GUTTER) / 2
FRONT_PITCH = 16.8
FRONT_BODY = ts.Style("Song", 10.5, FRONT_PITCH, latin="Serif", indent=2.0)
FRONT_BYLINE = ts.Style("Kai", 9.5, FRONT_PITCH, keep=True)
FRONT_KICKER = ts.Style("Kai", 15.0, 21.0, align="center")
FRONT_SUBTITLE = ts.Style("Song", 14.0, 20.0, align="center", latin="Serif", even=True)
FRONT_CAPTION = ts.Style("Kai", 9.0, 13.0, latin="Serif")
FRONT_ISSUE = "2025-12-29"
NOTICE_TITLE = "征稿启事"
NOTICE_TEXT = (
    "本报“江南新语”副刊常年征集散文、随笔和诗歌，稿件须为原创首发，一经刊用即付稿酬。"
    "来稿请注明真实姓名和联系方式，投稿邮箱：zhenggao@jiangnan.invalid"
)
NOTICE_SIGN = "江南日报社副刊部"
SHOP_AD = (
    ("Hei", 15.0, "江南数码城"),
    ("Hei", 12.0, "年终以旧换新"),
    ("Song", 9.5, "笔记本电脑、平板、手机以旧换新，最高补贴800元，另有分期免息。"),
    ("Song", 9.5, "地址：江南市明湖路88号"),
    ("Song", 9.5, "热线：0571-00000000"),
)


def front_x(col: int) -> float:
    """Left edge of page column `col`."""
    return FRONT_LEFT + col * (FRONT_COL_W + FRONT_GUTTER)


def span(cols: int) -> float:
    """Width of `cols` page columns."""
    return cols * FRONT_COL_W + (cols - 1) * FRONT_GUTTER


def masthead(page: Page) -> float:
    """Paper name in 80 pt 楷体, the letter-spaced English name, the issue details; no rule."""
    name = ts.Style("Kai", 80.0, 90.0)
    page.furnish("江南日报", name, FRONT_LEFT, 104.0)
    latin = ts.Style("SerifBold", 12.0, 14.0)
    pieces, _ = ts.spaced("JIANGNAN DAILY", latin, FRONT_LEFT + 4.0, 132.0, 10.6, "f")
    page.sheet.text(pieces)
    page.furniture.append("JIANGNAN DAILY")
    info = ts.Style("Song", 10.5, 17.0, latin="Serif")
    x, base = front_x(3), 62.0
    rows = (
        ("2025年12月29日", "星期一"),
        ("农历乙巳年冬月初十",),
        ("第12345期", "今日8版"),
        ("国内统一连续出版物号 CN 36-0001",),
    )
    for row in rows:
        xi = x
        for item in row:
            xi = page.furnish(item, replace(info, space=0.5), xi, base) + 2 * info.size
        base += info.lead
    return 152.0


def heading(art: ms.Article, cols: int, size: float, centre: bool) -> list[ts.Box]:
    """Kicker, headline and subtitle boxes across `cols` columns."""
    width, align = span(cols), "center" if centre else "left"
    kicker = replace(FRONT_KICKER, align=align, size=min(15.0, size * 0.55))
    subtitle = replace(FRONT_SUBTITLE, align=align, size=min(14.0, size * 0.55))
    head = ts.Style("Hei", size, size * 1.25, align=align, even=True, after=2.0)
    boxes = ts.paragraph(art.kicker, kicker, width, "", "kicker") if art.kicker else []
    boxes += ts.paragraph(art.title, head, width, "", "headline")
    if art.subtitle:
        boxes += ts.paragraph(art.subtitle, subtitle, width, "", "subtitle")
    return boxes


def news(
    page: Page, art: ms.Article, col: int, cols: int, top: float, size: float, centre: bool = False
) -> tuple[float, dict[str, Any]]:
    """A front-page story on the grid; returns its bottom and truth (bbox set by the caller)."""
    body = ts.paragraph(art.author, FRONT_BYLINE, FRONT_COL_W, "", "byline")
    body += flow(list(art.paragraphs), set(), FRONT_BODY, FRONT_BODY, FRONT_COL_W)
    grid = (FRONT_TOP, FRONT_PITCH)
    mod = Module(front_x(col), top, span(cols), cols, FRONT_GUTTER, gap=6.0, grid=grid)
    bottom, _ = mod.set(page, heading(art, cols, size, centre), body)
    truth = article(
        art.title,
        list(art.paragraphs),
        [],
        cols,
        (0, 0, 0, 0),
        kicker=art.kicker,
        subtitle=art.subtitle,
        byline=art.author,
    )
    return bottom, truth


FRONT_TOP = 160.0  # the grid's first line


def lead_story(page: Page) -> tuple[float, dict[str, Any]]:
    """The lead: centred kicker, 32 pt headline, subtitle, a photo with caption, 3 columns."""
    art, cols = ms.BATTERY, 3
    pieces, y = ts.stack(heading(art, cols, 30.0, True), FRONT_LEFT, FRONT_TOP)
    page.put(pieces)
    photo_h = 10 * FRONT_PITCH
    page.sheet.picture(FRONT_LEFT, y + 6.0, span(cols), photo_h, photo(7))
    caption = "固态电池中试线上，技术人员正在检查电芯的封装质量。本报记者 赵宁 摄"
    boxes = ts.paragraph(caption, FRONT_CAPTION, span(cols), "", "caption")
    pieces, y = ts.stack(boxes, FRONT_LEFT, y + photo_h + 10.0)
    page.put(pieces)
    body = ts.paragraph(art.author, FRONT_BYLINE, FRONT_COL_W, "", "byline")
    body += flow(list(art.paragraphs), set(), FRONT_BODY, FRONT_BODY, FRONT_COL_W)
    mod = Module(FRONT_LEFT, y, span(cols), cols, FRONT_GUTTER, gap=0.0)
    mod.grid = (FRONT_TOP, FRONT_PITCH)
    bottom, _ = mod.set(page, [], body)
    truth = article(art.title, list(art.paragraphs), [], cols, (0, 0, 0, 0), kicker=art.kicker)
    truth |= {"subtitle": art.subtitle, "byline": art.author, "captions": [caption]}
    return bottom, truth


def photo(seed: int) -> Image.Image:
    """A grey stand-in for a news photo: a soft gradient with a few darker blocks."""
    img = Image.linear_gradient("L").rotate(90).resize((120, 60)).point(lambda v: 90 + v // 2)
    shade = Image.new("L", (18, 14), 60 + seed * 5)
    for i in range(4):
        img.paste(shade, (10 + i * 27, 30 - (i * seed) % 12))
    return img


def framed(
    page: Page, x: float, top: float, w: float, lines: list[tuple[ts.Style, str]], kind: str
) -> float:
    """A framed notice or ad: each text set in the frame in turn; returns the frame's bottom."""
    pad, y, boxes = 8.0, top + 8.0, []
    for style, text in lines:
        boxes += ts.paragraph(text, style, w - 2 * pad, "", kind)
    pieces, y = ts.stack(boxes, x + pad, top + pad)
    page.put(pieces)
    bottom = y + pad
    page.sheet.rect(x, top, w, bottom - top, 0.8, False)
    text = "".join(t for _, t in lines)
    page.ads.append({"text": text, "bbox": [x, top, x + w, round(bottom, 2)], "kind": kind})
    return bottom


def notice(page: Page, x: float, top: float, w: float) -> float:
    """征稿启事 in a frame: centred title, indented text, signature right."""
    title = ts.Style("Hei", 13.0, 20.0, align="center")
    text = ts.Style("Song", 9.5, 15.0, latin="Serif", indent=2.0)
    sign = ts.Style("Song", 9.5, 15.0, align="right")
    return framed(
        page, x, top, w, [(title, NOTICE_TITLE), (text, NOTICE_TEXT), (sign, NOTICE_SIGN)], "notice"
    )


def shop_ad(page: Page, x: float, top: float, w: float) -> float:
    """A one-column boxed ad with its 广告 label bottom right."""
    lines = [
        (ts.Style(font, size, size * 1.5, latin="Serif", align="center"), text)
        for font, size, text in SHOP_AD
    ]
    lines.append((ts.Style("Song", 7.5, 10.0, align="right"), "广告"))
    return framed(page, x, top, w, lines, "ad")


def cut(art: ms.Article, paragraphs: int) -> ms.Article:
    """The article with only its first paragraphs."""
    return replace(art, paragraphs=art.paragraphs[:paragraphs])


def front_footer(page: Page) -> None:
    """A thin rule and the imprint line at the foot of the front page."""
    page.sheet.rule(FRONT_LEFT, PAGE_H - 42.0, PAGE_W - FRONT_LEFT, PAGE_H - 42.0, 0.5)
    style, x = ts.Style("Song", 8.5, 10.0, latin="Serif"), FRONT_LEFT
    for item in ("江南日报社出版", "地址：江南市明湖路1号", "邮编：310000", "定价：1.50元"):
        x = page.furnish(item, style, x, PAGE_H - 28.0) + 3 * style.size


Cell = tuple[dict[str, Any], float, float, float]  # truth, x0, x1, bottom of the text


def front_row(
    page: Page, top: float, stories: list[tuple[ms.Article, int, int, float]]
) -> list[Cell]:
    """Stories side by side from `top`: (article, first column, columns, headline size)."""
    cells = []
    for art, col, cols, size in stories:
        bottom, truth = news(page, art, col, cols, top, size)
        cells.append((truth, front_x(col), front_x(col) + span(cols), bottom))
    return cells


def place(page: Page, cells: list[Cell], top: float, bottom: float) -> None:
    """Give a row's stories their cell as bbox and add them to the truth."""
    for truth, x0, x1, _ in cells:
        truth["bbox"] = [round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2)]
        page.articles.append(truth)


def classic_front() -> Page:
    """A front page: masthead without a rule, 6 stories and 2 boxes in 5 unruled columns."""
    page = Page(ts.Sheet(PAGE_W, PAGE_H), FRONT_ISSUE)
    masthead(page)
    grid, half = (FRONT_TOP, FRONT_PITCH), FRONT_PITCH / 2
    bottom, truth = lead_story(page)
    (second,) = front_row(page, FRONT_TOP, [(ms.COMPUTE, 3, 2, 22.0)])
    notice_top = second[3] + FRONT_PITCH
    b3 = notice(page, front_x(3), notice_top, span(2))
    top = snap(max(bottom, b3) + FRONT_PITCH, grid)
    place(page, [(truth, front_x(0), front_x(0) + span(3), 0.0)], FRONT_TOP, top - half)
    place(page, [second], FRONT_TOP, notice_top - half)
    row = front_row(page, top, [(ms.PILOT, 0, 2, 20.0), (cut(ms.TALENT, 3), 2, 2, 20.0)])
    b4 = shop_ad(page, front_x(4), top, span(1))
    below = snap(max([c[3] for c in row] + [b4]) + FRONT_PITCH, grid)
    place(page, row, top, below - half)
    row = front_row(
        page, below, [(cut(ms.LOW_ALTITUDE, 2), 0, 3, 24.0), (cut(ms.LABS, 2), 3, 2, 20.0)]
    )
    end = max(c[3] for c in row)
    assert end < PAGE_H - 50.0, f"l_classic_front overflows: {end}"
    place(page, row, below, end)
    front_footer(page)
    page.sheet.row_major()
    return page


# --- l_continuation: 转版 page, modules without display-size lines --------------

CONT_COLS, CONT_COL_W, CONT_GUTTER = 6, 115.5, 10.5  # 11 characters of 10.5 pt
CONT_LEFT = (PAGE_W - CONT_COLS * CONT_COL_W - (CONT_COLS - 1) * CONT_GUTTER) / 2
CONT_BODY = ts.Style("Song", 10.5, 17.0, latin="Serif", indent=2.0)
CONT_NOTE = ts.Style("Song", 10.5, 17.0, latin="Serif", align="left")
CONT_TOP = 66.0
QUANTUM_REST = [
    ms.QUANTUM.paragraphs[1][ms.QUANTUM.paragraphs[1].index("精度可比") :],
    *ms.QUANTUM.paragraphs[2:],
]
BUSINESS_REST = [
    ms.BUSINESS.paragraphs[2][ms.BUSINESS.paragraphs[2].index("2025年，") :],
    *ms.BUSINESS.paragraphs[3:],
]
CHAIN_REST = [
    ms.CHAIN.paragraphs[1][ms.CHAIN.paragraphs[1].index("在此基础上") :],
    *ms.CHAIN.paragraphs[2:],
]
REPRINT_REST = [
    ms.REPRINT.paragraphs[2][ms.REPRINT.paragraphs[2].index("进入中心后") :],
    *ms.REPRINT.paragraphs[3:],
]
PHOTO_TITLE = "无人驾驶观光车开进科技城"
PHOTO_CAPTION = (
    "12月27日，市民在东岚科技城体验无人驾驶观光车。观光车沿园区主干道运行，全程约4公里，"
    "设6个停靠站点。本报记者 吴迪 摄"
)
LOST_TITLE = "遗失声明"
LOST_ITEMS = (
    "江南明湖精密机械有限公司遗失营业执照副本一份，统一社会信用代码：91330100MA00000001，声明作废。",
    "王某某遗失江南市明湖区不动产权证书一本，证号：江南市不动产权第0000001号，声明作废。",
    "江南青禾餐饮管理有限公司遗失公章一枚，声明作废。",
)
LOST_PHONE = "登报热线：0571-00000002"
BRIEFS = (
    (
        "明湖园区举办创新创业大赛",
        "12月26日，第五届明湖园区创新创业大赛总决赛落幕。来自人工智能、生物医药等领域的32个"
        "项目同台竞技，最终评出一等奖3名，获奖项目将获得最高30万元的落地资助和一年免租场地。",
    ),
    (
        "青禾高新区开通人才服务专线",
        "近日，青禾高新区人才服务专线正式开通，为园区企业和人才提供政策咨询、子女入学、医疗"
        "保障等“一号通办”服务，工作日9时至18时有专人接听。",
    ),
    (
        "银溪科技馆推出冬季科普周",
        "即日起至1月5日，银溪科技馆推出冬季科普周活动，每天安排机器人编程、天文观测等6场"
        "体验课，中小学生凭学生证免费入场。",
    ),
    (
        "东岚增开公交专线",
        "为方便园区职工通勤，东岚科技城12月28日起新开通两条公交线路，连接地铁站与主要产业"
        "园区，早晚高峰发车间隔缩短至8分钟。",
    ),
)
ESSAY_TITLE, ESSAY_BYLINE = "冬日里的一碗热汤", "文/柳岸晴"
ESSAY = (
    "入冬以后，母亲总爱在灶上煨一锅汤。萝卜切成滚刀块，排骨先焯过水，再用小火慢慢地炖，"
    "满屋子都是白蒙蒙的热气。放学回家的路上，隔着半条巷子就能闻到那股香味，脚步也不由得"
    "快了起来。",
    "那时候家里并不宽裕，一锅汤往往要喝上两三天。第一天喝的是肉香，第二天添一把粉丝，第三天"
    "下一碗面条，母亲总有办法让寻常的食材变出新的花样。她说，日子是过出来的，汤也是熬出来的，"
    "急不得。",
    "后来我离家求学、工作，吃过许多馆子，却总觉得少了点什么。前些天回老家，母亲照旧在灶上"
    "煨着汤，头发却已经白了大半。我坐在灶台边看她添柴，火光一明一暗，忽然明白，那碗汤里"
    "熬着的，是一个家最朴素的温度。",
)
LETTER = (
    "编辑同志：",
    "我是银溪高新区一家科技企业的职工，每天乘坐园区通勤班车上下班。最近一段时间，早高峰"
    "班车经常满员，不少职工只能站着，有时还要等下一班。希望有关部门能根据乘车人数适当增加"
    "班次，或者在高峰时段加开区间车，方便大家出行。",
    "此外，部分站点的候车亭还没有安装照明，冬季天黑得早，晚上候车很不方便，建议一并考虑。",
)
LETTER_SIGN = "读者 王某某"


def cont_x(col: int) -> float:
    """Left edge of page column `col`."""
    return CONT_LEFT + col * (CONT_COL_W + CONT_GUTTER)


def cont_span(cols: int) -> float:
    """Width of `cols` page columns."""
    return cols * CONT_COL_W + (cols - 1) * CONT_GUTTER


def cont_header(page: Page) -> None:
    """Running head: paper, date, page, section (14 pt, under 1.5× body), editor; rule."""
    small, big = ts.Style("Song", 9.0, 11.0, latin="Serif"), ts.Style("Hei", 14.0, 16.0)
    x = CONT_LEFT
    for item, style in (("第2版", big), ("综合新闻", big), ("责任编辑：陈晨", small)):
        x = page.furnish(item, style, x, 40.0) + 14.0
    right = PAGE_W - CONT_LEFT
    page.furnish_right(
        (("江南日报", small), ("2025年12月29日", small), ("星期一", small)), right, 40.0, 10.0
    )
    page.sheet.rule(CONT_LEFT, 48.0, right, 48.0, 0.8)


def continued(
    page: Page, paragraphs: list[str], col: int, cols: int, top: float
) -> tuple[float, dict[str, Any]]:
    """A continuation: the 上接 note on its own line, then body that opens mid-paragraph."""
    note = "（上接第1版）"
    body = ts.paragraph(note, CONT_NOTE, CONT_COL_W, "", "note")
    body += ts.paragraph(paragraphs[0], replace(CONT_BODY, indent=0.0), CONT_COL_W, "")
    for text in paragraphs[1:]:
        body += ts.paragraph(text, CONT_BODY, CONT_COL_W, "")
    bottom, _ = Module(cont_x(col), top, cont_span(cols), cols, CONT_GUTTER).set(page, [], body)
    truth = article("", paragraphs, [], cols, (0, 0, 0, 0), continuations=[note])
    return bottom, truth


def briefs(page: Page, col: int, top: float, bottom: float) -> None:
    """The 简讯 strip: a column head between rules, items with bold run-in titles."""
    x, w = cont_x(col), CONT_COL_W
    head = ts.Style("Hei", 12.0, 16.0, align="center")
    page.sheet.rule(x, top, x + w, top, 1.5)
    page.put(line("简讯", head, x, top + 17.0, "f", w))
    page.furniture.append("简讯")
    page.sheet.rule(x, top + 24.0, x + w, top + 24.0, 0.5)
    y = top + 32.0
    title = ts.Style("Hei", 10.5, 17.0)
    marker = ts.Style("Song", 10.5, 17.0)
    for name, text in BRIEFS:
        runs = [("■", marker), (" ", replace(title, space=0.5)), (name, title)]
        runs += [(" ", replace(CONT_BODY, space=1.0)), (text, CONT_BODY)]
        boxes = ts.rich(runs, replace(CONT_BODY, indent=0.0), w, "")
        pieces, end = ts.stack(boxes, x, y)
        page.put(pieces)
        bbox = (x, y, x + w, end)
        page.articles.append(article(name, [text], [], 1, bbox))
        page.ignored.append("■")
        y = end + 8.0
    assert y <= bottom, f"简讯 overflow: {y} > {bottom}"


def essay(page: Page, col: int, cols: int, top: float) -> tuple[float, dict[str, Any]]:
    """An essay: a 13 pt title (1.24× body), 楷体 byline 文/…, body in columns."""
    title = ts.Style("Hei", 13.0, 20.0, align="center")
    byline = ts.Style("Kai", 10.5, 17.0, align="center", after=4.0)
    head = ts.paragraph(ESSAY_TITLE, title, cont_span(cols), "", "headline")
    head += ts.paragraph(ESSAY_BYLINE, byline, cont_span(cols), "", "byline")
    body = flow(list(ESSAY), set(), CONT_BODY, CONT_BODY, CONT_COL_W)
    mod = Module(cont_x(col), top, cont_span(cols), cols, CONT_GUTTER, gap=4.0)
    bottom, _ = mod.set(page, head, body)
    truth = article(ESSAY_TITLE, list(ESSAY), [], cols, (0, 0, 0, 0), byline=ESSAY_BYLINE)
    return bottom, truth


def letter(page: Page, col: int, cols: int, top: float) -> tuple[float, dict[str, Any]]:
    """A reader's letter: bold title at body size, salutation, body, signature right."""
    title = ts.Style("Hei", 10.5, 17.0, align="left", after=4.0)
    body = ts.paragraph(LETTER[0], replace(CONT_BODY, indent=0.0), CONT_COL_W, "")
    body += flow(list(LETTER[1:]), set(), CONT_BODY, CONT_BODY, CONT_COL_W)
    body += ts.paragraph(LETTER_SIGN, replace(CONT_BODY, align="right"), CONT_COL_W, "", "sign")
    head = ts.paragraph("读者来信", title, cont_span(cols), "", "headline")
    mod = Module(cont_x(col), top, cont_span(cols), cols, CONT_GUTTER, gap=0.0)
    bottom, _ = mod.set(page, head, body)
    truth = article("读者来信", list(LETTER), [], cols, (0, 0, 0, 0), byline=LETTER_SIGN)
    return bottom, truth


def boxed(
    page: Page, truth: dict[str, Any], x0: float, top: float, x1: float, bottom: float
) -> None:
    """Set a module's bbox and add it to the truth."""
    truth["bbox"] = [round(v, 2) for v in (x0, top, x1, bottom)]
    page.articles.append(truth)


def lost_notices(page: Page, x: float, top: float, w: float) -> float:
    """A framed block of 遗失声明 (classified notices), kind notice."""
    title = ts.Style("Hei", 11.0, 17.0, align="center")
    text = ts.Style("Song", 9.0, 14.0, latin="Serif", indent=2.0, after=2.0)
    lines = [(title, LOST_TITLE), *((text, item) for item in LOST_ITEMS)]
    lines.append((ts.Style("Song", 9.0, 14.0, latin="Serif", align="right"), LOST_PHONE))
    return framed(page, x, top, w, lines, "notice")


def photo_news(page: Page, top: float) -> float:
    """图片新闻: a 13 pt title, a photo across the page, a caption; no body text."""
    x, w = cont_x(0), cont_span(CONT_COLS)
    title = ts.Style("Hei", 13.0, 20.0)
    pieces, y = ts.stack(ts.paragraph(PHOTO_TITLE, title, w, "", "headline"), x, top)
    page.put(pieces)
    page.sheet.picture(x, y + 2.0, w, 210.0, photo(3))
    caption = ts.Style("Kai", 9.5, 14.0, latin="Serif")
    pieces, bottom = ts.stack(ts.paragraph(PHOTO_CAPTION, caption, w, "", "caption"), x, y + 218.0)
    page.put(pieces)
    truth = article(PHOTO_TITLE, [], [], 1, (x, top, x + w, bottom), captions=[PHOTO_CAPTION])
    page.articles.append(truth)
    return bottom


def continuation_page() -> Page:
    """Page 2: three 上接 continuations, 简讯, an essay, a reader's letter, 遗失声明."""
    page = Page(ts.Sheet(PAGE_W, PAGE_H), FRONT_ISSUE)
    cont_header(page)
    strip = cont_x(5) - CONT_GUTTER / 2
    b1, t1 = continued(page, QUANTUM_REST, 0, 3, CONT_TOP)
    b2, t2 = letter(page, 3, 2, CONT_TOP)
    row = max(b1, b2)
    boxed(page, t1, cont_x(0), CONT_TOP, cont_x(3) - CONT_GUTTER, row)
    boxed(page, t2, cont_x(3), CONT_TOP, cont_x(5) - CONT_GUTTER, row)
    page.sheet.rule(cont_x(3) - CONT_GUTTER / 2, CONT_TOP, cont_x(3) - CONT_GUTTER / 2, row, 0.4)
    page.sheet.rule(cont_x(0), row + 8.0, strip - CONT_GUTTER / 2, row + 8.0, 0.5)
    top = row + 18.0
    b3, t3 = essay(page, 0, 3, top)
    b4, t4 = continued(page, BUSINESS_REST, 3, 2, top)
    row = max(b3, b4)
    boxed(page, t3, cont_x(0), top, cont_x(3) - CONT_GUTTER, row)
    boxed(page, t4, cont_x(3), top, cont_x(5) - CONT_GUTTER, row)
    page.sheet.rule(cont_x(3) - CONT_GUTTER / 2, top, cont_x(3) - CONT_GUTTER / 2, row, 0.4)
    page.sheet.rule(cont_x(0), row + 8.0, strip - CONT_GUTTER / 2, row + 8.0, 0.5)
    top = row + 18.0
    b5, t5 = continued(page, CHAIN_REST, 0, 3, top)
    b6 = lost_notices(page, cont_x(3), top, cont_span(2))
    row = max(b5, b6)
    boxed(page, t5, cont_x(0), top, cont_x(3) - CONT_GUTTER, row)
    page.sheet.rule(cont_x(0), row + 8.0, strip - CONT_GUTTER / 2, row + 8.0, 0.5)
    top = row + 18.0
    b7, t7 = continued(page, REPRINT_REST, 0, 5, top)
    boxed(page, t7, cont_x(0), top, cont_x(5) - CONT_GUTTER, b7)
    page.sheet.rule(strip, CONT_TOP, strip, b7, 0.4)
    briefs(page, 5, CONT_TOP, b7)
    page.sheet.rule(cont_x(0), b7 + 8.0, PAGE_W - CONT_LEFT, b7 + 8.0, 0.5)
    end = photo_news(page, b7 + 18.0)
    assert end < PAGE_H - 50.0, f"l_continuation overflows: {end}"
    page.furnish("2", ts.Style("Hei", 11.0, 13.0), PAGE_W / 2 - 3.0, PAGE_H - 26.0)
    return page


# --- l_paragraphs: hanging labels, letterhead, full-width paragraph ends, PUA bullets ---

PARA_COLS, PARA_COL_W, PARA_GUTTER = 6, 120.0, 9.0  # 12 characters of 10 pt; narrow gutters
PARA_LEFT = (PAGE_W - PARA_COLS * PARA_COL_W - (PARA_COLS - 1) * PARA_GUTTER) / 2
PARA_BODY = ts.Style("Song", 10.0, 16.5, indent=2.0)  # UMing's own half-width Latin
PARA_FLUSH = replace(PARA_BODY, indent=0.0)
PARA_TOP = 64.0
BULLET = ts.Style("Bullet", 8.0, 16.5)  # drawn ●, extracted as U+F06C (private use)
QA_KICKER, QA_TITLE, QA_BYLINE = "政策解读", "研发费用加计扣除怎么享", "本报记者 何静"
QA = (
    "问：研发费用加计扣除政策具体是指什么，哪些企业可以享受？",
    "答：研发费用加计扣除是指企业开展研发活动中实际发生的研发费用，在按规定据实扣除的基础上，"
    "再按照实际发生额的一定比例在税前加计扣除。除烟草制造业、住宿和餐饮业、批发和零售业等行业外，"
    "会计核算健全、能够准确归集研发费用的居民企业均可享受。",
    "问：科技型中小企业的加计扣除比例是多少，和其他企业有什么不同？",
    "答：企业开展研发活动中实际发生的研发费用，未形成无形资产计入当期损益的，在按规定据实扣除的"
    "基础上，按照实际发生额的100%在税前加计扣除；形成无形资产的，按照无形资产成本的200%在税前"
    "摊销。科技型中小企业同样适用这一比例，并且可以在预缴申报时就提前享受。",
    "问：企业需要准备哪些资料，是否需要到税务机关办理审批手续？",
    "答：享受政策不需要审批，实行“自行判别、申报享受、相关资料留存备查”的办理方式。企业应当按照"
    "规定设置研发支出辅助账，留存研发项目立项文件、研发人员名单、研发费用归集表等资料，以备税务"
    "机关核查。",
    "问：如果企业当年亏损，加计扣除的部分还能用吗？",
    "答：可以。加计扣除形成的亏损，可以按规定在以后年度结转弥补，高新技术企业和科技型中小企业的"
    "亏损结转年限最长为10年。园区税务服务窗口提供一对一辅导，企业可以预约上门服务。",
)
OFFICIAL_HEAD = "关于开展2026年度科技型中小企业评价工作的通知"
OFFICIAL_BODY = (
    "各园区企业：",
    "为做好2026年度科技型中小企业评价工作，引导企业加大研发投入，现将有关事项通知如下：",
)
OFFICIAL_ITEMS = (
    "评价对象：在园区注册的居民企业，职工总数不超过500人、年销售收入不超过2亿元、资产总额"
    "不超过2亿元。",
    "申报时间：2026年1月5日至3月31日，企业通过全国科技型中小企业信息服务平台在线填报。",
    "材料要求：企业对填报信息的真实性负责，相关证明材料由企业留存备查。",
    "咨询方式：园区科技创新局企业服务科，联系电话0571-00000003。",
)
OFFICIAL_END = ("特此通知。",)
OFFICIAL_SIGN = ("明湖高新区管委会", "2025年12月26日")
GUIDE_TITLE = "园区企业服务中心办事指南"
GUIDE_ITEMS = (
    "办公地址：明湖高新区创新大道1号市民中心二楼",
    "办理时间：周一至周五9:00—12:00，13:30—17:30",
    "可办事项：企业开办、项目备案、人才认定、政策兑现等86项",
    "预约方式：关注“明湖企业服务”公众号在线预约",
)
ZERO_TITLE, ZERO_BYLINE = "零碳园区建设按下快进键", "本报记者 钱程"
ZERO = (  # pure CJK, so widths are whole characters: paragraphs 1, 2 and 4 end full width
    "在明湖高新区东部，一片占地约三平方公里的产业园区正在悄然改变模样。厂房屋顶铺满了光伏板，"
    "道路两旁的路灯换成了风光互补路灯，园区里穿梭的通勤车也全部换成了新能源车辆。",
    "这里是明湖高新区建设的首个零碳示范园区。园区管委会相关负责人介绍，园区按照“源网荷储”一体化"
    "的思路，统筹布局分布式光伏、储能电站和智慧能源管理平台，力争用三年的时间实现园区运营碳排放"
    "净零。",
    "走进园区智慧能源管理中心，大屏幕上实时显示着每栋厂房的用电负荷和光伏发电量。工作人员告诉"
    "记者，平台可以根据电价和负荷情况自动调度储能设备，在用电低谷时充电、高峰时放电。",
    "一家电子元器件企业的负责人算了一笔账：厂房屋顶光伏每年可发电约一百二十万千瓦时，基本能满足"
    "企业白天的生产用电，一年下来就能节省电费近百万元。",
    "园区还建立了碳排放监测体系，对入驻企业的能耗和排放情况进行动态监测，并将监测结果与企业的"
    "用地、用能等要素配置挂钩，引导企业主动开展节能改造。",
    "下一步，园区将探索开展绿电交易和碳普惠试点，推动更多企业参与绿色低碳转型，为全区乃至全市的"
    "零碳园区建设积累可复制、可推广的经验。",
)


def para_x(col: int) -> float:
    """Left edge of page column `col`."""
    return PARA_LEFT + col * (PARA_COL_W + PARA_GUTTER)


def para_span(cols: int) -> float:
    """Width of `cols` page columns."""
    return cols * PARA_COL_W + (cols - 1) * PARA_GUTTER


def marked_ends(boxes: list[ts.Box], measure: float) -> list[ts.Box]:
    """Tag a paragraph's first line `first` and its last `last` or `full` (ends full width)."""
    boxes[0].tag = "first"
    end = max(p.x + ts.width(p.text, p.font, p.size) for p in boxes[-1].pieces)
    boxes[-1].tag = "full" if end >= measure - 0.5 else "last"
    if len(boxes) == 1:
        boxes[0].tag = "first"
    return boxes


def qa_boxes() -> list[ts.Box]:
    """Questions hang (label 问： at the edge, turn lines indented 2), answers indent 2."""
    question = replace(PARA_BODY, indent=0.0, hang=2.0)
    boxes = ts.paragraph(QA_BYLINE, ts.Style("Kai", 10.0, 16.5, keep=True), PARA_COL_W, "")
    for text in QA:
        style = question if text.startswith("问") else PARA_BODY
        boxes += marked_ends(ts.paragraph(text, style, PARA_COL_W, ""), PARA_COL_W)
        if text.startswith("问"):
            boxes[-len(ts.break_runs([(text, style)], style, PARA_COL_W))].tag = "question"
    return boxes


def pick_height(
    boxes: list[ts.Box], cols: int, good: Callable[[list[list[ts.Box]]], bool]
) -> float:
    """The least column height from the balanced one up whose columns satisfy `good`."""
    height = ts.balance(boxes, cols)
    for _ in range(400):
        columns = ts.fill(boxes, height)
        if len(columns) <= cols and good(columns):
            return height
        height += 0.5
    raise SystemExit("l_paragraphs: no column height gives the breaks the page needs")


def question_on_top(columns: list[list[ts.Box]]) -> bool:
    """A column after the first opens with a hanging question."""
    return any(col[0].tag == "question" for col in columns[1:])


def breaks_both_ways(columns: list[list[ts.Box]]) -> bool:
    """One column ends with a full-width paragraph end, another mid-paragraph mid-sentence."""
    ends = [col[-1].tag for col in columns[:-1]]
    mid = [
        col[-1].tag not in ("last", "full")
        and nxt[0].tag != "first"
        and col[-1].pieces[-1].text[-1] not in "。！？；"
        for col, nxt in itertools.pairwise(columns)
    ]
    return "full" in ends and any(mid)


def qa_article(page: Page, top: float) -> tuple[float, dict[str, Any]]:
    """The Q&A: kicker, headline left, 4 columns; one column opens with a hanging 问."""
    width = para_span(4)
    head = ts.paragraph(QA_KICKER, ts.Style("Kai", 13.0, 18.0), width, "", "kicker")
    head += ts.paragraph(QA_TITLE, ts.Style("Hei", 24.0, 30.0, after=2.0), width, "", "headline")
    body = qa_boxes()
    mod = Module(para_x(0), top, width, 4, PARA_GUTTER, gap=6.0)
    mod.height = pick_height(body, 4, question_on_top)
    bottom, _ = mod.set(page, head, body)
    truth = article(QA_TITLE, list(QA), [], 4, (0, 0, 0, 0), kicker=QA_KICKER, byline=QA_BYLINE)
    return bottom, truth


def bullet_item(text: str, measure: float = PARA_COL_W) -> list[ts.Box]:
    """A list item: a private-use bullet, then text whose turn lines align with it (hanging)."""
    gap = ts.Style("Song", 10.0, 16.5, space=0.5)
    hang = (ts.width("●", "Bullet", BULLET.size) + 5.0) / PARA_BODY.size
    runs = [("●", BULLET), (" ", gap), (text, PARA_BODY)]
    return ts.rich(runs, replace(PARA_FLUSH, hang=hang), measure, "")


def notice_article(page: Page, top: float) -> tuple[float, dict[str, Any]]:
    """An official notice: letterhead salutation flush left, a bulleted list, signature right."""
    width = para_span(2)
    head = ts.paragraph(
        OFFICIAL_HEAD, ts.Style("Hei", 15.0, 20.0, align="left", even=True), width, "", "headline"
    )
    body = ts.paragraph(OFFICIAL_BODY[0], PARA_FLUSH, PARA_COL_W, "")
    body += ts.paragraph(OFFICIAL_BODY[1], PARA_BODY, PARA_COL_W, "")
    for item in OFFICIAL_ITEMS:
        body += bullet_item(item)
        page.ignored.append("\uf06c")
    body += ts.paragraph(OFFICIAL_END[0], PARA_BODY, PARA_COL_W, "")
    for sign in OFFICIAL_SIGN:
        body += ts.paragraph(sign, replace(PARA_BODY, align="right", indent=0.0), PARA_COL_W, "")
    bottom, _ = Module(para_x(4), top, width, 2, PARA_GUTTER, gap=8.0).set(page, head, body)
    paragraphs = [*OFFICIAL_BODY, *OFFICIAL_ITEMS, *OFFICIAL_END, *OFFICIAL_SIGN]
    return bottom, article(OFFICIAL_HEAD, paragraphs, [], 2, (0, 0, 0, 0))


def zero_article(page: Page, top: float, cols: int) -> tuple[float, dict[str, Any]]:
    """Paragraphs ending full width; one column ends on one, another mid-sentence."""
    width = para_span(cols)
    head = ts.paragraph(ZERO_TITLE, ts.Style("Hei", 22.0, 28.0), width, "", "headline")
    body = ts.paragraph(ZERO_BYLINE, ts.Style("Kai", 10.0, 16.5, keep=True), PARA_COL_W, "")
    for text in ZERO:
        body += marked_ends(ts.paragraph(text, PARA_BODY, PARA_COL_W, ""), PARA_COL_W)
    assert [b.tag for b in body].count("full") == 3, "ZERO: three paragraphs must end full"
    mod = Module(para_x(0), top, width, cols, PARA_GUTTER, gap=6.0)
    mod.height = pick_height(body, cols, breaks_both_ways)
    bottom, _ = mod.set(page, head, body)
    return bottom, article(ZERO_TITLE, list(ZERO), [], cols, (0, 0, 0, 0), byline=ZERO_BYLINE)


def byline_boxes(text: str, style: ts.Style, measure: float) -> list[ts.Box]:
    """A byline too long for the column breaks at its word spaces, never inside a name."""
    lines, cur = [], ""
    for word in text.split(" "):
        wide = sum(style.measure(t) for t in ts.tokens(f"{cur} {word}".strip()))
        if cur and wide > measure:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}".strip()
    lines.append(cur)
    left = replace(style, align="left")
    return [box for ln in lines for box in ts.paragraph(ln, left, measure, "", "byline")]


def para_story(
    page: Page, art: ms.Article, col: int, top: float, cols: int = 2
) -> tuple[float, dict[str, Any]]:
    """A plain story in `cols` columns: 17 pt headline, 楷体 byline, indented paragraphs."""
    width, style = para_span(cols), ts.Style("Hei", 17.0, 22.0, even=True, align="left")
    head = ts.paragraph(art.title, style, width, "")
    body = byline_boxes(art.author, ts.Style("Kai", 10.0, 16.5, keep=True), PARA_COL_W)
    body += flow(list(art.paragraphs), set(), PARA_BODY, PARA_BODY, PARA_COL_W)
    mod = Module(para_x(col), top, width, cols, PARA_GUTTER, gap=6.0)
    bottom, _ = mod.set(page, head, body)
    truth = article(art.title, list(art.paragraphs), [], cols, (0, 0, 0, 0), byline=art.author)
    return bottom, truth


def para_header(page: Page) -> None:
    """Running head: page and section left, paper and date right, a rule; folio below."""
    small, big = ts.Style("Song", 9.0, 11.0, latin="Serif"), ts.Style("Hei", 13.0, 15.0)
    x = PARA_LEFT
    for item, style in (("6", big), ("科技服务", big), ("责任编辑：何静", small)):
        x = page.furnish(item, style, x, 40.0) + 12.0
    right = PAGE_W - PARA_LEFT
    page.furnish_right(
        (("江南日报", small), ("2025年12月29日", small), ("星期一", small)), right, 40.0, 10.0
    )
    page.sheet.rule(PARA_LEFT, 47.0, right, 47.0, 1.2)


def service_guide(page: Page, x: float, top: float, w: float) -> float:
    """A framed 办事指南 (kind notice): title, then items with private-use bullets."""
    pad = 9.0
    boxes = ts.paragraph(GUIDE_TITLE, ts.Style("Hei", 12.0, 20.0, align="center"), w - 2 * pad, "")
    for item in GUIDE_ITEMS:
        boxes += bullet_item(item, w - 2 * pad)
        page.ignored.append("\uf06c")
    pieces, bottom = ts.stack(boxes, x + pad, top + pad)
    page.put(pieces)
    bottom += pad
    page.sheet.rect(x, top, w, bottom - top, 0.6, False)
    text = GUIDE_TITLE + "".join(GUIDE_ITEMS)
    page.ads.append({"text": text, "bbox": [x, top, x + w, round(bottom, 2)], "kind": "notice"})
    return bottom


def paragraphs_page() -> Page:
    """科技服务 page: Q&A with hanging questions, a notice with PUA bullets, full-width ends."""
    page = Page(ts.Sheet(PAGE_W, PAGE_H), FRONT_ISSUE)
    para_header(page)
    b1, t1 = qa_article(page, PARA_TOP)
    b2, t2 = notice_article(page, PARA_TOP)
    row = max(b1, b2)
    boxed(page, t1, para_x(0), PARA_TOP, para_x(4) - PARA_GUTTER, row)
    boxed(page, t2, para_x(4), PARA_TOP, PAGE_W - PARA_LEFT, row)
    page.sheet.rule(PARA_LEFT, row + 9.0, PAGE_W - PARA_LEFT, row + 9.0, 0.5)
    top = row + 20.0
    b3, t3 = zero_article(page, top, 3)
    b4 = service_guide(page, para_x(3) + 6.0, top + 4.0, para_span(3) - 6.0)
    b5, t5 = para_story(page, ms.ASSISTANTS, 3, b4 + 14.0, 3)
    row = max(b3, b5)
    boxed(page, t3, para_x(0), top, para_x(3) - PARA_GUTTER, row)
    boxed(page, t5, para_x(3), b4 + 14.0, PAGE_W - PARA_LEFT, row)
    page.sheet.rule(para_x(3) - PARA_GUTTER / 2, top, para_x(3) - PARA_GUTTER / 2, row, 0.4)
    page.sheet.rule(PARA_LEFT, row + 9.0, PAGE_W - PARA_LEFT, row + 9.0, 0.5)
    top = row + 20.0
    stories = [
        para_story(page, art, 2 * i, top) for i, art in enumerate((ms.SME, ms.TWIN, ms.LABS))
    ]
    end = max(b for b, _ in stories)
    assert end < PAGE_H - 50.0, f"l_paragraphs overflows: {end}"
    for i, (_, truth) in enumerate(stories):
        boxed(page, truth, para_x(2 * i), top, para_x(2 * i) + para_span(2), end)
    for i in (1, 2):
        page.sheet.rule(
            para_x(2 * i) - PARA_GUTTER / 2, top, para_x(2 * i) - PARA_GUTTER / 2, end, 0.4
        )
    return page


# --- l_fakebold: glyphs drawn several times over, letter-spaced lines -------------

FB_COLS, FB_COL_W, FB_GUTTER = 5, 140.0, 12.0  # 14 characters of 10 pt
FB_LEFT = (PAGE_W - FB_COLS * FB_COL_W - (FB_COLS - 1) * FB_GUTTER) / 2
FB_BODY = ts.Style("Song", 10.0, 17.0, latin="Serif", indent=2.0)
FB_BOLD = ((0.45, 0.0), (0.0, 0.45), (0.45, 0.45))  # each glyph drawn 4 times, 0.45 pt apart
FB_SUBHEAD = ts.Style(
    "Song",
    11.0,
    17.0,
    align="left",
    before=6.0,
    after=2.0,
    keep=True,
    space=0.8,
    fake_bold=((0.3, 0.0),),
)
FB_TOP = 64.0
FB_KICKER, FB_TITLE = "项目巡礼", "项目建设跑出加速度"
FB_SUBTITLE = "明湖高新区一季度新开工亿元以上项目同比增长三成"
FB_BYLINE = ("本报记者", "孙萌")
FB_PARAGRAPHS = (
    "春节刚过，明湖高新区的各个项目工地上已是一派繁忙景象。塔吊林立，机器轰鸣，工人们正抢抓"
    "晴好天气加紧施工。今年一季度，园区新开工亿元以上项目42个，同比增长三成，完成固定资产投资"
    "86亿元。",
    "一线推进 问题不过夜",
    "在总投资25亿元的智能终端产业园项目现场，项目负责人指着刚刚封顶的厂房告诉记者，从拿地到"
    "开工只用了28天。“园区为项目配备了专职服务员，审批事项全程代办，遇到问题当天就能协调解决。”",
    "为加快项目建设，明湖高新区实行重点项目“一线工作法”，园区领导班子成员每人牵头联系3至5个"
    "重点项目，每周深入工地现场办公，今年以来已协调解决用地、用电、用工等问题67个。",
    "要素跟着项目走",
    "项目建设离不开要素保障。园区统筹盘活低效用地1800亩，优先保障重大产业项目用地需求；联合"
    "金融机构设立项目建设专项贷款，已为23个项目发放贷款31亿元。",
    "针对部分企业反映的用工难题，园区人力资源服务中心开展“送岗进工地”活动，累计帮助项目单位"
    "招聘建筑工人和技术工人1200余名。",
    "园区相关负责人表示，下一步将继续坚持“项目为王”，开展重点项目攻坚行动，确保全年新开工"
    "项目150个以上，为高质量发展注入强劲动能。",
)
FB_SUBHEADS = {1, 4}
SIDE_TITLE, SIDE_BYLINE = "新材料产业园开工建设", ("通讯员", "陈晓")
SIDE_PARAGRAPHS = (
    "1月8日，东岚科技城新材料产业园项目开工建设。项目总投资18亿元，规划建设高性能纤维、特种"
    "涂料等生产线，建成后预计年产值可达30亿元。",
    "园区负责人介绍，产业园将引入上下游配套企业20余家，配套建设检验检测和中试服务平台，打造"
    "千亿级新材料产业集群。",
)


def fb_x(col: int) -> float:
    """Left edge of page column `col`."""
    return FB_LEFT + col * (FB_COL_W + FB_GUTTER)


def fb_span(cols: int) -> float:
    """Width of `cols` page columns."""
    return cols * FB_COL_W + (cols - 1) * FB_GUTTER


def spaced_box(text: str, style: ts.Style, track: float, tag: str) -> ts.Box:
    """One letter-spaced line as a box: glyphs drawn one by one, `track` points apart."""
    pieces, _ = ts.spaced(text, style, 0.0, ts.first_baseline(style), track, "")
    return ts.Box(style.lead + style.after, pieces, keep=True, tag=tag)


def spread_byline(title: str, name: str, style: ts.Style) -> ts.Box:
    """`本报记者 孙  萌`: a two-character name spread to three characters' width."""
    base = ts.first_baseline(style)
    pieces = line(title, style, 0.0, base, "")
    x = sum(style.measure(t) for t in ts.tokens(title)) + style.size
    pieces += ts.spaced(name, style, x, base, style.size, "")[0]
    return ts.Box(style.lead + style.after, pieces, keep=True, tag="byline")


def fb_header(page: Page) -> None:
    """Running head with the letter-spaced English name C H I N A   D A I L Y; a rule."""
    small, big = ts.Style("Song", 9.0, 11.0, latin="Serif"), ts.Style("Hei", 14.0, 16.0)
    x = page.furnish("华夏样报", big, FB_LEFT, 40.0) + 8.0
    latin = ts.Style("Serif", 9.0, 11.0)
    pieces, x = ts.spaced("CHINA DAILY", latin, x, 40.0, 4.5, "f")
    page.put(pieces)
    page.furniture.append("CHINA DAILY")
    x += 16.0
    for item in ("2025年12月29日", "星期一"):
        x = page.furnish(item, small, x, 40.0) + 10.0
    right = PAGE_W - FB_LEFT
    page.furnish_right(
        (("第5版", small), ("经济", big), ("责任编辑：林蔚", small)), right, 40.0, 10.0
    )
    page.sheet.rule(FB_LEFT, 47.0, right, 47.0, 0.6)
    page.sheet.rule(FB_LEFT, 49.0, right, 49.0, 0.6)


def fb_lead(page: Page) -> tuple[float, dict[str, Any]]:
    """The lead: spaced kicker, a fake-bold 宋体 headline, spread byline, fake-bold subheads."""
    width = fb_span(4)
    head = [spaced_box(FB_KICKER, ts.Style("Kai", 16.0, 22.0), 16.0, "kicker")]
    title = ts.Style("Song", 32.0, 40.0, fake_bold=FB_BOLD)
    pieces, _ = ts.spaced(FB_TITLE, title, 0.0, ts.first_baseline(title), 0.0, "")
    head.append(ts.Box(title.lead, pieces, tag="headline"))
    head += ts.paragraph(FB_SUBTITLE, ts.Style("Song", 14.0, 20.0, align="left"), width, "")
    body = [spread_byline(*FB_BYLINE, ts.Style("Kai", 10.5, 17.0, after=2.0))]
    body += flow(list(FB_PARAGRAPHS), FB_SUBHEADS, FB_BODY, FB_SUBHEAD, FB_COL_W)
    mod = Module(fb_x(0), FB_TOP, width, 4, FB_GUTTER, gap=8.0)
    bottom, _ = mod.set(page, head, body)
    truth = article(
        FB_TITLE,
        list(FB_PARAGRAPHS),
        [FB_PARAGRAPHS[i] for i in sorted(FB_SUBHEADS)],
        4,
        (0, 0, 0, 0),
        kicker=FB_KICKER,
        subtitle=FB_SUBTITLE,
        byline=" ".join(FB_BYLINE),
    )
    return bottom, truth


def fb_side(page: Page) -> tuple[float, dict[str, Any]]:
    """A one-column story: 黑体 headline, a spread two-character name in the byline."""
    head = ts.paragraph(
        SIDE_TITLE, ts.Style("Hei", 16.0, 21.0, align="left", even=True), FB_COL_W, ""
    )
    body = [spread_byline(*SIDE_BYLINE, ts.Style("Kai", 10.0, 17.0))]
    body += flow(list(SIDE_PARAGRAPHS), set(), FB_BODY, FB_BODY, FB_COL_W)
    bottom, _ = Module(fb_x(4), FB_TOP, FB_COL_W, 1, FB_GUTTER, gap=6.0).set(page, head, body)
    truth = article(SIDE_TITLE, list(SIDE_PARAGRAPHS), [], 1, (0, 0, 0, 0))
    truth["byline"] = " ".join(SIDE_BYLINE)
    return bottom, truth


def fb_story(
    page: Page, art: ms.Article, col: int, cols: int, top: float
) -> tuple[float, dict[str, Any]]:
    """A plain story, kicker and headline left, the byline on the first body line."""
    width = fb_span(cols)
    head = ts.paragraph(art.kicker, ts.Style("Kai", 12.0, 17.0), width, "") if art.kicker else []
    head += ts.paragraph(art.title, ts.Style("Hei", 20.0, 26.0, align="left", even=True), width, "")
    if art.subtitle:
        head += ts.paragraph(art.subtitle, ts.Style("Song", 12.0, 17.0, align="left"), width, "")
    body = ts.paragraph(art.author, ts.Style("Kai", 10.0, 17.0, keep=True), FB_COL_W, "")
    body += flow(list(art.paragraphs), set(), FB_BODY, FB_BODY, FB_COL_W)
    bottom, _ = Module(fb_x(col), top, width, cols, FB_GUTTER, gap=6.0).set(page, head, body)
    truth = article(art.title, list(art.paragraphs), [], cols, (0, 0, 0, 0), byline=art.author)
    return bottom, truth | {"kicker": art.kicker, "subtitle": art.subtitle}


def fakebold_page() -> Page:
    """经济 page: fake-bold headline and subheads, spaced kicker, bylines and English name."""
    page = Page(ts.Sheet(PAGE_W, PAGE_H), FRONT_ISSUE)
    fb_header(page)
    b1, t1 = fb_lead(page)
    b2, t2 = fb_side(page)
    row = max(b1, b2)
    boxed(page, t1, fb_x(0), FB_TOP, fb_x(4) - FB_GUTTER, row)
    boxed(page, t2, fb_x(4), FB_TOP, PAGE_W - FB_LEFT, row)
    page.sheet.rule(fb_x(4) - FB_GUTTER / 2, FB_TOP, fb_x(4) - FB_GUTTER / 2, row, 0.4)
    page.sheet.rule(FB_LEFT, row + 9.0, PAGE_W - FB_LEFT, row + 9.0, 0.5)
    top = row + 20.0
    stories = [fb_story(page, ms.NEW_YEAR, 0, 3, top), fb_story(page, ms.LOW_ALTITUDE, 3, 2, top)]
    end = max(b for b, _ in stories)
    boxed(page, stories[0][1], fb_x(0), top, fb_x(3) - FB_GUTTER, end)
    boxed(page, stories[1][1], fb_x(3), top, PAGE_W - FB_LEFT, end)
    page.sheet.rule(fb_x(3) - FB_GUTTER / 2, top, fb_x(3) - FB_GUTTER / 2, end, 0.4)
    page.sheet.rule(FB_LEFT, end + 9.0, PAGE_W - FB_LEFT, end + 9.0, 0.5)
    top = end + 20.0
    stories = [fb_story(page, ms.INCUBATORS, 0, 2, top), fb_story(page, ms.BUSINESS, 2, 3, top)]
    end = max(b for b, _ in stories)
    assert end < PAGE_H - 50.0, f"l_fakebold overflows: {end}"
    boxed(page, stories[0][1], fb_x(0), top, fb_x(2) - FB_GUTTER, end)
    boxed(page, stories[1][1], fb_x(2), top, PAGE_W - FB_LEFT, end)
    page.sheet.rule(fb_x(2) - FB_GUTTER / 2, top, fb_x(2) - FB_GUTTER / 2, end, 0.4)
    page.furnish("5", ts.Style("Hei", 11.0, 13.0), PAGE_W - FB_LEFT - 8.0, PAGE_H - 28.0)
    return page


# --- l_ocr_columns: a scan of a 5-column page with narrow, unruled gutters -------

SCAN_COLS, SCAN_COL_W, SCAN_GUTTER = 5, 147.0, 8.0  # 14 characters of 10.5 pt
SCAN_LEFT = (PAGE_W - SCAN_COLS * SCAN_COL_W - (SCAN_COLS - 1) * SCAN_GUTTER) / 2
SCAN_BODY = ts.Style("Song", 10.5, 17.0, latin="Serif", indent=2.0)
SCAN_TOP = 62.0
SCAN_SCALE = 200 / 72  # scanned at 200 dpi, grey


def scan_x(col: int) -> float:
    """Left edge of page column `col`."""
    return SCAN_LEFT + col * (SCAN_COL_W + SCAN_GUTTER)


def scan_span(cols: int) -> float:
    """Width of `cols` page columns."""
    return cols * SCAN_COL_W + (cols - 1) * SCAN_GUTTER


def scan_story(
    page: Page, art: ms.Article, col: int, cols: int, top: float, size: float
) -> tuple[float, dict[str, Any]]:
    """A story: kicker, 黑体 headline and subtitle across its columns, 楷体 byline, body."""
    width = scan_span(cols)
    head = ts.paragraph(art.kicker, ts.Style("Kai", 13.0, 18.0), width, "") if art.kicker else []
    style = ts.Style("Hei", size, size * 1.3, align="left", even=True)
    head += ts.paragraph(art.title, style, width, "")
    if art.subtitle:
        sub = ts.Style("Song", 13.0, 18.0, latin="Serif", align="left", even=True, after=2.0)
        head += ts.paragraph(art.subtitle, sub, width, "")
    body = ts.paragraph(art.author, ts.Style("Kai", 10.5, 17.0, keep=True), SCAN_COL_W, "")
    body += flow(list(art.paragraphs), set(), SCAN_BODY, SCAN_BODY, SCAN_COL_W)
    bottom, _ = Module(scan_x(col), top, width, cols, SCAN_GUTTER, gap=6.0).set(page, head, body)
    truth = article(art.title, list(art.paragraphs), [], cols, (0, 0, 0, 0), byline=art.author)
    return bottom, truth | {"kicker": art.kicker, "subtitle": art.subtitle}


def scan_row(page: Page, top: float, stories: list[tuple[ms.Article, int, int, float]]) -> float:
    """Stories side by side from `top`, each given its cell down to the row's bottom."""
    done = [
        (scan_story(page, art, col, cols, top, size), col, cols) for art, col, cols, size in stories
    ]
    end = max(b for (b, _), _, _ in done)
    for (_, truth), col, cols in done:
        boxed(page, truth, scan_x(col), top, scan_x(col) + scan_span(cols), end)
    return end


def ocr_columns() -> Page:
    """A scanned 要闻 page: 5 columns, 8 pt gutters without rules, six stories."""
    page = Page(ts.Sheet(PAGE_W, PAGE_H), "2026-01-05", extra={"text_layer": "ocr"})
    small, big = ts.Style("Song", 9.5, 11.0, latin="Serif"), ts.Style("Hei", 14.0, 16.0)
    x = SCAN_LEFT
    for item, style in (("高新样报", big), ("2026年1月5日", small), ("星期一", small)):
        x = page.furnish(item, style, x, 40.0) + 12.0
    items = (("第A3版", small), ("创新", big), ("责任编辑：何静", small))
    page.furnish_right(items, PAGE_W - SCAN_LEFT, 40.0, 10.0)
    page.sheet.rule(SCAN_LEFT, 47.0, PAGE_W - SCAN_LEFT, 47.0, 1.0)
    end = scan_row(page, SCAN_TOP, [(ms.COMPUTE, 0, 3, 26.0), (ms.TALENT, 3, 2, 20.0)])
    end = scan_row(page, end + 20.0, [(ms.PILOT, 0, 2, 20.0), (ms.QUANTUM, 2, 3, 24.0)])
    end = scan_row(page, end + 20.0, [(ms.TWIN, 0, 2, 20.0), (cut(ms.CHAIN, 4), 2, 3, 22.0)])
    assert end < PAGE_H - 40.0, f"l_ocr_columns overflows: {end}"
    return page


def scanned(path: Path) -> None:
    """Replace a PDF by a grey 200 dpi scan of itself: one image, no text layer."""
    doc = pypdfium2.PdfDocument(path)
    image = doc[0].render(scale=SCAN_SCALE, grayscale=True).to_pil()
    doc.close()
    image = image.point(lambda v: 28 + v * 200 // 255)  # newsprint: grey paper, grey ink
    sheet = ts.Sheet(PAGE_W, PAGE_H)
    sheet.picture(0.0, 0.0, PAGE_W, PAGE_H, image)
    sheet.write(str(path), CREATOR + ", scanned")


# --- output ----------------------------------------------------------------------

# --- l_regulation: a rules document: chapters, tab-stop labels, lists, a ruled table --

REG_W, REG_H = 595.32, 841.92  # A4
REG_LEFT, REG_RIGHT = 56.0, 539.0
REG_BODY = ts.Style("Song", 12.0, 16.0, latin="Serif")
REG_CHAPTER = ts.Style("Hei", 14.0, 20.0)
REG_CELL = ts.Style("Song", 10.5, 14.0, latin="Serif")
REG_TITLE = ts.Style("Hei", 10.5, 14.0, latin="Serif", space=1.0)
REG_HEAD = ts.Style("Song", 10.0, 12.0, latin="Serif")
# (label, text, is a list item): 第N条 at the margin with its text at a tab stop and turn
# lines back at the margin; list items' labels indented, turn lines hung under the label.
REG_OPEN = (
    (
        "（三）",
        "按照园区年度计划组织开展企业走访，对走访中企业反映的用地、用工、融资等问题建立台账，逐项明确责任部门和办理时限。",
        True,
    ),
    ("第九条", "企业服务专员应当具备以下条件，由园区管委会统一选派并公布名单：", False),
    ("（一）", "熟悉园区产业政策和企业服务各项业务流程。", True),
    (
        "（二）",
        "具有三年以上经济管理或者企业服务工作经历，能够独立协调解决企业在生产经营中遇到的一般问题。",
        True,
    ),
    ("（三）", "作风扎实，廉洁自律。", True),
    (
        "第十条",
        "企业服务专员每季度向园区管委会报告一次工作情况，报告内容包括走访企业数量、收集问题数量、问题办结情况和企业满意度评价等，报告应当如实填写，不得虚报。",
        False,
    ),
)
REG_CH3 = ("第三章", "服务事项与办理时限")
REG_CH3_ITEMS = (
    (
        "第十一条",
        "园区管委会对企业申请办理的服务事项实行清单管理，清单之外的事项由企业服务专员协调相关部门办理，并在五个工作日内向企业反馈办理进度。",
        False,
    ),
    ("第十二条", "服务事项的名称、承办部门和办理时限见表2。", False),
)
REG_TABLE_TITLE = "表2 园区服务事项及办理时限"
REG_TABLE = (
    ("服务事项", "承办部门", "办理时限"),
    ("项目用地预审", "规划建设局", "10个工作日"),
    ("高新技术企业培育", "科技创新局", "常年受理"),
    ("人才公寓申请", "人才服务中心", "15个工作日"),
    ("企业用电增容", "经济发展局", "7个工作日"),
)
REG_CH4 = ("第四章", "附则")
REG_CH4_ITEMS = (
    (
        "第十三条",
        "本办法由园区管委会企业服务局负责解释，各分园区可以结合本园区实际制定实施细则，报园区管委会备案后施行。",
        False,
    ),
    ("第十四条", "本办法自发布之日起施行。", False),
)


def reg_item(page: Page, label: str, text: str, listed: bool, top: float) -> tuple[float, str]:
    """One 第N条 or list item: label, a tab, text; return the bottom and its truth text."""
    measure = REG_RIGHT - REG_LEFT
    indent, hang, at = (6.5, 3.5, 2.0) if listed else (5.0, 0.0, 0.0)
    style = replace(REG_BODY, indent=indent, hang=hang)
    pieces, bottom = ts.stack(ts.paragraph(text, style, measure, ""), REG_LEFT, top)
    page.put(pieces)
    page.put(line(label, REG_BODY, REG_LEFT + at * REG_BODY.size, pieces[0].baseline, ""))
    # The white after a label is a space in the text, except beside full-width punctuation
    # (（一）), where display normalization drops it (parsers.text.normalize_text).
    return bottom, f"{label}{text}" if label.endswith("）") else f"{label} {text}"


def reg_items(
    page: Page, items: tuple[tuple[str, str, bool], ...], top: float
) -> tuple[float, list[str]]:
    """Several items one below the other."""
    texts = []
    for label, text, listed in items:
        top, truth = reg_item(page, label, text, listed, top)
        texts.append(truth)
    return top, texts


def reg_chapter(page: Page, title: tuple[str, str], top: float) -> float:
    """A chapter title centred on the measure: number and name an em and a half apart."""
    number, name = title
    gap = REG_CHAPTER.size * 1.5
    widths = [sum(REG_CHAPTER.measure(t) for t in ts.tokens(w)) for w in title]
    x = (REG_LEFT + REG_RIGHT - sum(widths) - gap) / 2
    baseline = top + ts.first_baseline(REG_CHAPTER)
    page.put(line(number, REG_CHAPTER, x, baseline, ""))
    page.put(line(name, REG_CHAPTER, x + widths[0] + gap, baseline, ""))
    return top + REG_CHAPTER.lead


def reg_table(page: Page, top: float) -> tuple[float, list[str]]:
    """The table title, then a ruled grid read row by row, one cell text per paragraph."""
    cols, row_h = (130.0, 110.0, 110.0), 20.0
    x0 = (REG_LEFT + REG_RIGHT - sum(cols)) / 2
    title_w = sum(REG_TITLE.measure(t) for t in ts.tokens(REG_TABLE_TITLE))
    page.put(line(REG_TABLE_TITLE, REG_TITLE, (REG_LEFT + REG_RIGHT - title_w) / 2, top + 11.0, ""))
    grid = top + 17.0
    cells = []
    for r, row in enumerate(REG_TABLE):
        x = x0
        for w, text in zip(cols, row, strict=True):
            tw = sum(REG_CELL.measure(t) for t in ts.tokens(text))
            page.put(line(text, REG_CELL, x + (w - tw) / 2, grid + r * row_h + 14.0, ""))
            cells.append(text)
            x += w
    bottom = grid + len(REG_TABLE) * row_h
    for r in range(len(REG_TABLE) + 1):
        page.sheet.rule(x0, grid + r * row_h, x0 + sum(cols), grid + r * row_h, 0.5)
    for c in range(len(cols) + 1):
        x = x0 + sum(cols[:c])
        page.sheet.rule(x, grid, x, bottom, 0.5)
    return bottom, cells


def regulation_page() -> Page:
    """Page 7 of a park's rules: a chapter's end, two centred chapter titles, a ruled table."""
    page = Page(ts.Sheet(REG_W, REG_H), FRONT_ISSUE)
    page.furnish("明管发〔2026〕3号", REG_HEAD, REG_LEFT, 62.0)
    top = 78.0
    bottom, texts = reg_items(page, REG_OPEN, top)
    boxed(page, article("", texts, [], 1, (0, 0, 0, 0)), REG_LEFT, top, REG_RIGHT, bottom)
    top = bottom + 18.0
    y = reg_chapter(page, REG_CH3, top) + 8.0
    y, texts = reg_items(page, REG_CH3_ITEMS, y)
    y, cells = reg_table(page, y + 4.0)
    truth = article(" ".join(REG_CH3), texts + cells, [], 1, (0, 0, 0, 0))
    truth["captions"] = [REG_TABLE_TITLE]
    boxed(page, truth, REG_LEFT, top, REG_RIGHT, y + 1.0)
    top = y + 22.0
    y = reg_chapter(page, REG_CH4, top) + 8.0
    y, texts = reg_items(page, REG_CH4_ITEMS, y)
    boxed(page, article(" ".join(REG_CH4), texts, [], 1, (0, 0, 0, 0)), REG_LEFT, top, REG_RIGHT, y)
    assert y < REG_H * 0.85, f"l_regulation overflows: {y}"
    page.furnish("7", REG_HEAD, REG_LEFT, REG_H * 0.93)
    return page


# --- l_report: a sidebar of blocks labelled on tinted bands, a chart, a table without rules --

RPT_SIDE, RPT_SIDE_W, RPT_MAIN, RPT_RIGHT = 30.0, 160.0, 202.0, 560.0
RPT_BODY = ts.Style("Song", 10.0, 15.0, latin="Serif", indent=2.0)
RPT_SIDE_BODY = ts.Style("Song", 10.0, 14.0, latin="Serif", align="left")
RPT_LABEL = ts.Style("Song", 10.0, 14.0)
RPT_TICK = ts.Style("Serif", 7.0, 8.0)
RPT_SOURCE = ts.Style("Song", 7.5, 10.0)
RPT_TITLE = "明湖高新区四季度工业增加值增长9.2%"
RPT_PARAGRAPHS = (
    "园区统计局日前发布数据，四季度明湖高新区规模以上工业增加值同比增长9.2%，增速比三季度加快1.4个百分点，"
    "全年增长8.1%，高于全市平均水平2.6个百分点。",
    "分行业看，电子信息、生物医药和智能装备三大主导产业合计拉动园区工业增长6.8个百分点。其中，集成电路"
    "产业产值增长23.5%，创近三年新高；医疗器械产业受新产品上市带动，产值增长17.2%。",
    "重点项目加快释放产能。年内投产的12个亿元以上项目贡献新增产值46亿元，带动园区工业投资增长14.3%。"
    "园区相关负责人表示，一季度还将有8个重大项目建成投产，工业经济有望保持平稳较快增长。",
    "从企业看，园区规模以上工业企业达到486家，比上年末增加37家；营业收入超十亿元的企业达到19家。",
)
# A list of fields, one a line, set ragged: each its own paragraph.
RPT_RATING = (
    "投资评级",
    "增持（首次）",
    "所属行业：电子元器件",
    "当前价格（元）：28.60",
    "总市值（亿元）：86.5",
)
RPT_MARKET = "市场表现"
RPT_LEGEND = "园区指数 上证综指"
RPT_TICKS = ("30%", "20%", "10%", "0%", "-10%")
RPT_DATES = ("2025-01", "2025-05", "2025-09")
RPT_TABLE = (
    ("涨跌幅", "1M", "3M", "12M"),
    ("绝对", "3.21", "8.75", "21.40"),
    ("相对", "1.05", "4.32", "9.88"),
)
RPT_SOURCE_LINE = "资料来源：园区统计局"
# A name over one field: the name stops short and ends no sentence, so the field is its own.
RPT_ASSISTANT = ("研究助理", "林晓舟", "邮箱：linxz@mhresearch.invalid")
# Each title ends with its date, no sentence mark: only the numbers' sequence parts them.
RPT_RESEARCH = (
    "相关研究",
    "1.《明湖高新区2025年度经济运行报告》，2026.1.15",
    "2.《集成电路产业链跟踪：四季度产能利用率回升》，2025.12.8",
    "3.《园区电子元器件企业调研纪要》，2025.11.20",
)


def rpt_band(page: Page, label: str, top: float) -> float:
    """A label in body type on a grey band across the sidebar; return the band's bottom."""
    page.sheet.rect(RPT_SIDE, top, RPT_SIDE_W, 16.0, 0.0, True, 0.85)
    page.put(line(label, RPT_LABEL, RPT_SIDE + 4.0, top + 12.0, ""))
    return top + 16.0


def rpt_text(page: Page, texts: tuple[str, ...], top: float) -> float:
    """Sidebar paragraphs under a band."""
    for text in texts:
        pieces, top = ts.stack(ts.paragraph(text, RPT_SIDE_BODY, RPT_SIDE_W, ""), RPT_SIDE, top)
        page.put(pieces)
    return top


def rpt_chart(page: Page, top: float) -> float:
    """Legend, a plotted line through 30 points, tick labels left and dates below."""
    page.furnish(RPT_LEGEND, replace(RPT_TICK, font="Song", size=8.0), RPT_SIDE + 40.0, top + 8.0)
    x0, x1, y0, y1 = RPT_SIDE + 26.0, RPT_SIDE + RPT_SIDE_W - 4.0, top + 16.0, top + 76.0
    points = [
        (x0 + (x1 - x0) * i / 29, y0 + (y1 - y0) * (0.5 + 0.5 * math.sin(i * 0.7)))
        for i in range(30)
    ]
    points[3], points[25] = (points[3][0], y0), (points[25][0], y1)  # the line spans the axis
    page.sheet.polyline(points)
    for i, tick in enumerate(RPT_TICKS):
        y = y0 + (y1 - y0) * i / (len(RPT_TICKS) - 1) + 2.5
        w = sum(RPT_TICK.measure(t) for t in ts.tokens(tick))
        page.furnish(tick, RPT_TICK, x0 - 3.0 - w, y)
    for i, date in enumerate(RPT_DATES):
        page.furnish(date, replace(RPT_TICK, size=6.5), x0 + (x1 - x0 - 24.0) * i / 2, y1 + 10.0)
    return y1 + 14.0


def rpt_table(page: Page, top: float) -> tuple[float, list[str]]:
    """Three rows of four cells, no rules: label left, figures right-aligned; the source."""
    cells: list[str] = []
    rights = (RPT_SIDE + 80.0, RPT_SIDE + 120.0, RPT_SIDE + RPT_SIDE_W)
    for r, row in enumerate(RPT_TABLE):
        baseline = top + 11.0 + r * 13.0
        page.put(line(row[0], RPT_SIDE_BODY, RPT_SIDE, baseline, ""))
        for text, right in zip(row[1:], rights, strict=True):
            w = sum(RPT_SIDE_BODY.measure(t) for t in ts.tokens(text))
            page.put(line(text, RPT_SIDE_BODY, right - w, baseline, ""))
        cells += row
    bottom = top + 11.0 + len(RPT_TABLE) * 13.0
    page.put(line(RPT_SOURCE_LINE, RPT_SOURCE, RPT_SIDE, bottom, ""))
    return bottom + 3.0, cells


def report_page() -> Page:
    """A research note's cover: sidebar blocks on bands beside the main column."""
    page = Page(ts.Sheet(REG_W, REG_H), FRONT_ISSUE)
    page.furnish("园区经济观察｜季度报告", REG_HEAD, RPT_SIDE, 40.0)
    page.sheet.rule(RPT_SIDE, 46.0, RPT_RIGHT, 46.0, 0.8)
    top = 60.0
    y = rpt_band(page, RPT_RATING[0], top)
    y = rpt_text(page, RPT_RATING[1:], y + 2.0)
    boxed(
        page,
        article(RPT_RATING[0], list(RPT_RATING[1:]), [], 1, (0, 0, 0, 0)),
        RPT_SIDE,
        top,
        RPT_SIDE + RPT_SIDE_W,
        y,
    )
    top = y + 12.0
    y = rpt_chart(page, rpt_band(page, RPT_MARKET, top) + 2.0)
    y, cells = rpt_table(page, y)
    market = article(RPT_MARKET, cells, [], 1, (0, 0, 0, 0), captions=[RPT_SOURCE_LINE])
    market["bbox"] = None  # the chart's labels, furniture, lie inside the block
    page.articles.append(market)
    top = y + 12.0
    y = rpt_band(page, RPT_RESEARCH[0], top)
    y = rpt_text(page, RPT_RESEARCH[1:], y + 2.0)
    research = article(RPT_RESEARCH[0], list(RPT_RESEARCH[1:]), [], 1, (0, 0, 0, 0))
    boxed(page, research, RPT_SIDE, top, RPT_SIDE + RPT_SIDE_W, y)
    top = y + 12.0
    y = rpt_text(page, RPT_ASSISTANT[1:], rpt_band(page, RPT_ASSISTANT[0], top) + 2.0)
    assistant = article(RPT_ASSISTANT[0], list(RPT_ASSISTANT[1:]), [], 1, (0, 0, 0, 0))
    boxed(page, assistant, RPT_SIDE, top, RPT_SIDE + RPT_SIDE_W, y)
    width = RPT_RIGHT - RPT_MAIN
    head = ts.paragraph(
        RPT_TITLE, ts.Style("Hei", 18.0, 24.0, align="left", latin="Serif"), width, ""
    )
    body = flow(list(RPT_PARAGRAPHS), set(), RPT_BODY, RPT_BODY, width)
    bottom, _ = Module(RPT_MAIN, 60.0, width, 1, 0.0, gap=6.0).set(page, head, body)
    boxed(
        page,
        article(RPT_TITLE, list(RPT_PARAGRAPHS), [], 1, (0, 0, 0, 0)),
        RPT_MAIN,
        60.0,
        RPT_RIGHT,
        bottom,
    )
    page.sheet.rule(RPT_SIDE, REG_H - 50.0, RPT_RIGHT, REG_H - 50.0, 0.5)
    page.furnish("请阅读最后一页的重要声明", REG_HEAD, RPT_SIDE, REG_H - 38.0)
    return page


# --- l_journal: a periodical's masthead over a double rule, a font boxed off its baseline,
# an unframed notice ---

JNL_BODY = ts.Style("Song", 10.5, 16.0, latin="Serif", indent=2.0)
JNL_ABSTRACT = ts.Style("Song", 9.0, 14.0, latin="Serif")
JNL_SUBHEAD = ts.Style(
    "Hei", 10.5, 16.0, align="left", latin="Serif", before=4.0, keep=True, space=1.0
)
JNL_NOTICE_HEAD = ts.Style("Hei", 16.0, 22.0, align="left")
JNL_HEAD_CJK = ts.Style("Song", 10.0, 12.0, latin="SerifCAJ")
JNL_HEAD_LATIN = ts.Style("SerifCAJ", 10.0, 12.0)
JNL_NAME = ts.Style("Hei", 13.0, 14.0)
JNL_TITLE = "园区企业智能电能管理系统的设计与应用"
JNL_ABSTRACT_TEXT = (
    "【摘要】针对园区企业夏季用电需量超约、罚款偏高的问题，设计了一套与中央监控系统联动的电能管理"
    "系统。系统以供电部门电表为基准同步需量周期，按超约量分级控制空调等可调负载。在3家企业试用一年，"
    "需量超约次数下降82%，年节约电费共计41.6万元。"
)
JNL_KEYWORDS = "关键词：电能管理 需量控制 中央监控 园区企业"
JNL_SECTION = "1 引言"
JNL_SECTION_SET = "1\u3000引\u3000言"  # spread with ideographic spaces, as CAJ pages print it
JNL_PARAGRAPHS = (
    "园区企业的用电负荷随生产和气温变化明显，夏季午后空调负荷集中投入，需量常常超过契约容量。以明湖"
    "高新区为例，2025年有27家企业发生需量超约，平均超约幅度为12.4%，全年超约罚款合计186万元。",
    "多数企业已经建设了中央监控系统，但其需量统计周期与供电部门电表并不同步，监控系统显示未超约时，"
    "电表可能已经记录超约。本文在中央监控系统之外加装需量控制装置，先对准电表的需量周期，再按预测的"
    "超约量分级调控负载。",
    "本文第2节介绍系统结构，第3节给出需量预测与分级控制方法，第4节报告3家企业一年的试用结果。",
)
JNL_NOTICE = "本刊声明"
JNL_NOTICE_TEXT = (
    "本刊已许可中国学术期刊数据库以数字化方式复制、汇编、发行本刊全文。作者向本刊提交文章发表的行为"
    "即视为同意上述声明。"
)
JNL_FOOTNOTE = "收稿日期：2026-01-05；修回日期：2026-02-20"


def jnl_masthead(page: Page) -> float:
    """Volume and issue, the journal's name, Vol./No., then the date line, over a double rule.

    Its Latin and figures are set in SerifCAJ, whose font descriptor claims a descent of a
    hundred ems: pdfminer boxes those glyphs far below the page, as it does a CAJ
    converter's cajcd fonts.
    """
    name_w = sum(JNL_NAME.measure(t) for t in ts.tokens("明湖科技学报"))
    page.furnish("第12卷 第3期", JNL_HEAD_CJK, REG_LEFT, 80.0)
    page.furnish("明湖科技学报", JNL_NAME, (REG_LEFT + REG_RIGHT - name_w) / 2, 80.0)
    page.furnish_right((("Vol.12 No.3", JNL_HEAD_LATIN),), REG_RIGHT, 80.0, 0.0)
    english = "Journal of Minghu Science and Technology"
    eng_w = sum(JNL_HEAD_LATIN.measure(t) for t in ts.tokens(english))
    page.furnish("2026年3月", JNL_HEAD_CJK, REG_LEFT, 96.0)
    page.furnish(english, JNL_HEAD_LATIN, (REG_LEFT + REG_RIGHT - eng_w) / 2, 96.0)
    page.furnish_right((("Mar. 2026", JNL_HEAD_LATIN),), REG_RIGHT, 96.0, 0.0)
    page.sheet.rule(REG_LEFT, 106.0, REG_RIGHT, 106.0, 0.6)
    page.sheet.rule(REG_LEFT, 108.5, REG_RIGHT, 108.5, 0.6)
    return 108.5


def journal_page() -> Page:
    """A journal article's first page: masthead, centred title, abstract, text, a notice."""
    page = Page(ts.Sheet(REG_W, REG_H), FRONT_ISSUE)
    top = jnl_masthead(page) + 24.0
    width = REG_RIGHT - REG_LEFT
    head = ts.paragraph(JNL_TITLE, ts.Style("Hei", 20.0, 28.0, align="center"), width, "")
    inset = 24.0
    abstract = ts.paragraph(JNL_ABSTRACT_TEXT, JNL_ABSTRACT, width - 2 * inset, "")
    abstract += ts.paragraph(JNL_KEYWORDS, replace(JNL_ABSTRACT, after=10.0), width - 2 * inset, "")
    pieces, y = ts.stack(head, REG_LEFT, top)
    page.put(pieces)
    pieces, y = ts.stack(abstract, REG_LEFT + inset, y + 14.0)
    page.put(pieces)
    body = flow([JNL_SECTION_SET, *JNL_PARAGRAPHS], {0}, JNL_BODY, JNL_SUBHEAD, width)
    pieces, y = ts.stack(body, REG_LEFT, y)
    page.put(pieces)
    paragraphs = [JNL_ABSTRACT_TEXT, JNL_KEYWORDS, JNL_SECTION, *JNL_PARAGRAPHS]
    boxed(
        page,
        article(JNL_TITLE, paragraphs, [JNL_SECTION], 1, (0, 0, 0, 0)),
        REG_LEFT,
        top,
        REG_RIGHT,
        y,
    )
    top = y + 24.0
    notice = [*ts.paragraph(JNL_NOTICE, JNL_NOTICE_HEAD, width, "")]
    notice += ts.paragraph(JNL_NOTICE_TEXT, replace(JNL_BODY, size=9.0, lead=14.0), width, "")
    pieces, y = ts.stack(notice, REG_LEFT, top)
    page.put(pieces)
    text = JNL_NOTICE + JNL_NOTICE_TEXT
    page.ads.append({"kind": "notice", "text": text, "bbox": [REG_LEFT, top, REG_RIGHT, y]})
    assert y < REG_H * 0.8, f"l_journal overflows: {y}"
    page.sheet.rule(REG_LEFT, REG_H * 0.935, REG_LEFT + 120.0, REG_H * 0.935, 0.5)
    page.furnish(JNL_FOOTNOTE, ts.Style("Song", 8.0, 10.0, latin="Serif"), REG_LEFT, REG_H * 0.955)
    page.furnish("33", REG_HEAD, (REG_LEFT + REG_RIGHT) / 2 - 5.0, REG_H * 0.975)
    return page


# --- l_casebook: a title set like the text, marked subheads, hung list items ---

CB_LEFT, CB_RIGHT = 84.0, 528.0
CB_BODY = ts.Style("Kai", 13.0, 24.0, latin="Serif", align="left")
CB_TITLE = "【案例三】明湖职业学院：中央监控系统联动需量控制降低园区用电成本之应用例"
CB_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "▇背景",
        (
            "学院建校时已建置中央监控系统，夏季需量超约最高达21％，全年平均需量760kW，契约容量800kW"
            "本属合理。",
            "监控系统统计的需量与供电部门电表相比误差达10.8％，可以判定两者的需量周期并不同步。",
        ),
    ),
    (
        "▇改善做法",
        (
            "加装需量控制装置，与供电部门电表对准同步后开始收集用电资料。",
            "分析负载变化，尖峰时段的需量周期次数在5％以内，适合调控。",
            "需量控制指令经RS485接入中央监控系统，超约时按超约量依次关停事先选定的空调负载。",
        ),
    ),
)
CB_RESULT = (
    "▇效益：",
    "调控负载85kW，每年减少超约罚款18万元，设备费用55万元，三年内收回投资（学院仍在扩建，"
    "控制装置按扩建后的需量配置，费用因而偏高）。",
)


def cb_item(page: Page, number: int, text: str, top: float) -> tuple[float, str]:
    """A numbered item: （1） an em in, its turn lines hung under its text; bottom, truth."""
    label = f"（{number}）"
    style = replace(
        CB_BODY,
        indent=1.0,
        hang=1.0 + sum(CB_BODY.measure(t) for t in ts.tokens(label)) / CB_BODY.size,
    )
    pieces, bottom = ts.stack(
        ts.paragraph(label + text, style, CB_RIGHT - CB_LEFT, ""), CB_LEFT, top
    )
    page.put(pieces)
    return bottom + 8.0, label + text


def casebook_page() -> Page:
    """A case book's page: the title in the text's own type, ▇ subheads, hung items."""
    page = Page(ts.Sheet(REG_W, REG_H), FRONT_ISSUE)
    label_w = sum(CB_BODY.measure(t) for t in ts.tokens("【案例三】")) / CB_BODY.size
    title = ts.paragraph(CB_TITLE, replace(CB_BODY, hang=label_w), CB_RIGHT - CB_LEFT, "")
    pieces, y = ts.stack(title, CB_LEFT, 60.0)
    page.put(pieces)
    paragraphs, subheads = [], []
    for head, items in CB_SECTIONS:
        pieces, y = ts.stack(ts.paragraph(head, CB_BODY, CB_RIGHT - CB_LEFT, ""), CB_LEFT, y + 10.0)
        page.put(pieces)
        paragraphs.append(head)
        subheads.append(head)
        y += 8.0
        for n, text in enumerate(items, 1):
            y, truth = cb_item(page, n, text, y)
            paragraphs.append(truth)
    label, text = CB_RESULT
    hang = 4.0
    style = replace(CB_BODY, hang=hang)
    pieces, y = ts.stack(
        ts.paragraph(label + text, style, CB_RIGHT - CB_LEFT, ""), CB_LEFT, y + 10.0
    )
    page.put(pieces)
    paragraphs.append(label + text)
    boxed(
        page, article(CB_TITLE, paragraphs, subheads, 1, (0, 0, 0, 0)), CB_LEFT, 60.0, CB_RIGHT, y
    )
    page.furnish("77", REG_HEAD, (REG_LEFT + REG_RIGHT) / 2 - 5.0, REG_H * 0.96)
    return page


# --- l_printready: a press PDF, crop marks and a slug outside its TrimBox ---

PR_BLEED = 36.85  # the sheet is the A4 trim plus this much on every side
PR_W, PR_H = REG_W + 2 * PR_BLEED, REG_H + 2 * PR_BLEED
PR_LEFT, PR_RIGHT = PR_BLEED + 50.0, PR_BLEED + REG_W - 50.0
PR_BODY = ts.Style("Song", 10.5, 17.0, latin="Serif", indent=2.0)
PR_TITLE = "明湖高新区首批“智慧工厂”通过验收"
PR_PARAGRAPHS = (
    "日前，明湖高新区首批12家“智慧工厂”通过专家组验收。这批工厂平均生产效率提高27%，产品不良率"
    "下降31%，单位产值能耗下降16%。",
    "验收专家组由高校、科研院所和行业协会的15名专家组成，逐家查看了生产线，调阅了设备联网、数据"
    "采集和质量追溯记录。专家组认为，这批工厂在设备联网率、数据贯通和柔性生产方面达到了省内先进水平。",
    "园区经济发展局负责人介绍，园区将对通过验收的工厂给予每家最高200万元的奖励，并组织现场观摩，"
    "推动更多企业开展数字化改造。今年园区计划新增智慧工厂20家、数字化车间50个。",
    "据了解，园区自2024年启动智慧工厂培育计划以来，已累计投入专项资金1.8亿元，带动企业技术改造"
    "投资46亿元。",
)
PR_SLUG = ("明湖日报0305-05版.indd 5", "2026/3/4 22:15:08")


def crop_marks(page: Page) -> None:
    """Two short rules at each corner of the trim, outside it."""
    b, w, h = PR_BLEED, PR_W, PR_H
    for x, y in ((b, b), (w - b, b), (b, h - b), (w - b, h - b)):
        outward = -1.0 if x < w / 2 else 1.0
        page.sheet.rule(x + outward * 8.0, y, x + outward * 30.0, y, 0.3)
        downward = -1.0 if y < h / 2 else 1.0
        page.sheet.rule(x, y + downward * 8.0, x, y + downward * 30.0, 0.3)


def printready_page() -> Page:
    """Page 5 of a paper as sent to press: running head, a two-column story, the page
    number near the trim's foot over a short rule; crop marks and the slug outside."""
    sheet = ts.Sheet(PR_W, PR_H, trim=(PR_BLEED, PR_BLEED, PR_W - PR_BLEED, PR_H - PR_BLEED))
    page = Page(sheet, FRONT_ISSUE)
    crop_marks(page)
    head = PR_BLEED + 48.0
    page.furnish("2026年3月5日 星期四", REG_HEAD, PR_LEFT, head)
    page.furnish_right((("园区新闻", REG_HEAD),), PR_RIGHT, head, 0.0)
    page.sheet.rule(PR_LEFT, head + 6.0, PR_RIGHT, head + 6.0, 0.6)
    top, width = head + 30.0, PR_RIGHT - PR_LEFT
    title = ts.paragraph(PR_TITLE, ts.Style("Hei", 24.0, 32.0, align="center"), width, "")
    body = flow(list(PR_PARAGRAPHS), set(), PR_BODY, PR_BODY, col_width(width, 2, 14.0))
    bottom, _ = Module(PR_LEFT, top, width, 2, 14.0).set(page, title, body)
    boxed(
        page,
        article(PR_TITLE, list(PR_PARAGRAPHS), [], 2, (0, 0, 0, 0)),
        PR_LEFT,
        top,
        PR_RIGHT,
        bottom,
    )
    number_at = PR_BLEED + REG_H * 0.93
    page.furnish("5", REG_HEAD, PR_W / 2 - 2.5, number_at)
    page.sheet.rule(PR_W / 2 - 20.0, number_at + 7.0, PR_W / 2 + 20.0, number_at + 7.0, 0.5)
    slug = ts.Style("Song", 6.0, 7.0, latin="Serif")
    page.furnish(PR_SLUG[0], slug, PR_BLEED + 10.0, PR_H - PR_BLEED + 16.0)
    page.furnish_right(((PR_SLUG[1], slug),), PR_W - PR_BLEED - 10.0, PR_H - PR_BLEED + 16.0, 0.0)
    return page


# --- l_booknotes: a book page, its main text over longer footnotes in smaller type ---

BN_LEFT, BN_RIGHT = 78.0, 498.0
BN_TEXT = ts.Style("Song", 12.0, 24.0, latin="Serif", indent=2.0)
BN_NOTE = ts.Style("Song", 9.0, 15.0, latin="Serif", indent=2.0)
BN_HEAD = ("36", "第二章　园区的产业与政策")
BN_MARGIN = "18（Ⅱ）"
BN_PARAGRAPHS = (
    "重的事情。①园区对企业的扶持之所以各不相同，部分是由于企业所处的产业阶段不同，部分是由于"
    "各地财政的承受能力不同。",
    "产业政策的作用在于降低企业进入新领域的成本。②但这种作用不是无条件的。它取决于园区的要素"
    "禀赋，离开了人才、土地和资金的支撑就无从谈起。因此，同一项补贴在不同的园区，效果往往相差"
    "数倍。③政策效果只有在企业的投资和生产中才能得到检验。",
    "财政投入首先表现为量的关系，表现为不同产业之间资金分配的比例④，即随着时间和地点的不同而"
    "不断调整的关系。因此，园区的政策好像是一种任意的、纯粹地方性的东西；而产业固有的、",
)
BN_NOTES = (
    "[1]“园区的优势在于它把分散的要素集中在一处，使企业在同一片土地上找到供应商、客户和工人。”"
    "（明湖市发展研究中心《园区经济十年》2024年版第37页）集中本身只有在形成分工以后才成为优势。",
    "[2]“补贴的价值在于它改变了企业的预期，而不在于它的金额。”见《产业政策评论》2023年第4期。"
    "在二十世纪八十年代，各地还常常把减免税收和直接补贴混为一谈；这两种工具的效果其实相差很远，"
    "前者作用于利润，后者作用于现金流。",
    "[3]在园区的统计中，“投产”和“达产”是两个不同的概念。——按照统计制度的规定，达产是指项目"
    "产值达到设计产能的百分之八十以上。",
    "[4]“财政资金的分配就是一种产业和另一种产业、一定量的这种投入和一定量的别种投入之间的比较"
    "关系。”（《明湖市财政年鉴》2025年版第112页）",
)


BN_MARKS: dict[str, str | int | None] = {
    "①": "[1]",
    "②": "[2]",
    "③": "[3]",
    "④": "[4]",
}  # set full size, then raised
BN_SUP = 6.5  # points: the note numbers' size over 12-pt text


def raised(pieces: list[ts.Piece]) -> list[ts.Piece]:
    """Each placeholder mark (①) as its note number set small and raised ([1]): a
    superscript over the line's baseline, in the room the full-size mark kept for it."""
    out: list[ts.Piece] = []
    for piece in pieces:
        x, rest = piece.x, piece.text
        while any(m in rest for m in BN_MARKS):
            at = min(rest.index(m) for m in BN_MARKS if m in rest)
            head, mark, rest = rest[:at], rest[at], rest[at + 1 :]
            if head:
                out.append(replace(piece, text=head, x=x))
                x += ts.width(head, piece.font, piece.size)
            lift = piece.baseline - piece.size * 0.45
            out.append(
                replace(
                    piece, text=str(BN_MARKS[mark]), x=x, baseline=lift, font="Serif", size=BN_SUP
                )
            )
            x += ts.width(mark, piece.font, piece.size)
        if rest:
            out.append(replace(piece, text=rest, x=x))
    return out


def booknotes_page() -> Page:
    """A book's page: running head with the page number, main text in 12 pt over four
    footnotes in 9 pt that hold more characters than it, a margin note beside the text."""
    page = Page(ts.Sheet(REG_W, REG_H), FRONT_ISSUE)
    head = REG_H * 0.105  # a book's wide top margin: lower than a paper's running head
    page.furnish(BN_HEAD[0], REG_HEAD, BN_LEFT + 14.0, head)
    page.furnish(BN_HEAD[1], REG_HEAD, BN_LEFT + 150.0, head)
    width = BN_RIGHT - BN_LEFT
    text = [b for p in BN_PARAGRAPHS for b in ts.paragraph(p, BN_TEXT, width, "")]
    pieces, y = ts.stack(text, BN_LEFT, head + 22.0)
    page.put(raised(pieces))
    boxed(
        page,
        article("", [p.translate(str.maketrans(BN_MARKS)) for p in BN_PARAGRAPHS], [], 1, (0,) * 4),
        BN_LEFT,
        head + 10.0,
        BN_RIGHT,
        y,
    )
    page.furnish(BN_MARGIN, REG_HEAD, BN_LEFT - 44.0, head + 110.0)
    top = y + 18.0
    notes = [b for p in BN_NOTES for b in ts.paragraph(p, BN_NOTE, width, "")]
    pieces, y = ts.stack(notes, BN_LEFT, top)
    page.put(pieces)
    boxed(page, article("", list(BN_NOTES), [], 1, (0, 0, 0, 0)), BN_LEFT, top, BN_RIGHT, y)
    assert y < REG_H * 0.9, f"l_booknotes overflows: {y}"
    return page


PAGES: dict[str, Callable[[], Page]] = {
    "l_seed4": seed4,
    "l_classic_front": classic_front,
    "l_continuation": continuation_page,
    "l_paragraphs": paragraphs_page,
    "l_fakebold": fakebold_page,
    "l_ocr_columns": ocr_columns,
    "l_regulation": regulation_page,
    "l_report": report_page,
    "l_journal": journal_page,
    "l_casebook": casebook_page,
    "l_printready": printready_page,
    "l_booknotes": booknotes_page,
}


def write(name: str, page: Page, producer: str) -> None:
    """Write NAME.pdf and NAME.json, then check the PDF against the truth.

    Scans go with the other pages that need OCR, in garbled/ (scored on their own).
    """
    out = OUT / "garbled" if name == "l_ocr_columns" else OUT
    pdf = out / f"{name}.pdf"
    with ts.private_use_bullets():
        page.sheet.write(str(pdf), CREATOR)
    truth = page.truth(producer)
    copies = sum(len("".join(p.text.split())) * len(p.copies) for p in page.sheet.pieces())
    ts.verify(str(pdf), truth, copies)
    if truth.get("text_layer") == "ocr":
        scanned(pdf)  # checked while it had its text layer
    (out / f"{name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n")


def main() -> None:
    """Regenerate tests/pdf_corpus/l_*.pdf and their truth (other pages are left alone)."""
    ts.register_fonts()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in PAGES.items():
        write(name, build(), "reportlab, own typesetter")
        print(f"{name}: ok")


if __name__ == "__main__":
    main()
