"""The corpus's second PDF producer: headless Chromium printing an HTML/CSS column layout.

The page structure (rows, cells, modules, column counts, display fields) comes from the
same random page specs as the reportlab pages; Chromium does all line breaking, column
balancing and font subsetting itself, so the text layer is built quite differently.
"""

from __future__ import annotations

import base64
import html
import io
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import make_sample as ms
from PIL import Image

UNIT = (ms.RIGHT - ms.LEFT + ms.GUTTER) / ms.GRID_UNITS
CSS = """
@font-face { font-family: W; src: url("file://%(font)s"); }
@page { size: 842pt 1191pt; margin: 0; }
body { margin: 0; font-family: W; color: #000; }
.page { position: relative; width: 842pt; height: 1191pt; overflow: hidden; }
.head, .foot { position: absolute; left: 40pt; width: 762pt; font-size: 9pt; line-height: 12pt; }
.head { top: 26pt; border-bottom: 1.2pt solid #000; padding-bottom: 3pt; display: flex; }
.head span { margin-right: 18pt; } .head .right { margin-left: auto; }
.foot { top: 1160pt; text-align: center; border-top: 0.5pt solid #000; padding-top: 2pt; }
.content { position: absolute; top: 58pt; left: 40pt; width: 762pt; }
.row { display: flex; gap: 0; }
.row + .row { border-top: 0.5pt solid #000; margin-top: 9pt; padding-top: 9pt; }
.cell { display: flex; flex-direction: column; box-sizing: border-box; }
.cell + .cell { border-left: 0.5pt solid #000; margin-left: 9pt; padding-left: 9pt; }
.mod + .mod { border-top: 0.5pt solid #000; margin-top: 9pt; padding-top: 9pt; }
.kicker, .sub { font-size: 13pt; line-height: 18pt; }
h1 { font-weight: bold; margin: 0; }
.by { font-size: 9pt; line-height: 14pt; margin: 3pt 0 6pt; }
.by span + span { margin-left: 9pt; }
.body { column-gap: 14pt; column-fill: balance; font-size: 10pt; line-height: 14.5pt;
        text-align: justify; }
.body p { margin: 0; text-indent: 2em; }
.body p.sh { font-weight: bold; font-size: 10.5pt; line-height: 15.75pt; text-indent: 0;
             margin-top: 7pt; break-after: avoid; }
.photo { display: block; margin-top: 6pt; }
.cap { font-size: 9pt; line-height: 13.5pt; margin-top: 3pt; }
.cont { font-size: 10pt; line-height: 14.5pt; text-align: right; }
.ad { border: 1pt solid #000; padding: 10pt; margin-top: 9pt; }
.ad .h { font-size: 20pt; font-weight: bold; line-height: 26pt; }
.ad p { margin: 0; font-size: 9pt; line-height: 14pt; }
.ad p span + span { margin-left: 18pt; }
.ad .label { text-align: right; font-size: 8pt; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _photo_uri(shade: int) -> str:
    img = Image.linear_gradient("L").resize((48, 32)).point(lambda v: min(255, v // 2 + shade))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def module_html(art: ms.Article, width: float, columns: int, extras: Any) -> str:
    """One article module: display fields, byline, body columns, photo, continuation."""
    parts = []
    if art.kicker:
        parts.append(f'<div class="kicker">{_e(art.kicker)}</div>')
    size = ms.title_size(width)
    parts.append(f'<h1 style="font-size:{size}pt;line-height:{size * 1.25}pt">{_e(art.title)}</h1>')
    if art.subtitle:
        parts.append(f'<div class="sub">{_e(art.subtitle)}</div>')
    names = "".join(f"<span>{_e(p)}</span>" for p in art.author.split())
    parts.append(f'<div class="by"><span>►</span>{names}</div>')
    paras = "".join(
        f'<p class="sh">{_e(p)}</p>' if i in art.subheads else f"<p>{_e(p)}</p>"
        for i, p in enumerate(art.paragraphs)
    )
    parts.append(f'<div class="body" style="column-count:{columns}">{paras}</div>')
    if art.title in extras.captions:
        w = min(width, 240.0)
        uri = _photo_uri(60)
        parts.append(f'<img class="photo" src="{uri}" style="width:{w}pt;height:{w * 0.6}pt">')
        parts.append(f'<div class="cap">{_e(extras.captions[art.title])}</div>')
    if art.title in extras.continuations:
        parts.append(f'<div class="cont">{_e(extras.continuations[art.title])}</div>')
    return f'<div class="mod">{"".join(parts)}</div>'


def notice_html(notice: tuple[str, str], label: str) -> str:
    """A small boxed ad."""
    head, text = notice
    return (
        f'<div class="ad"><div class="h" style="font-size:14pt;line-height:20pt">{_e(head)}</div>'
        f'<p>{_e(text)}</p><div class="label">{_e(label)}</div></div>'
    )


def ad_html() -> str:
    """The subscription ad, in the reading order of its truth text."""
    lines = [f'<div class="h">{_e(ms.AD_HEADLINE)}</div>', f"<p>{_e(ms.AD_PRICE)}</p>"]
    lines.append("<p>" + "".join(f"<span>{_e(c)}</span>" for c in ms.AD_QR_CAPTIONS) + "</p>")
    for _size, _bold, segments in ms.AD_LINES:
        lines.append("<p>" + "".join(f"<span>{_e(s)}</span>" for s in segments) + "</p>")
    lines.append(f'<div class="label">{_e(ms.AD_LABEL)}</div>')
    return f'<div class="ad">{"".join(lines)}</div>'


def page_html(
    issue: str, spec: ms.PageSpec, extras: Any, notice_label: str, is_notice: Callable[[str], bool]
) -> str:
    """The whole page as one HTML document."""
    runs = ms.furniture(issue, spec)
    head = "".join(f"<span>{_e(r.text)}</span>" for r in runs[:3])
    head += f'<span class="right">{_e(runs[3].text)}</span><span>{_e(runs[4].text)}</span>'
    rows = []
    ad = ""
    for row in spec.rows:
        if row[0].slots[0].key == ms.AD:
            ad = ad_html()
            continue
        cells = []
        for cell in row:
            width = cell.units * UNIT - ms.GUTTER
            mods = []
            for slot in cell.slots:
                art = ms.ARTICLES[slot.key]
                if is_notice(art.title):
                    mods.append(notice_html(extras.notices[art.title], notice_label))
                else:
                    mods.append(module_html(art, width, slot.columns, extras))
            grow = cell.units / ms.GRID_UNITS
            cells.append(f'<div class="cell" style="flex:{grow} 1 0">{"".join(mods)}</div>')
        rows.append(f'<div class="row">{"".join(cells)}</div>')
    css = CSS % {"font": ms.CJK_FONT_FILE}
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{css}</style>'
        f'</head><body><div class="page"><div class="head">{head}</div>'
        f'<div class="content">{"".join(rows)}{ad}</div>'
        f'<div class="foot">{_e(runs[5].text)}</div></div></body></html>'
    )


def print_pdf(html_text: str, out: Path) -> None:
    """Print one HTML page to PDF with headless Chromium."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise SystemExit("chromium not found: apt-get install chromium (or pass --no-chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "page.html"
        src.write_text(html_text, encoding="utf-8")
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
