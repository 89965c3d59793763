"""Parsers on the bundled sample, against the generator's truth files (golden data)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from baokan.sites import SiteProfile, get_site, parse_profile
from parsers import ParseError
from parsers.article_html import parse_article_html
from parsers.decode import decode_html
from parsers.layout import parse_layout
from parsers.pdf_page import parse_pdf
from tests.replica import classic_article_other_cells

BASE = "http://paper.sample.baokan.invalid/"
CJK_ASCII_COMMA = re.compile(r"[\u4e00-\u9fff][,;:!?]|[,;:!?][\u4e00-\u9fff]")


def _pages(truth: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(day, page) for day, issue in truth.items() for page in issue["pages"]]


def _nospace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_layout_pages(sample_dir: Path, truth: dict[str, dict[str, Any]]) -> None:
    site = get_site("sample")
    for _, page in _pages(truth):
        url = BASE + page["index"]
        html = decode_html((sample_dir / "site" / page["index"]).read_bytes())
        layout = parse_layout(html, url, site)
        assert (layout.label, layout.name) == (page["label"], page["name"])
        assert [p.label for p in layout.pages] == ["A1", "A2", "A3"]
        assert layout.pdf_url == BASE + page["pdf"]
        assert [a.url for a in layout.articles] == [BASE + a["url"] for a in page["articles"]]
        assert [a.title for a in layout.articles] == [a["title"] for a in page["articles"]]
        assert [a.url for a in layout.areas] == [BASE + a["url"] for a in page["articles"]]
        assert layout.image_size is not None and layout.image_size[0] == 400


def test_article_pages(sample_dir: Path, truth: dict[str, dict[str, Any]]) -> None:
    site = get_site("sample")
    for _, page in _pages(truth):
        for art in page["articles"]:
            html = decode_html((sample_dir / "site" / art["url"]).read_bytes())
            parsed = parse_article_html(html, BASE + art["url"], site)
            assert parsed.title == art["title"]
            assert (parsed.kicker, parsed.subtitle, parsed.author) == (
                art["kicker"],
                art["subtitle"],
                art["author"],
            )
            assert parsed.paragraphs == art["paragraphs"]


def test_article_page_without_body_names_the_url() -> None:
    html = '<div class="article"><h1>标题</h1><div id="ozoom"></div></div>'
    with pytest.raises(ParseError, match=r"http://x/content_1\.html.*no body"):
        parse_article_html(html, "http://x/content_1.html", get_site("sample"))


@pytest.mark.parametrize("index", range(6))
def test_page_pdfs_match_truth(
    index: int, sample_dir: Path, truth: dict[str, dict[str, Any]]
) -> None:
    day, page = _pages(truth)[index]
    (parsed,) = parse_pdf((sample_dir / "site" / page["pdf"]).read_bytes(), page["pdf"])
    assert parsed.text_layer == "pdf"
    assert parsed.furniture == page["furniture"]
    by_title = {a.headline: a for a in parsed.articles}
    assert sorted(by_title) == sorted(a["title"] for a in page["articles"]), (
        f"{day} {page['label']}"
    )
    for art in page["articles"]:
        got = by_title[art["title"]]
        assert (got.kicker, got.subtitle, got.byline) == (
            art["kicker"],
            art["subtitle"],
            art["author"],
        )
        assert got.paragraphs == art["paragraphs"], f"{day} {page['label']} {art['title']}"
        x0, top, x1, bottom = art["bbox"]
        assert x0 - 1 <= got.bbox[0] and got.bbox[2] <= x1 + 1 and top - 1 <= got.bbox[1]
        assert got.bbox[3] <= bottom + 1
    assert [_nospace(a.text) for a in parsed.ads] == [_nospace(a["text"]) for a in page["ads"]]
    ad_words = ("欢迎订阅", "邮发代号", "微信公众号")
    for got in parsed.articles:
        body = "".join(got.paragraphs)
        assert not any(w in body for w in ad_words)
        assert not CJK_ASCII_COMMA.search(body)


def test_seed_article_comes_back_whole(sample_dir: Path, truth: dict[str, dict[str, Any]]) -> None:
    """The seed page's defects are gone: column-break splits repaired, ad set apart."""
    page = truth["2025-12-29"]["pages"][0]
    (parsed,) = parse_pdf((sample_dir / "site" / page["pdf"]).read_bytes(), page["pdf"])
    seed = next(a for a in parsed.articles if a.headline == "2025年国家高新区和自创区十大新闻")
    body = "\n".join(seed.paragraphs)
    for repaired in ("精准性培育", "乌鲁木齐高新区等10家", "综合管理服务平台"):
        assert repaired in body
    assert seed.byline == "本报编辑部"
    assert "欢迎订阅" not in body and "广告" not in body
    assert "欢迎订阅" in parsed.ads[0].text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"%PDF-1.4\n%garbage", "not a readable PDF"),
        (b"hello", "not a readable PDF"),
    ],
)
def test_broken_pdfs_raise_parse_error_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=f"page.pdf: {message}"):
        parse_pdf(data, "page.pdf")


def test_truncated_pdf(sample_dir: Path, truth: dict[str, dict[str, Any]]) -> None:
    pdf = (sample_dir / "site" / truth["2025-12-29"]["pages"][1]["pdf"]).read_bytes()
    with pytest.raises(ParseError, match=r"cut\.pdf"):
        parse_pdf(pdf[: len(pdf) // 3], "cut.pdf")


def _classic_profile(selectors: dict[str, str] | None = None) -> SiteProfile:
    """A new classic-Founder paper's profile with the family's default selectors."""
    data = {
        "id": "xpaper",
        "publication": "某日报",
        "family": "founder_classic",
        "base_url": "http://epaper.x.example.cn/",
        "entry": "html/{yyyy}-{mm}/{dd}/node_1.htm",
        "selectors": selectors or {},
    }
    return parse_profile(data, "xpaper.toml")


def test_classic_defaults_never_put_title_in_kicker_or_byline_in_subtitle() -> None:
    page = classic_article_other_cells("高铁站开通运营", "本报记者 王五")
    html = decode_html(page, "text/html; charset=gb2312")
    art = parse_article_html(html, "http://epaper.x.example.cn/c.htm", _classic_profile())
    assert art.title == "高铁站开通运营" and art.author == "本报记者 王五"
    assert art.kicker is None and art.subtitle is None
    assert len(art.paragraphs) == 2


def test_field_sharing_the_title_element_is_left_empty() -> None:
    # No enpproperty: the profile points title at td.font01, the kicker default matches it too.
    page = classic_article_other_cells("高铁站开通运营", "►本报记者 王五", enp=False)
    html = decode_html(page, "text/html; charset=gb2312")
    profile = _classic_profile({"title": "td.font01", "author": "td.font03"})
    art = parse_article_html(html, "http://epaper.x.example.cn/c.htm", profile)
    assert art.title == "高铁站开通运营" and art.author == "本报记者 王五"
    assert art.kicker is None and art.subtitle is None
