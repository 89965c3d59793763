#!/usr/bin/env python3
"""Generate the PDF ground-truth corpus under tests/pdf_corpus/ (page PDFs + truth JSON).

Two producers lay out the same kind of pages: reportlab (WenQuanYi Zen Hei embedded as a
subset, through the sample generator's layout engine) and headless Chromium printing
HTML/CSS columns (scripts/corpus_chromium.py). Layouts vary: 1–7 articles, modules of 1–5
columns, kickers, subtitles, photos with captions, boxed ads, furniture, continuation
lines; some reportlab pages draw their objects in shuffled order. Page `seed` is the seed
article as a 4-column page with the subscription ad. Needs fonts-wqy-zenhei and
fonts-dejavu-core, and the Debian package chromium for the Chromium pages. Reportlab output
is byte-identical on re-runs; Chromium output depends on the Chromium version.

    .venv/bin/python scripts/make_pdf_corpus.py
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import ttfonts
from reportlab.pdfgen.canvas import Canvas

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
import corpus_chromium
import make_sample as ms

from parsers.radicals import SUPPLEMENT_TO_UNIFIED

OUT = ms.ROOT / "tests" / "pdf_corpus"
REPORTLAB_PAGES = 20
CHROMIUM_PAGES = 6
CAPTION_SIZE = 9.0
KICKERS = ("聚焦高质量发展", "科技创新观察", "园区新动能", "新春走基层", "产业链上的新故事")
SUBTITLES = (
    "多地出台配套政策支持企业研发",
    "一批重大项目集中签约落地",
    "从实验室到生产线只用了九个月",
    "记一家专精特新“小巨人”企业",
)
SUBHEADS = ("政策先行 服务跟进", "从“盆景”到“风景”", "下一步怎么走")
CAPTIONS = (
    "图为高新区一家企业的智能生产线。本报记者 王磊 摄",
    "工作人员在调试新一代储能设备。",
    "园区夜景。资料图片",
    "参观者在展会上体验人形机器人。新华社发",
)
NOTICES = (
    ("招商热线", "高新区科创园二期厂房招租，面积500至3000平方米，配套齐全，欢迎垂询。"),
    ("诚聘英才", "本报诚聘新媒体编辑3名，有意者请将简历发至招聘邮箱，广告合作另议。"),
)
NOTICE_LABEL = "广告"
# Module width in grid units → the column counts a module that wide may use.
COLUMNS = {12: (3, 4, 5), 9: (2, 3, 4), 8: (2, 3, 4), 6: (1, 2, 3), 4: (1, 2), 3: (1,)}
# Row patterns by module count: (grid units, modules stacked in the cell) per cell.
ROWS: dict[int, tuple[tuple[tuple[int, int], ...], ...]] = {
    1: (((12, 1),),),
    2: (((6, 1), (6, 1)), ((8, 1), (4, 1)), ((4, 1), (8, 1)), ((9, 1), (3, 1))),
    3: (((4, 1), (4, 1), (4, 1)), ((8, 1), (4, 2)), ((6, 2), (6, 1))),
}
DATES = ("2026-01-05", "2026-01-12", "2026-02-02", "2026-03-09")


@dataclass
class Extras:
    """What a page adds to plain modules: photos with captions, continuations, notices."""

    captions: dict[str, str] = field(default_factory=dict)  # article title → caption
    continuations: dict[str, str] = field(default_factory=dict)
    notices: dict[str, tuple[str, str]] = field(default_factory=dict)
    photos: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


EXTRAS = Extras()


def article_block(art: ms.Article, width: float, columns: int) -> ms.Block:
    """The sample module layout, plus a captioned photo and a continuation line below it."""
    if art.title in EXTRAS.notices:
        return notice_block(width, EXTRAS.notices[art.title])
    block = _plain_block(art, width, columns)
    top = float(block.height)
    if art.title in EXTRAS.captions:
        w = min(width, 240.0)
        EXTRAS.photos[art.title] = (0.0, top + 2, w, round(w * 0.6, 1))
        top += w * 0.6 + 6
        lead = CAPTION_SIZE * 1.5
        tokens = ms.tokenize(EXTRAS.captions[art.title])
        for row in ms.break_tokens(tokens, width, CAPTION_SIZE):
            baseline = ms.baseline_in(top, lead, CAPTION_SIZE)
            block.runs += ms.line_runs(0.0, baseline, CAPTION_SIZE, row)
            top += lead
        top += 4
    if art.title in EXTRAS.continuations:
        text = EXTRAS.continuations[art.title]
        x = width - ms.token_width(text, ms.BODY_SIZE)
        baseline = ms.baseline_in(top, ms.BODY_LEAD, ms.BODY_SIZE)
        block.runs += ms.line_runs(x, baseline, ms.BODY_SIZE, [text])
        top += ms.BODY_LEAD
    block.height = int(top + 2)
    return block


_plain_block = ms.article_block
ms.article_block = article_block  # ms.place_row lays modules out through this name


def notice_block(width: float, notice: tuple[str, str]) -> ms.Block:
    """A small boxed ad: bold heading, wrapped text, the 广告 label bottom right."""
    block, pad = ms.Block(), 10.0
    head, text = notice
    block.runs += ms.line_runs(pad, pad + ms.ASCENT * 14, 14.0, ms.tokenize(head), bold=True)
    top = pad + 22
    for tokens in ms.break_tokens(ms.tokenize(text), width - 2 * pad, 9.0):
        block.runs += ms.line_runs(pad, ms.baseline_in(top, 13.5, 9.0), 9.0, tokens)
        top += 13.5
    block.height = int(top + pad + 10)
    x = width - pad - ms.token_width(NOTICE_LABEL, 8.0)
    block.runs += ms.line_runs(x, block.height - 5.0, 8.0, [NOTICE_LABEL])
    return block


def variant(rng: random.Random, art: ms.Article, paragraphs: int) -> ms.Article:
    """The article cut to its first paragraphs, sometimes with a kicker or subtitle added."""
    keep = art.paragraphs[:paragraphs]
    subheads = frozenset(i for i in art.subheads if i < len(keep))
    if len(keep) >= 3 and not subheads and rng.random() < 0.3:
        keep = (keep[0], rng.choice(SUBHEADS), *keep[1:])
        subheads = frozenset({1})
    return replace(
        art,
        paragraphs=keep,
        kicker=art.kicker or (rng.choice(KICKERS) if rng.random() < 0.35 else None),
        subtitle=art.subtitle or (rng.choice(SUBTITLES) if rng.random() < 0.3 else None),
        subheads=subheads,
    )


def split_count(rng: random.Random, n: int) -> list[int]:
    """Modules per row: n split into at most three rows of 1–3 modules."""
    while True:
        rows = rng.randint(max(1, -(-n // 3)), min(3, n))
        parts = [1] * rows
        for _ in range(n - rows):
            parts[rng.randrange(rows)] += 1
        if max(parts) <= 3:
            return parts


def page_spec(rng: random.Random, label: str, n: int) -> ms.PageSpec:
    """A random page: rows of modules (articles, sometimes a notice), maybe the ad row."""
    EXTRAS.__init__()  # type: ignore[misc]
    pool = [k for k in ms.ARTICLES if k != "seed" and not k.startswith(("notice", "v_"))]
    rng.shuffle(pool)
    with_notice = n >= 3 and rng.random() < 0.3
    rows = []
    for count in split_count(rng, n):
        cells = []
        for units, stacked in rng.choice(ROWS[count]):
            slots = []
            for _ in range(stacked):
                key = pool.pop()
                if with_notice and units <= 6:
                    key, with_notice = f"notice{rng.randrange(len(NOTICES))}", False
                    EXTRAS.notices[ms.ARTICLES[key].title] = NOTICES[int(key[-1])]
                else:
                    ms.ARTICLES[f"v_{key}"] = art = variant(
                        rng, ms.ARTICLES[key], rng.randint(2, 6)
                    )
                    key = f"v_{key}"
                    if rng.random() < 0.25:
                        EXTRAS.captions[art.title] = rng.choice(CAPTIONS)
                    if rng.random() < 0.2:
                        EXTRAS.continuations[art.title] = f"（下转第{rng.randint(2, 8)}版）"
                slots.append(ms.Slot(key, rng.choice(COLUMNS[units])))
            cells.append(ms.Cell(units, tuple(slots)))
        rows.append(tuple(cells))
    if rng.random() < 0.4:
        rows.append((ms.Cell(12, (ms.Slot(ms.AD),)),))
    name = rng.choice(("要闻", "园区", "创新", "综合"))
    return ms.PageSpec(label, name, rng.choice(("林蔚", "周岚", "何静")), tuple(rows))


def seed_spec() -> ms.PageSpec:
    """The seed article as a 4-column page above the subscription ad."""
    EXTRAS.__init__()  # type: ignore[misc]
    rows = ((ms.Cell(12, (ms.Slot("seed", 4),)),), (ms.Cell(12, (ms.Slot(ms.AD),)),))
    return ms.PageSpec("A1", "要闻", "周岚", rows)


def dense_spec() -> ms.PageSpec:
    """As much text as the grid holds: the seed in 5 columns, then 3-column and 5-column rows."""
    cell, slot = ms.Cell, ms.Slot
    rows = (
        (cell(12, (slot("seed", 5),)),),
        (cell(6, (slot("battery", 3),)), cell(6, (slot("quantum", 3),))),
        (cell(12, (slot("talent", 5),)),),
    )
    return ms.PageSpec("A2", "要闻", "周岚", rows)


def truth_of(issue: str, spec: ms.PageSpec, layout: ms.PageLayout) -> dict[str, Any]:
    """What the page really says: articles with roles and bbox, ads, furniture."""
    articles, ads = [], []
    for module in layout.modules:
        if module.key == ms.AD:
            ads.append({"text": ms.ad_text(), "bbox": list(module.bbox)})
            continue
        art = ms.ARTICLES[module.key]
        if art.title in EXTRAS.notices:
            head, text = EXTRAS.notices[art.title]
            ads.append({"text": head + text + NOTICE_LABEL, "bbox": list(module.bbox)})
            continue
        articles.append(
            {
                "headline": art.title,
                "kicker": art.kicker,
                "subtitle": art.subtitle,
                "byline": art.author,
                "paragraphs": list(art.paragraphs),
                "subheads": [art.paragraphs[i] for i in sorted(art.subheads)],
                "captions": [EXTRAS.captions[art.title]] if art.title in EXTRAS.captions else [],
                "continuations": [EXTRAS.continuations[art.title]]
                if art.title in EXTRAS.continuations
                else [],
                "columns": module.columns,
                "bbox": list(module.bbox),
            }
        )
    furniture = [run.text for run in layout.furniture]
    return {"issue_date": issue, "articles": articles, "ads": ads, "furniture": furniture}


def draw_ops(canvas: Canvas, layout: ms.PageLayout, rng: random.Random) -> list[Callable[[], Any]]:
    """Every drawing operation of a page as a closure, so the order can be shuffled."""
    ops: list[Callable[[], Any]] = [partial(_rule, canvas, *rule) for rule in layout.rules]
    ops += [partial(ms.draw_run, canvas, run) for run in layout.furniture]
    for module in layout.modules:
        x0, top = module.bbox[:2]
        art = ms.ARTICLES.get(module.key)
        if module.key == ms.AD or (art is not None and art.title in EXTRAS.notices):
            ops.append(partial(_frame, canvas, module.bbox))
        ops += [partial(ms.draw_run, canvas, run, x0, top) for run in module.block.runs]
        boxes_only = replace(module, key="", block=replace(module.block, runs=[]))
        ops.append(partial(ms.draw_module, canvas, boxes_only))
        if art is not None and art.title in EXTRAS.photos:
            px, py, pw, ph = EXTRAS.photos[art.title]
            image = ImageReader(_photo(rng))
            y = ms.PAGE_H - (top + py + ph)
            ops.append(partial(canvas.drawImage, image, x0 + px, y, pw, ph))
    return ops


def _rule(canvas: Canvas, x0: float, y0: float, x1: float, y1: float, width: float) -> None:
    canvas.setLineWidth(width)
    canvas.line(x0, ms.PAGE_H - y0, x1, ms.PAGE_H - y1)


def _frame(canvas: Canvas, bbox: tuple[float, float, float, float]) -> None:
    x0, top, x1, bottom = bbox
    canvas.setLineWidth(1.0)
    canvas.rect(x0, ms.PAGE_H - bottom, x1 - x0, bottom - top, stroke=1, fill=0)


def _photo(rng: random.Random) -> Image.Image:
    """A small grey stand-in for a photo."""
    img = Image.linear_gradient("L").resize((48, 32))
    shade = rng.randint(40, 90)
    return img.point(lambda v: min(255, v // 2 + shade))


def write_reportlab(path: Path, issue: str, spec: ms.PageSpec, shuffle: bool, seed: int) -> dict:
    """Lay out and draw one page with reportlab; return its truth."""
    layout = ms.layout_page(issue, spec)
    canvas = Canvas(str(path), pagesize=(ms.PAGE_W, ms.PAGE_H), invariant=1, pageCompression=1)
    canvas.setCreator("baokan scripts/make_pdf_corpus.py (reportlab)")
    rng = random.Random(seed)
    ops = draw_ops(canvas, layout, rng)
    if shuffle:
        rng.shuffle(ops)
    for op in ops:
        op()
    canvas.showPage()
    canvas.save()
    return truth_of(issue, spec, layout)


def fitting_page(
    rng: random.Random, label: str, issue: str, articles: int | None = None
) -> ms.PageSpec:
    """Draw random pages until one fits the content area."""
    n = articles or rng.randint(1, 7)  # kept while layouts are redrawn
    for _ in range(2000):
        spec = page_spec(rng, label, n)
        try:
            ms.layout_page(issue, spec)
        except AssertionError:
            continue
        return spec
    raise SystemExit(f"{label}: no random layout fits the page")


def register_notices() -> None:
    """Notices are laid out through the article table like any module."""
    for i, (head, _) in enumerate(NOTICES):
        ms.ARTICLES[f"notice{i}"] = ms.Article(title=f"notice:{head}", author="", paragraphs=())


def write_truth(path: Path, truth: dict[str, Any]) -> None:
    """Truth JSON beside the PDF."""
    ms.write_text(path, json.dumps(truth, ensure_ascii=False, indent=1) + "\n")


def clear_corpus() -> None:
    """Remove this script's old pages; README.md and make_layout_corpus.py's l_* pages stay."""
    OUT.mkdir(parents=True, exist_ok=True)
    for old in [*OUT.iterdir(), *(OUT / "garbled").glob("*")]:
        if old.is_file() and not old.name.startswith("l_") and old.name != "README.md":
            old.unlink()


def main() -> None:
    """Regenerate tests/pdf_corpus/ (all but the l_* pages of make_layout_corpus.py)."""
    ms.register_fonts()
    register_notices()
    clear_corpus()
    spec = seed_spec()
    truth = write_reportlab(OUT / "seed.pdf", "2025-12-29", spec, False, 0)
    write_truth(OUT / "seed.json", {"producer": "reportlab", "shuffled": False, **truth})
    EXTRAS.__init__()  # type: ignore[misc]
    truth = write_reportlab(OUT / "dense.pdf", "2025-12-29", dense_spec(), True, 1)
    write_truth(OUT / "dense.json", {"producer": "reportlab", "shuffled": True, **truth})
    rng = random.Random(20260105)
    for i in range(1, REPORTLAB_PAGES + 1):
        issue = rng.choice(DATES)
        spec = fitting_page(rng, f"R{i:02d}", issue)
        shuffle = i % 3 == 0
        truth = write_reportlab(OUT / f"r{i:02d}.pdf", issue, spec, shuffle, i)
        write_truth(OUT / f"r{i:02d}.json", {"producer": "reportlab", "shuffled": shuffle, **truth})
    text_layer_variants(random.Random(20260301))
    if "--no-chromium" not in sys.argv:
        rng = random.Random(20260212)
        for i in range(1, CHROMIUM_PAGES + 1):
            truth = write_chromium(OUT / f"c{i:02d}.pdf", rng, f"H{i:02d}")
            write_truth(
                OUT / f"c{i:02d}.json", {"producer": "chromium", "shuffled": False, **truth}
            )


@contextmanager
def to_unicode(remap: Callable[[int], int] | None, font: str = "") -> Iterator[None]:
    """Make reportlab write ToUnicode maps of fonts named like `font` through `remap`.

    `remap` None writes maps with no entries, as if the ToUnicode had been stripped.
    """
    original = ttfonts.makeToUnicodeCMap

    def patched(fontname: str, subset: list[int]) -> str:
        if font not in fontname:
            return original(fontname, subset)
        if remap is None:  # like a font whose ToUnicode was stripped: pdfminer says (cid:N)
            head = original(fontname, subset).split("1 begincodespacerange")[0]
            return head + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
        return original(fontname, [remap(code) for code in subset])

    ttfonts.makeToUnicodeCMap = patched
    try:
        yield
    finally:
        ttfonts.makeToUnicodeCMap = original


def _to_radical() -> dict[int, int]:
    """Unified ideograph → the radical code point real text layers sometimes emit for it."""
    inverse = {ord(unicodedata.normalize("NFKC", chr(c))): c for c in range(0x2F00, 0x2FD6)}
    for radical, unified in SUPPLEMENT_TO_UNIFIED.items():
        inverse.setdefault(unified, radical)
    return inverse


def text_layer_variants(rng: random.Random) -> None:
    """Pages whose text layer is wrong: radicals (main corpus), stripped/PUA maps, image only."""
    radicals = _to_radical()
    issue = rng.choice(DATES)
    spec = fitting_page(rng, "R21", issue)
    with to_unicode(lambda code: radicals.get(code, code)):
        truth = write_reportlab(OUT / "r21.pdf", issue, spec, False, 21)
    write_truth(
        OUT / "r21.json", {"producer": "reportlab, radical ToUnicode", "shuffled": False, **truth}
    )
    garbled = OUT / "garbled"
    garbled.mkdir(exist_ok=True)
    for name, remap in (("nounicode", None), ("pua", lambda code: 0xE000 + code % 0x1000)):
        spec = fitting_page(rng, "G1", issue, articles=1)
        with to_unicode(remap):
            truth = write_reportlab(garbled / f"{name}.pdf", issue, spec, False, 0)
        write_truth(
            garbled / f"{name}.json",
            {"producer": f"reportlab, {name}", "text_layer": "ocr", **truth},
        )
    # Only the byline marker's font (DejaVu) loses its map: OCR reads just those lines.
    spec = fitting_page(rng, "G3", issue, articles=2)
    with to_unicode(None, font=ms.SYMBOL):
        truth = write_reportlab(garbled / "marker_lines.pdf", issue, spec, False, 0)
    write_truth(
        garbled / "marker_lines.json",
        {"producer": "reportlab, marker font unmapped", "text_layer": "ocr", **truth},
    )
    spec = fitting_page(rng, "G2", issue, articles=1)
    truth = write_reportlab(garbled / "image_only.pdf", issue, spec, False, 0)
    image_only(garbled / "image_only.pdf")
    write_truth(
        garbled / "image_only.json",
        {"producer": "reportlab, scanned", "text_layer": "ocr", **truth},
    )


def image_only(path: Path) -> None:
    """Replace a PDF by a scan of itself: one grey image per page, no text layer."""
    doc = pypdfium2.PdfDocument(path)
    image = doc[0].render(scale=2.0, grayscale=True).to_pil()
    doc.close()
    canvas = Canvas(str(path), pagesize=(ms.PAGE_W, ms.PAGE_H), invariant=1, pageCompression=1)
    canvas.setCreator("baokan scripts/make_pdf_corpus.py (image only)")
    canvas.drawImage(ImageReader(image), 0, 0, ms.PAGE_W, ms.PAGE_H)
    canvas.showPage()
    canvas.save()


def write_chromium(path: Path, rng: random.Random, label: str) -> dict[str, Any]:
    """A random page printed by Chromium; retried until it fits on one page."""
    for _ in range(20):
        issue = rng.choice(DATES)
        spec = fitting_page(rng, label, issue)
        page = corpus_chromium.page_html(
            issue, spec, EXTRAS, NOTICE_LABEL, lambda title: title in EXTRAS.notices
        )
        corpus_chromium.print_pdf(page, path)
        with pdfplumber.open(path) as pdf:
            if len(pdf.pages) == 1 and all(c["bottom"] < ms.PAGE_H for c in pdf.pages[0].chars):
                truth = truth_of(issue, spec, ms.layout_page(issue, spec))
                for art in truth["articles"] + truth["ads"]:
                    art["bbox"] = None  # Chromium places modules itself
                return truth
    raise SystemExit(f"{label}: no Chromium page fitted")


if __name__ == "__main__":
    main()
