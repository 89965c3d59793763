"""Article pages (BeautifulSoup): kicker, title, subtitle, author and body paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from baokan.sites import SiteProfile
from parsers import ParseError
from parsers.text import normalize_text

_BYLINE_MARKS = re.compile(r"^[►▶●■◆\s]+")


@dataclass
class HtmlArticle:
    """The fields of one article page, normalized for display."""

    kicker: str | None
    title: str
    subtitle: str | None
    author: str | None
    paragraphs: list[str]


def _field(soup: BeautifulSoup, selector: str) -> str | None:
    node = soup.select_one(selector)
    text = normalize_text(node.get_text("")) if isinstance(node, Tag) else ""
    return text or None


def parse_article_html(html: str, url: str, profile: SiteProfile) -> HtmlArticle:
    """Parse an article page; raise ParseError naming the URL when title or body is missing."""
    soup = BeautifulSoup(html, "lxml")
    title = _field(soup, profile.selector("title"))
    if not title:
        raise ParseError(f"{url}: article page has no title ({profile.selector('title')})")
    paragraphs = [
        t for p in soup.select(profile.selector("body")) if (t := normalize_text(p.get_text("")))
    ]
    if not paragraphs:
        raise ParseError(f"{url}: article page has no body text ({profile.selector('body')})")
    author = _field(soup, profile.selector("author"))
    return HtmlArticle(
        kicker=_field(soup, profile.selector("kicker")),
        title=title,
        subtitle=_field(soup, profile.selector("subtitle")),
        author=_BYLINE_MARKS.sub("", author) or None if author else None,
        paragraphs=paragraphs,
    )
