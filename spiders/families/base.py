"""What every Founder family spider does; a family is a name plus its profile defaults."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from baokan.config import Settings, env_count
from baokan.rawzone import ManifestRow, RawZone, is_no_issue
from parsers.decode import decode_html
from parsers.layout import label_from_url, parse_layout
from spiders.args import ARGUMENTS, is_loopback, parse_args
from spiders.hostpolicy import HostPolicy, OffsiteRefused
from spiders.items import FetchedItem

# Requests in flight for a range crawl (baokan ingest --crawl-concurrency).
CONCURRENCY_ENV = "BAOKAN_CRAWL_CONCURRENCY"

# Failure types → the error kinds crawl stats count.
_ERROR_KINDS = {
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "DNSLookupError": "dns",
    "ConnectionRefusedError": "refused",
    "ConnectionLost": "connection_lost",
    "ResponseNeverReceived": "connection_lost",
    "IgnoreRequest": "robots",
    "CancelledError": "too_large",
    "DownloadCancelledError": "too_large",  # DOWNLOAD_MAXSIZE exceeded
}


# Crawl caps (spiders/settings.py): setting name → what it limits.
CAPS = {
    "BAOKAN_MAX_MAP_AREAS": "image-map areas on one page",
    "BAOKAN_MAX_ARTICLES_PER_ISSUE": "article links in one issue",
    "BAOKAN_MAX_PAGES_PER_ISSUE": "page index pages in one issue",
    "BAOKAN_MAX_PAGE_DEPTH": "page-list hops from the entry page",
}
# Per-issue caps: the manifest kind they count.
_ISSUE_CAPS = {"layout": "BAOKAN_MAX_PAGES_PER_ISSUE", "article": "BAOKAN_MAX_ARTICLES_PER_ISSUE"}

# Statuses the callbacks see (recorded as such); 3xx are left to Scrapy's redirect middleware,
# which follows them (handle_httpstatus_all would hand the bare 301/302 to the callback).
HANDLED_STATUSES = tuple(range(400, 600))


def error_kind(status: int | None, error: str | None) -> str:
    """A short name for what went wrong with a fetch: http_404, timeout, robots…"""
    if status is not None:
        return f"http_{status}"
    name = (error or "").split(":", 1)[0]
    return _ERROR_KINDS.get(name, name.lower() or "unknown")


def crawl_concurrency(text: str | None = None) -> int | None:
    """BAOKAN_CRAWL_CONCURRENCY (or text) as requests in flight; None when unset or empty."""
    return env_count(CONCURRENCY_ENV, text)


def _set_concurrency(crawler: Crawler, wanted: int, local: bool) -> None:
    """Requests in flight: any number against loopback; for a real site only ever fewer."""
    for name in ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN"):
        current = crawler.settings.getint(name)
        # Politeness towards a real site is never loosened by this lever, only tightened; an
        # explicit -s still wins (set() ignores a lower priority than the value's own).
        crawler.settings.set(name, wanted if local else min(wanted, current), priority="spider")


class FounderSpider(scrapy.Spider):
    """Crawl each issue's page index pages, their page PDFs and their article pages.

    Arguments (scrapy -a, checked by spiders.args): site, dates (comma-separated ISO dates),
    base_url (fetch from a mirror), force ('1' re-fetches what the raw zone already holds),
    stats_file (JSON).
    """

    # scrapy check: the site and issue the callbacks' contracts fetch (spiders/contracts.py).
    check_site = ""
    check_dates = ""

    def __init__(self, **kwargs: Any) -> None:
        args = parse_args(self.name, self._check_defaults(kwargs))
        super().__init__(**{k: v for k, v in kwargs.items() if k not in ARGUMENTS})
        self.profile = args.profile
        self.dates = list(args.dates)
        base = args.base_url or self.profile.base_url
        self.fetch_base = base if base.endswith("/") else base + "/"
        # Our own fixture server or mirror on loopback: politeness delays only slow it down.
        self.local = is_loopback(args.base_url)
        # Read by HostPolicyMiddleware for every request and redirect hop.
        self.host_policy = HostPolicy.for_crawl(self.profile, args.base_url)
        self.stats_file = args.stats_file
        self.entries = {self.profile.entry_url(d) for d in self.dates}
        self.zone = RawZone(Settings.from_env().raw_dir)
        # Rows of earlier (possibly interrupted) crawls: 200s are reused, not re-fetched.
        self.prior: dict[str, dict[str, ManifestRow]] = {
            d.isoformat(): {} if args.force else self._prior_rows(d.isoformat()) for d in self.dates
        }
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.counts: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.no_issue: list[str] = []
        self.followed: Counter[tuple[str, str]] = Counter()  # (day, kind) → links followed
        self.capped: list[str] = []
        self.caps_hit: set[tuple[str, str, str]] = set()  # (day, cap, page): recorded once

    @classmethod
    def check_arguments(cls, kwargs: dict[str, Any]) -> None:
        """Raise SpiderArgumentError naming the first bad -a argument (scrapy crawl calls it)."""
        parse_args(cls.name, cls._check_defaults(kwargs))

    @classmethod
    def _check_defaults(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Under scrapy check, the family's check site and BAOKAN_CHECK_BASE_URL by default."""
        if not os.environ.get("SCRAPY_CHECK"):
            return kwargs
        defaults = {"site": cls.check_site, "dates": cls.check_dates}
        if os.environ.get("BAOKAN_CHECK_BASE_URL"):
            defaults["base_url"] = os.environ["BAOKAN_CHECK_BASE_URL"]
        return {**defaults, **kwargs}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """The spider; a crawl of a loopback base_url runs without politeness delays.

        Settings are still writable here (Scrapy freezes them after the spider is built), at
        spider priority: an explicit -s on the command line still wins.
        """
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.local:
            crawler.settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            spider.logger.info(
                "base_url %s is loopback: no AutoThrottle, no delay", spider.fetch_base
            )
        wanted = crawl_concurrency()
        if wanted is not None:
            _set_concurrency(crawler, wanted, spider.local)
        return spider

    def _prior_rows(self, day: str) -> dict[str, ManifestRow]:
        rows = self.zone.read_manifest(self.profile.id, day, include_partial=True)
        # A row whose stored object is missing or damaged is fetched again, not reused.
        ok = [r for r in rows if r.status == 200 and r.sha256 and not self.zone.verify(r.sha256)]
        return {r.url: r for r in ok}

    async def start(self) -> AsyncIterator[Any]:
        """One request per issue: its first page index page."""
        for day in self.dates:
            url = self.profile.entry_url(day, self.fetch_base)
            for out in self._follow(url, "layout", day.isoformat(), label_from_url(url), 0, url):
                yield out

    def canonical(self, url: str) -> str:
        """The URL on the site's own host, however it was fetched (mirror, fixture server)."""
        url = self.profile.canonical_url(url)
        if url.startswith(self.fetch_base):
            return self.profile.base_url + url[len(self.fetch_base) :]
        return url

    def _fetch_url(self, canonical: str) -> str:
        if canonical.startswith(self.profile.base_url):
            return self.fetch_base + canonical[len(self.profile.base_url) :]
        return canonical

    def _follow(
        self, url: str, kind: str, day: str, label: str | None, depth: int, page: str
    ) -> Iterator[Any]:
        """A request for url, once per issue; or, when raw already has it, its stored row.

        depth counts page-list hops from the entry; page is the page the link was found on.
        """
        if not url.lower().startswith(("http://", "https://")):
            return  # file:, ftp:, data: … links are never fetched: nothing local leaks into raw
        canon = self.canonical(url)
        if canon in self.seen[day]:
            return  # image maps list an article twice (?div=0 / ?div=-1): one fetch
        over = self._over_cap(kind, day, depth)
        if over:
            yield from self._cap(day, over, page, f"{canon} and any further ones not followed")
            return
        self.seen[day].add(canon)
        self.followed[day, kind] += 1
        fetch = self._fetch_url(canon)
        refused = self.host_policy.refusal(fetch)
        if refused:
            meta = {"kind": kind, "issue_date": day, "label": label}
            yield self._offsite(canon, fetch, meta, refused)
            return
        prior = self.prior[day].get(canon)
        if prior is None:
            yield self._request(fetch, kind, day, label, depth)
            return
        self.counts["reused"] += 1
        yield FetchedItem(row=prior, body=None)
        if kind == "layout":
            body = self.zone.get(prior.sha256 or "")
            yield from self._links(body, prior.content_type, fetch, day, label, depth)

    def _limit(self, cap: str) -> int:
        return self.settings.getint(cap)

    def _over_cap(self, kind: str, day: str, depth: int) -> str | None:
        """The cap following one more link of this kind would exceed, if any."""
        if kind == "layout" and depth > self._limit("BAOKAN_MAX_PAGE_DEPTH"):
            return "BAOKAN_MAX_PAGE_DEPTH"
        cap = _ISSUE_CAPS.get(kind)
        if cap and self.followed[day, kind] >= self._limit(cap):
            return cap
        return None

    def _cap(self, day: str, cap: str, page: str, dropped: str) -> Iterator[FetchedItem]:
        """Record, once per issue and page, that a cap was hit on page: a 'capped' row."""
        canon = self.canonical(page)
        per_issue = cap in _ISSUE_CAPS.values() or cap == "BAOKAN_MAX_PAGE_DEPTH"
        key = (day, cap, "" if per_issue else canon)
        if key in self.caps_hit:
            return
        self.caps_hit.add(key)
        message = f"cap {cap}={self._limit(cap)} ({CAPS[cap]}) hit on {canon}: {dropped}"
        self.capped.append(f"{day}: {message}")
        self.logger.warning("%s", message)
        row = self._row(canon, {"kind": "capped", "issue_date": day, "label": None}, None, page)
        row.url = f"{canon}#{cap.lower()}"  # a fragment no real link has: no clash with its row
        row.error = message
        yield FetchedItem(row=row, body=None)

    def _request(
        self, url: str, kind: str, day: str, label: str | None, depth: int
    ) -> scrapy.Request:
        callback = {"layout": self.parse_layout, "article": self.parse_article}.get(
            kind, self.parse_leaf
        )
        meta = {
            "handle_httpstatus_list": HANDLED_STATUSES,
            "kind": kind,
            "issue_date": day,
            "label": label,
            "page_depth": depth,  # not "depth": Scrapy's DepthMiddleware owns that key
        }
        # The spider dedups per issue itself (self.seen); Scrapy's own filter would drop the
        # redirect of a second day without an issue to the same homepage, and with it the
        # day's manifest row.
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, meta=meta, dont_filter=True
        )

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
        kind = response.meta["kind"]
        if ok and kind == "layout" and self._left_issue(requested, response):
            # A day without an issue answered with the homepage or another day's issue:
            # record the redirect as "no issue" and keep the other page out of this day.
            # Scrapy gives the status of each HTTP redirect, or "meta refresh" for an HTML one.
            reasons = response.meta.get("redirect_reasons") or []
            ok, row.status = False, next((r for r in reasons if isinstance(r, int)), 302)
            self.no_issue.append(response.meta["issue_date"])
            row.error = f"no issue: redirected ({', '.join(map(str, reasons))}) to {response.url}"
        elif ok:
            self.counts[{"layout": "pages"}.get(kind, kind + "s")] += 1
            self.counts["bytes"] += len(response.body)
        elif kind == "layout" and is_no_issue(response.status) and self._is_entry(requested):
            self.no_issue.append(response.meta["issue_date"])
            row.error = f"no issue: HTTP {response.status}"
        else:
            row.error = f"HTTP {response.status}"
            self.errors[error_kind(response.status, None)] += 1
        return FetchedItem(row=row, body=response.body if ok else None)

    def _is_entry(self, url: str) -> bool:
        return self.canonical(url) in self.entries

    def _left_issue(self, requested: str, response: Response) -> bool:
        """An issue's entry page was redirected out of its dated directory."""
        if not response.meta.get("redirect_urls") or not self._is_entry(requested):
            return False
        issue_dir = urlsplit(requested).path.rsplit("/", 1)[0] + "/"
        return not urlsplit(response.url).path.startswith(issue_dir)

    def parse_layout(self, response: Response) -> Iterator[Any]:
        """Store the page index page and follow its pages, PDF and articles."""
        item = self._item(response)
        if item.body is None:
            yield item
            return
        yield from self._links(
            response.body,
            item.row.content_type,
            response.url,
            response.meta["issue_date"],
            response.meta["label"],
            response.meta.get("page_depth", 0),
            item,
        )

    def _links(
        self,
        body: bytes,
        content_type: str | None,
        url: str,
        day: str,
        label: str | None,
        depth: int,
        item: FetchedItem | None = None,
    ) -> Iterator[Any]:
        html = decode_html(body, content_type, self.profile.charset)
        page = parse_layout(html, url, self.profile)
        label = page.label or label
        if item is not None:
            item.row.page_label = label
            yield item
        for link in page.pages:
            yield from self._follow(link.url, "layout", day, link.label or None, depth + 1, url)
        if page.pdf_url:
            yield from self._follow(page.pdf_url, "pdf", day, label, depth, url)
        areas = page.areas
        if len(areas) > self._limit("BAOKAN_MAX_MAP_AREAS"):
            areas = areas[: self._limit("BAOKAN_MAX_MAP_AREAS")]
            dropped = f"{len(page.areas)} areas, the first {len(areas)} followed"
            yield from self._cap(day, "BAOKAN_MAX_MAP_AREAS", url, dropped)
        for article in dict.fromkeys([a.url for a in page.articles] + [a.url for a in areas]):
            yield from self._follow(article, "article", day, label, depth, url)

    def parse_leaf(self, response: Response) -> Iterator[FetchedItem]:
        """Store a PDF as fetched."""
        yield self._item(response)

    def parse_article(self, response: Response) -> Iterator[FetchedItem]:
        """Store an article page as fetched (its own callback: its own contracts)."""
        yield self._item(response)

    def _offsite(self, url: str, target: str, meta: dict[str, Any], reason: str) -> FetchedItem:
        """The row of a link (or a redirect to target) the host policy refused: never fetched."""
        row = self._row(url, meta, None, target)
        row.kind = "offsite"
        what = "link" if url == self.canonical(target) else f"redirect to {target}"
        row.error = f"offsite {meta['kind']} {what} not fetched: {reason}"
        self.counts["offsite"] += 1
        self.logger.warning("%s: %s", url, row.error)
        return FetchedItem(row=row, body=None)

    def _refused_redirect(self, request: scrapy.Request, reason: str) -> FetchedItem:
        """A request or redirect hop the host policy refused; an entry sent off-site: no issue."""
        requested = request.meta.get("redirect_urls", [request.url])[0]
        redirected = bool(request.meta.get("redirect_urls"))
        if not (redirected and request.meta["kind"] == "layout" and self._is_entry(requested)):
            return self._offsite(self.canonical(requested), request.url, request.meta, reason)
        reasons = request.meta.get("redirect_reasons") or []
        row = self._row(requested, request.meta, None, request.url)
        row.status = next((r for r in reasons if isinstance(r, int)), 302)
        row.error = (
            f"no issue: redirected ({', '.join(map(str, reasons))}) off-site to {request.url}"
        )
        self.no_issue.append(request.meta["issue_date"])
        return FetchedItem(row=row, body=None)

    def on_error(self, failure: Failure) -> Iterator[FetchedItem]:
        """A fetch that produced no response (DNS, refused, timeout) is recorded, not lost."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(OffsiteRefused):
            reason = failure.getErrorMessage().removeprefix(f"{request.url}: ")
            yield self._refused_redirect(request, reason)
            return
        row = self._row(request.url, request.meta, None, request.url)
        row.error = (
            f"{failure.type.__name__}: {failure.getErrorMessage()}"
            if failure.type
            else str(failure)
        )
        self.errors[error_kind(None, row.error)] += 1
        yield FetchedItem(row=row, body=None)

    def crawl_stats(self, reason: str) -> dict[str, Any]:
        """This run's baokan counts (what `baokan ingest` reports)."""
        return {
            "finish_reason": reason,
            "pages": self.counts["pages"],
            "pdfs": self.counts["pdfs"],
            "articles": self.counts["articles"],
            "bytes": self.counts["bytes"],
            "reused": self.counts["reused"],
            "offsite": self.counts["offsite"],
            "capped": self.capped,
            "errors": dict(sorted(self.errors.items())),
            "no_issue_days": sorted(set(self.no_issue)),
        }

    def closed(self, reason: str) -> None:
        """Log this run's crawl stats in one line; write them where the caller asked for them."""
        stats = self.crawl_stats(reason)
        errors = ", ".join(f"{k} {v}" for k, v in stats["errors"].items()) or "none"
        self.logger.info(
            "baokan stats: %d pages, %d PDFs, %d articles, %d reused from raw; errors: %s; "
            "off-site refused: %d; caps hit: %d; no-issue days: %s",
            stats["pages"],
            stats["pdfs"],
            stats["articles"],
            stats["reused"],
            errors,
            stats["offsite"],
            len(stats["capped"]),
            ", ".join(stats["no_issue_days"]) or "none",
        )
        if self.stats_file is None:
            return
        self.stats_file.parent.mkdir(parents=True, exist_ok=True)
        self.stats_file.write_text(json.dumps(stats, ensure_ascii=False), encoding="utf-8")
