"""Page index parsing on the real pages (golden facts read off the files by hand)."""

from __future__ import annotations

from pathlib import Path

from baokan.sites import get_site
from parsers.decode import decode_html
from parsers.layout import LayoutPage, parse_layout

REAL = Path(__file__).parent / "fixtures" / "real"
RMRB = "http://paper.people.com.cn/rmrb/pc/layout/202412/25/node_01.html"
JXRB = "http://epaper.jxnews.com.cn/jxrb/html/2017-10/09/node_187.htm"


def _parse(site: str, name: str, url: str) -> LayoutPage:
    return parse_layout(decode_html((REAL / name).read_bytes()), url, get_site(site))


def test_rmrb_new_layout_page() -> None:
    page = _parse("rmrb", "rmrb_2024-12-25_node_01.html", RMRB)
    assert (page.label, page.name, page.image_size) == ("01", "要闻", (400.0, 575.0))
    assert [p.label for p in page.pages] == [f"{n:02d}" for n in range(1, 21)]
    assert page.pages[4].name == "评论" and page.pages[9].name == "特别报道"
    # ../../../attachement climbs out of layout/202412/25 to the paper's root.
    assert page.pdf_url == (
        "http://paper.people.com.cn/rmrb/pc/attachement/202412/25/"
        "58d97d37-6229-4f3b-872d-3911f85cb11b.pdf"
    )
    assert len(page.articles) == 7 and page.articles[2].title == "李强主持召开国务院常务会议"
    assert [a.url for a in page.areas] == [a.url for a in page.articles]
    assert page.articles[0].url.endswith("/rmrb/pc/content/202412/25/content_30048054.html")


def test_jxrb_classic_page() -> None:
    page = _parse("jxrb", "jxrb_2017-10-09_node_187.htm", JXRB)
    assert (page.label, page.name, page.image_size) == ("A01", "头版", None)
    # Listed twice on the page (menu and table), each page once here; ids are CMS node ids.
    assert [p.label for p in page.pages] == [f"{s}0{n}" for s in "ABC" for n in range(1, 5)]
    assert page.pages[-1].name == "体育·娱乐" and page.pages[-1].url.endswith("node_198.htm")
    assert page.pdf_url == (
        "http://epaper.jxnews.com.cn/jxrb/page/186/2017-10-09/A01/51281507497937890.pdf"
    )
    assert [a.title for a in page.articles][:2] == [
        "站在新的更高起点探索生态文明建设",
        "为美丽中国贡献“江西智慧”",
    ]
    assert len(page.areas) == 5 and page.areas[0].bbox() == (5, 72, 228, 207)


def test_duplicate_areas_and_climbing_links_are_canonical() -> None:
    profile = get_site("jxrb")
    html = """<html><body><td class=px12><a href="../../../../../../x/p.pdf">pdf</a></td>
    <map name=pagepicmap><area coords="0,0,1,1" href="content_9.htm?div=0">
    <area coords="2,2,3,3" href="content_9.htm?div=-1#top"></map>
    <td class=default><a href="content_9.htm?div=-1&amp;k=2">标题</a></td></body></html>"""
    page = parse_layout(html, JXRB, profile)
    base = "http://epaper.jxnews.com.cn/jxrb/html/2017-10/09/"
    assert {a.url for a in page.areas} == {base + "content_9.htm"}
    assert page.articles[0].url == base + "content_9.htm?k=2"  # other parameters stay
    assert page.pdf_url == "http://epaper.jxnews.com.cn/x/p.pdf"  # never above the host root
