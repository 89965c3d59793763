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
_ENP_OURS = {ours: theirs for theirs, ours in _ENP_NAMES.items()}


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


def _node(soup: BeautifulSoup, selector: str) -> Tag | None:
    """The first element the selector matches (fields take one element, never several)."""
    node = soup.select_one(selector)
    return node if isinstance(node, Tag) else None


def _text(node: Tag | None) -> str | None:
    return (normalize_text(node.get_text("")) or None) if node is not None else None


def _byline(text: str | None) -> str | None:
    return (_BYLINE_MARKS.sub("", text) or None) if text else None


# Fields in order of trust: a field is dropped when its element, or its text, is already
# an earlier field's (a kicker selector that also matches the title cell, a subtitle cell
# that holds the byline): an empty field beats another field's text in the wrong place.
_FIELD_ORDER = ("title", "author", "subtitle", "kicker")


def _fields(
    soup: BeautifulSoup, meta: dict[str, str], profile: SiteProfile
) -> dict[str, str | None]:
    """Title, author, subtitle, kicker: enpproperty first, else the field's selector."""
    fields: dict[str, str | None] = {}
    taken: list[Tag] = []
    for name in _FIELD_ORDER:
        declared = meta.get(_ENP_OURS[name])
        node = None if declared else _node(soup, profile.selector(name))
        text = declared or _text(node)
        if name == "author":
            text = _byline(text)
        seen = {_byline(t) for t in fields.values() if t}
        if any(node is t for t in taken) or _byline(text) in seen:
            text = None
        elif node is not None:
            taken.append(node)
        fields[name] = text
    return fields


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
    fields = _fields(soup, meta, profile)
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
        author=conv(author),
        paragraphs=[convert_script(p, profile.convert) for p in paragraphs],
        meta=meta,
    )
