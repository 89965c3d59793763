"""Article pages (BeautifulSoup): kicker, title, subtitle, author and body paragraphs."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from baokan.sites import SiteProfile
from parsers import ParseError
from parsers.text import convert_script, normalize_text

_BYLINE_MARKS = re.compile(r"^[►▶●■◆\s]+")
# Classic Founder pages: <!--enpproperty <title>…</title><author>…</author>…/enpproperty-->
_ENP = re.compile(r"<!--\s*enpproperty(.*?)/enpproperty\s*-->", re.S | re.I)
_ENP_FIELD = re.compile(r"<([A-Za-z]+)>(.*?)</\1>", re.S)
# enpproperty names → our field names.
_ENP_NAMES = {"introtitle": "kicker", "title": "title", "subtitle": "subtitle", "author": "author"}


@dataclass
class HtmlArticle:
    """The fields of one article page, normalized for display."""

    kicker: str | None
    title: str
    subtitle: str | None
    author: str | None
    paragraphs: list[str]
    # Metadata the page itself declares (classic enpproperty: articleid, date, nodename…).
    meta: dict[str, str] = field(default_factory=dict)


def enpproperty(html: str) -> dict[str, str]:
    """Fields of a classic Founder <!--enpproperty--> comment, unescaped and normalized."""
    match = _ENP.search(html)
    if not match:
        return {}
    return {
        name.lower(): normalize_text(htmllib.unescape(value))
        for name, value in _ENP_FIELD.findall(match.group(1))
    }


def _field(soup: BeautifulSoup, selector: str) -> str | None:
    node = soup.select_one(selector)
    text = normalize_text(node.get_text("")) if isinstance(node, Tag) else ""
    return text or None


def _paragraphs(soup: BeautifulSoup, selector: str) -> list[str]:
    """Body paragraphs; a body written with <br> instead of <p> is split on its line breaks."""
    paragraphs = [t for p in soup.select(selector) if (t := normalize_text(p.get_text("")))]
    if paragraphs:
        return paragraphs
    node = soup.select_one("founder-content") or soup.select_one("#ozoom")
    if not isinstance(node, Tag):
        return []
    return [t for line in node.get_text("\n").split("\n") if (t := normalize_text(line))]


def parse_article_html(html: str, url: str, profile: SiteProfile) -> HtmlArticle:
    """Parse an article page; raise ParseError naming the URL when title or body is missing."""
    soup = BeautifulSoup(html, "lxml")
    meta = enpproperty(html)
    fields = {
        ours: meta.get(theirs) or _field(soup, profile.selector(ours))
        for theirs, ours in _ENP_NAMES.items()
    }
    title = fields["title"]
    if not title:
        raise ParseError(f"{url}: article page has no title ({profile.selector('title')})")
    paragraphs = _paragraphs(soup, profile.selector("body"))
    if not paragraphs:
        raise ParseError(f"{url}: article page has no body text ({profile.selector('body')})")
    author = fields["author"]

    def conv(text: str | None) -> str | None:  # the profile's script conversion, if any
        return convert_script(text, profile.convert) if text else text

    return HtmlArticle(
        kicker=conv(fields["kicker"]),
        title=convert_script(title, profile.convert),
        subtitle=conv(fields["subtitle"]),
        author=conv(_BYLINE_MARKS.sub("", author) or None if author else None),
        paragraphs=[convert_script(p, profile.convert) for p in paragraphs],
        meta=meta,
    )
