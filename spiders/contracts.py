"""Spider contracts for `scrapy check`: each family's callbacks fetched and checked for real.

A callback's docstring names a site-relative path (@fetch), fetched from the crawl's base
(under scrapy check: BAOKAN_CHECK_BASE_URL, e.g. a local mirror, else the site itself), and
what the callback must make of it (@row, @follows, @parses).
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

from parsers import ParseError
from parsers.article_html import parse_article_html
from parsers.decode import decode_html
from spiders.families.base import HANDLED_STATUSES
from spiders.items import FetchedItem


class FetchContract(Contract):
    """@fetch <path> <kind> <issue date>: the request, on the crawl's base URL."""

    name = "fetch"

    def __init__(self, method: Any, *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = method.__self__  # the callback is bound to the spider under check

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        """URL = the spider's fetch base + path; meta as the spider's own requests carry."""
        path, kind, day = self.args
        args["url"] = self.spider.fetch_base + path
        args["meta"] = {
            "handle_httpstatus_list": HANDLED_STATUSES,
            "kind": kind,
            "issue_date": day,
            "label": None,
            "page_depth": 0,
        }
        return args


def _items(output: list[Any]) -> list[FetchedItem]:
    return [o for o in output if isinstance(o, FetchedItem)]


class RowContract(Contract):
    """@row <kind> <status> [label]: the fetched page's manifest row, with a body on 200."""

    name = "row"

    def post_process(self, output: list[Any]) -> None:
        """The first item is the response's own row; check kind, status, label and body."""
        items = _items(output)
        if not items:
            raise ContractFail("no manifest row for the fetched page")
        row, body = items[0].row, items[0].body
        kind, status, *label = self.args
        got = (row.kind, str(row.status), row.page_label if label else None)
        want = (kind, status, label[0] if label else None)
        if got != want:
            raise ContractFail(f"row (kind, status, label) is {got}, expected {want}: {row.url}")
        if status == "200" and not body:
            raise ContractFail(f"row {row.url} has status 200 but no body")


class FollowsContract(Contract):
    """@follows <kind> <min>: the page links at least min documents of that kind."""

    name = "follows"

    def post_process(self, output: list[Any]) -> None:
        """Count requests of the kind, and rows reused from raw (fetched earlier) of it."""
        kind, least = self.args[0], int(self.args[1])
        requests = sum(isinstance(o, Request) and o.meta.get("kind") == kind for o in output)
        reused = sum(i.row.kind == kind for i in _items(output)[1:])
        if requests + reused < least:
            raise ContractFail(f"{requests + reused} {kind} link(s) followed, expected ≥ {least}")


class ParsesContract(Contract):
    """@parses: the fetched article page yields a title and body text with the profile."""

    name = "parses"

    def __init__(self, method: Any, *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = method.__self__

    def post_process(self, output: list[Any]) -> None:
        """Parse the item's body as baokan's parse step will; ParseError is a failure."""
        items = [i for i in _items(output) if i.body]
        if not items:
            raise ContractFail("no article body to parse")
        row, profile = items[0].row, self.spider.profile
        html = decode_html(items[0].body or b"", row.content_type, profile.charset)
        try:
            article = parse_article_html(html, row.url, profile)
        except ParseError as exc:
            raise ContractFail(str(exc)) from None
        if not article.paragraphs:
            raise ContractFail(f"{row.url}: no body paragraphs")
