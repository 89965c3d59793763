"""Downloader middlewares: the host policy, retries with backoff, safe decoding."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.internet.threads import deferToThread

from parsers.decode import sniff_codec
from spiders.hostpolicy import HostPolicy, OffsiteRefused, internal_address


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy (5xx, timeouts, dropped connections) plus a growing delay."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            attempt = int(retry.meta.get("retry_times", 1))
            retry.meta["backoff_delay"] = min(self.cap, self.base * 2 ** (attempt - 1))
        return retry


class BackoffDelayMiddleware:
    """Waits out a retried request's backoff delay before it goes to the downloader."""

    async def process_request(self, request: Request) -> None:
        """Sleep without blocking the reactor, then let the request through."""
        delay = float(request.meta.pop("backoff_delay", 0) or 0)
        if delay > 0:
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))


class SniffEncodingMiddleware:
    """A page whose charset names no text codec (base64, rot13…) is decoded by sniffing.

    Scrapy's own decoding (response.text, which meta refresh reads) would raise LookupError
    and drop the response; sits between decompression (590) and meta refresh (580).
    """

    def process_response(self, request: Request, response: Response) -> Response:
        """Re-label a text response Scrapy cannot decode with the codec its bytes sniff as."""
        if not isinstance(response, TextResponse):
            return response
        try:
            response.text  # noqa: B018 - decoding is the check; the result is cached
        except LookupError:
            content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
            return response.replace(encoding=sniff_codec(response.body, content_type))
        return response


class HostPolicyMiddleware:
    """Refuses every request, redirect hops included, to a host the spider's policy excludes.

    Runs before robots.txt (100), so not even robots.txt is asked of a refused host. Names
    are resolved once per crawl, off the reactor thread, and refused if they point inward.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.resolved: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostPolicyMiddleware:
        """Keep the crawler: the spider (and its policy) exists only once the crawl runs."""
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        """Let the request through, or raise OffsiteRefused naming the URL and the reason."""
        policy: HostPolicy | None = getattr(self.crawler.spider, "host_policy", None)
        if policy is None:
            return
        reason = policy.refusal(request.url)
        host = None if reason else policy.needs_lookup(request.url)
        if host is not None:
            if host not in self.resolved:
                found = deferToThread(internal_address, host)
                self.resolved[host] = await maybe_deferred_to_future(found)
            if self.resolved[host]:
                reason = f"{host} resolves to the internal address {self.resolved[host]}"
        if reason:
            raise OffsiteRefused(f"{request.url}: {reason}")
