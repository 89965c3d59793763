"""Optional traditional→simplified conversion, set per site profile, for HTML and PDF alike."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from baokan.config import Settings
from baokan.sites import SiteProfileError, get_site, load_sites
from parsers.article_html import parse_article_html
from parsers.garble import is_garbled
from parsers.pdf_page import parse_pdf
from parsers.text import convert_script
from tests.rawpdf import assemble

# A Taiwanese-style news passage and its simplified form, checked character by character.
HEADLINE = "臺灣半導體產業營收創歷史新高"
HEADLINE_S = "台湾半导体产业营收创历史新高"
BODY = (
    "國家發展委員會昨日表示，今年前三季臺灣半導體產業的營收較去年同期增長兩成，"
    "創下歷史新高。專家認為，人工智慧伺服器的需求帶動了晶圓代工與記憶體產業的發展。"
)
BODY_S = (
    "国家发展委员会昨日表示，今年前三季台湾半导体产业的营收较去年同期增长两成，"
    "创下历史新高。专家认为，人工智慧伺服器的需求带动了晶圆代工与记忆体产业的发展。"
)


def test_traditional_text_becomes_simplified() -> None:
    assert convert_script(HEADLINE, "t2s") == HEADLINE_S
    assert convert_script(BODY, "t2s") == BODY_S
    assert convert_script(BODY_S, "t2s") == BODY_S  # simplified text passes through
    assert convert_script(BODY, "") == BODY
    with pytest.raises(ValueError, match="s2t"):
        convert_script(BODY, "s2t")


def test_profile_field_is_validated(tmp_path: Path) -> None:
    good = (
        'id = "twpaper"\npublication = "臺灣日報"\nfamily = "founder_new"\n'
        'base_url = "http://paper.example.tw/"\nentry = "pc/layout/{yyyymm}/{dd}/node_01.html"\n'
    )
    settings = Settings(data_dir=tmp_path, warehouse="duckdb:///x", sites_dir=tmp_path)
    (tmp_path / "tw.toml").write_text(good + 'convert = "t2s"\n', encoding="utf-8")
    assert load_sites(settings)["twpaper"].convert == "t2s"
    assert get_site("sample").convert == ""  # off unless a profile asks for it
    (tmp_path / "tw.toml").write_text(good + 'convert = "s2t"\n', encoding="utf-8")
    with pytest.raises(SiteProfileError, match=r"tw\.toml: field 'convert'"):
        get_site("twpaper", settings)


ARTICLE = f"""<div class="article"><h3>產業觀察</h3><h1>{HEADLINE}</h1>
<p class="author">記者 陳維倫</p><div id="ozoom"><p>{BODY}</p></div></div>"""


def test_html_article_is_converted_only_when_the_profile_says_so() -> None:
    plain = get_site("sample")
    converting = dataclasses.replace(plain, convert="t2s")
    kept = parse_article_html(ARTICLE, "http://x/content_1.html", plain)
    assert (kept.kicker, kept.title, kept.author, kept.paragraphs) == (
        "產業觀察",
        HEADLINE,
        "記者 陳維倫",
        [BODY],
    )
    done = parse_article_html(ARTICLE, "http://x/content_1.html", converting)
    assert (done.kicker, done.title, done.author, done.paragraphs) == (
        "产业观察",
        HEADLINE_S,
        "记者 陈维伦",
        [BODY_S],
    )


def _pdf(runs: list[tuple[int, int, int, str]]) -> bytes:
    """A one-page PDF whose font's ToUnicode map spells `runs` (size, x, y, text)."""
    chars = sorted({c for *_, text in runs for c in text})
    code = {c: i + 1 for i, c in enumerate(chars)}
    pairs = "\n".join(f"<{code[c]:02X}> <{ord(c):04X}>" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /T def "
        "1 begincodespacerange <00> <FF> endcodespacerange "
        f"{len(chars)} beginbfchar\n{pairs}\nendbfchar endcmap "
        "CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    content = "".join(
        f"BT /F1 {size} Tf {x} {y} Td <{''.join(f'{code[c]:02X}' for c in text)}> Tj ET\n"
        for size, x, y, text in runs
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 0 /LastChar 255 "
        b"/Widths [" + b"1000 " * 256 + b"] /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
    ]
    return assemble(objects)


def _traditional_page() -> bytes:
    lines = [BODY[i : i + 20] for i in range(0, len(BODY), 20)]
    return _pdf(
        [(24, 60, 760, HEADLINE)] + [(10, 60, 720 - i * 14, t) for i, t in enumerate(lines)]
    )


def test_a_traditional_text_layer_is_not_taken_for_junk() -> None:
    assert not is_garbled(list(BODY))


def test_pdf_page_is_converted_only_when_asked() -> None:
    data = _traditional_page()
    (kept,) = parse_pdf(data, "tw.pdf", ocr=False)
    assert kept.text_layer == "pdf"
    assert [(a.headline, a.paragraphs) for a in kept.articles] == [(HEADLINE, [BODY])]
    (done,) = parse_pdf(data, "tw.pdf", ocr=False, convert="t2s")
    assert [(a.headline, a.paragraphs) for a in done.articles] == [(HEADLINE_S, [BODY_S])]
    assert [a.bbox for a in done.articles] == [a.bbox for a in kept.articles]
