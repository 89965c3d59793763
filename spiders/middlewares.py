"""Downloader middlewares: retries with backoff, and responses made safe to decode."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from parsers.decode import sniff_codec


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
