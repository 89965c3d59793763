"""New-style Founder e-papers (pc/layout/YYYYMM/DD/node_XX.html)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from baokan.rawzone import ManifestRow
from baokan.sites import get_site
from parsers.decode import decode_html
from parsers.layout import label_from_url, parse_layout
from spiders.items import FetchedItem


class FounderNewSpider(scrapy.Spider):
    """Crawl each issue's page index pages, their page PDFs and their article pages."""

    name = "founder_new"

    def __init__(self, site: str, dates: str, base_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.profile = get_site(site)
        self.dates = [date.fromisoformat(d.strip()) for d in dates.split(",") if d.strip()]
        base = base_url or self.profile.base_url
        self.fetch_base = base if base.endswith("/") else base + "/"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """One request per issue: its first page index page."""
        for day in self.dates:
            url = self.profile.entry_url(day, self.fetch_base)
            yield self._request(url, "layout", day.isoformat(), label_from_url(url))

    def canonical(self, url: str) -> str:
        """The URL on the site's own host, however it was fetched (mirror, fixture server)."""
        if url.startswith(self.fetch_base):
            return self.profile.base_url + url[len(self.fetch_base) :]
        return url

    def _request(self, url: str, kind: str, issue_date: str, label: str | None) -> scrapy.Request:
        callback = self.parse_layout if kind == "layout" else self.parse_leaf
        meta = {
            "handle_httpstatus_all": True,
            "kind": kind,
            "issue_date": issue_date,
            "label": label,
        }
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta)

    def _row(
        self, url: str, meta: dict[str, Any], status: int | None, fetched_url: str
    ) -> ManifestRow:
        return ManifestRow(
            site_id=self.profile.id,
            issue_date=meta["issue_date"],
            kind=meta["kind"],
            url=self.canonical(url),
            fetched_url=fetched_url,
            status=status,
            content_type=None,
            size=0,
            sha256=None,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            page_label=meta["label"],
        )

    def _item(self, response: Response) -> FetchedItem:
        requested = response.meta.get("redirect_urls", [response.url])[0]
        row = self._row(requested, response.meta, response.status, response.url)
        content_type = response.headers.get("Content-Type") or b""
        row.content_type = content_type.decode("latin-1") or None
        ok = response.status == 200
        if not ok:
            row.error = f"HTTP {response.status}"
        return FetchedItem(row=row, body=response.body if ok else None)

    def parse_layout(self, response: Response) -> Iterator[Any]:
        """Store the page index page and follow its pages, PDF and articles."""
        item = self._item(response)
        yield item
        if response.status != 200:
            return
        html = decode_html(response.body, item.row.content_type)
        page = parse_layout(html, response.url, self.profile)
        day = response.meta["issue_date"]
        for link in page.pages:
            yield self._request(link.url, "layout", day, link.label or label_from_url(link.url))
        label = page.label or response.meta["label"]
        if page.pdf_url:
            yield self._request(page.pdf_url, "pdf", day, label)
        for url in dict.fromkeys([a.url for a in page.articles] + [a.url for a in page.areas]):
            yield self._request(url, "article", day, label)

    def parse_leaf(self, response: Response) -> Iterator[FetchedItem]:
        """Store a PDF or article page as fetched."""
        yield self._item(response)

    def on_error(self, failure: Failure) -> Iterator[FetchedItem]:
        """A fetch that produced no response (DNS, refused, timeout) is recorded, not lost."""
        request = failure.request  # type: ignore[attr-defined]
        row = self._row(request.url, request.meta, None, request.url)
        row.error = (
            f"{failure.type.__name__}: {failure.getErrorMessage()}"
            if failure.type
            else str(failure)
        )
        yield FetchedItem(row=row, body=None)
