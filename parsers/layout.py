"""Page index (版面) pages of Founder e-papers: page list, PDF link, article list, image map."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin

from parsel import Selector

from baokan.sites import SiteProfile
from parsers.text import normalize_text

_PAGE_TEXT = re.compile(r"^\s*第?\s*([A-Za-z]*\d+)\s*版?\s*[：:]?\s*(.*?)\s*$")
_NODE_LABEL = re.compile(r"node_([A-Za-z]*\d+)\.html?$")


@dataclass
class PageLink:
    """One entry of the page list: URL, label (A1, 01) and name (要闻)."""

    url: str
    label: str
    name: str


@dataclass
class ArticleLink:
    """One article listed on a page, in the page's order."""

    url: str
    title: str


@dataclass
class MapArea:
    """An image-map polygon saying where an article sits on the page image."""

    url: str
    coords: list[float]

    def bbox(self) -> tuple[float, float, float, float]:
        """Bounding box (x0, top, x1, bottom) of the polygon in image pixels."""
        xs, ys = self.coords[0::2], self.coords[1::2]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass
class LayoutPage:
    """Everything a page index page says about its issue and its own page."""

    url: str
    label: str | None
    name: str | None
    pages: list[PageLink] = field(default_factory=list)
    pdf_url: str | None = None
    articles: list[ArticleLink] = field(default_factory=list)
    areas: list[MapArea] = field(default_factory=list)
    image_size: tuple[float, float] | None = None


def _abs(base: str, href: str | None, profile: SiteProfile | None = None) -> str | None:
    """Absolute URL of a link; relative paths climbing ../../.. resolve as a browser would."""
    href = (href or "").strip()
    if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
        return None
    url = urldefrag(urljoin(base, href))[0]
    return profile.canonical_url(url) if profile else url


def split_page_text(text: str) -> tuple[str | None, str]:
    """'A1：要闻' or '第01版：要闻' → ('A1', '要闻')."""
    match = _PAGE_TEXT.match(normalize_text(text))
    return (match.group(1).upper(), match.group(2)) if match else (None, normalize_text(text))


def label_from_url(url: str, profile: SiteProfile | None = None) -> str | None:
    """Page label from a node_A1.html style URL (None where node ids are CMS ids)."""
    if profile is not None and not profile.node_is_label:
        return None
    match = _NODE_LABEL.search(urldefrag(url)[0])
    if not match:
        return None
    return profile.page_label(match.group(1)) if profile else match.group(1).upper()


def _pages(sel: Selector, url: str, profile: SiteProfile) -> list[PageLink]:
    pages: dict[str, PageLink] = {}
    for a in sel.css(profile.selector("page_links")):
        href = _abs(url, a.attrib.get("href"), profile)
        if not href or href in pages:
            continue  # classic pages list every page twice (menu and table)
        label, name = split_page_text("".join(a.css("::text").getall()))
        label = profile.page_label(label) if label else label_from_url(href, profile)
        pages[href] = PageLink(url=href, label=label or "", name=name)
    return list(pages.values())


def _pdf_url(sel: Selector, url: str, profile: SiteProfile) -> str | None:
    node = sel.css(profile.selector("pdf"))
    if not node:
        return None
    # Some families put the PDF path in an <a href>, others in the element's text.
    text = node[0].attrib.get("href") or "".join(node[0].css("::text").getall())
    return _abs(url, text, profile)


def _image_size(sel: Selector, profile: SiteProfile) -> tuple[float, float] | None:
    img = sel.css(profile.selector("page_image"))
    try:
        return float(img[0].attrib["width"]), float(img[0].attrib["height"])
    except (IndexError, KeyError, ValueError):
        return None


def parse_layout(html: str, url: str, profile: SiteProfile) -> LayoutPage:
    """Parse one page index page; links come back absolute, without fragments."""
    sel = Selector(text=html)
    pages = _pages(sel, url, profile)
    url = profile.canonical_url(url)
    own = next((p for p in pages if p.url == url), None)
    articles: dict[str, ArticleLink] = {}
    for a in sel.css(profile.selector("article_links")):
        href = _abs(url, a.attrib.get("href"), profile)
        if href and href not in articles:
            articles[href] = ArticleLink(href, normalize_text("".join(a.css("::text").getall())))
    areas = []
    for area in sel.css(profile.selector("image_map")):
        href = _abs(url, area.attrib.get("href"), profile)
        try:
            coords = [float(c) for c in (area.attrib.get("coords") or "").split(",") if c.strip()]
        except ValueError:
            continue
        if href and len(coords) >= 4 and len(coords) % 2 == 0:
            areas.append(MapArea(href, coords))
    return LayoutPage(
        url=url,
        label=own.label if own else label_from_url(url, profile),
        name=own.name if own else None,
        pages=pages,
        pdf_url=_pdf_url(sel, url, profile),
        articles=list(articles.values()),
        areas=areas,
        image_size=_image_size(sel, profile),
    )
