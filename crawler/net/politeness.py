"""Downloader middlewares for politeness Scrapy does not give by itself.

- :class:`RetryAfterMiddleware`: a 429 or 503 with ``Retry-After`` (seconds or an
  HTTP-date) pauses the whole host for that long (capped by ``RETRY_AFTER_MAX``), then
  retries; a longer demand ends the request for this run (scrapy/scrapy#3849).
- :class:`RobotsTxtMiddleware`: robots.txt as RFC 9309 says: a 4xx means allow all;
  a 5xx or no answer means disallow all for this run (not remembered).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet import reactor
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: ``"120"`` or an HTTP-date; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Honour ``Retry-After`` on 429/503 by pausing the host, then retrying."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("RETRY_AFTER_MAX", 120.0)
        self.max_retries = crawler.settings.getint("RETRY_TIMES", 2)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        if response.status not in (429, 503) or request.meta.get("dont_retry"):
            return response
        wait = retry_after_seconds((response.headers.get(b"Retry-After") or b"").decode("latin-1"))
        if wait is None:
            return response  # the ordinary retry middleware handles it
        stats = self.crawler.stats
        if wait > self.cap:
            logger.warning("%s asks to wait %.0f s (more than %.0f): not retried this run", request.url, wait, self.cap)
            if stats:
                stats.inc_value("provnews/retry_after/too_long")
            return response
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,  # type: ignore[arg-type]
            reason=f"{response.status} Retry-After {wait:.0f}s",
            max_retry_times=self.max_retries,
        )
        if retry is None:
            return response
        self.pause_host(request, wait)
        if stats:
            stats.inc_value("provnews/retry_after/honoured")
        retry.meta["dont_retry_after_pause"] = True
        return retry

    def pause_host(self, request: Request, wait: float) -> None:
        """Hold the host's download slot for ``wait`` seconds (every request to it waits)."""
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return
        key = request.meta.get("download_slot") or urlparse_cached(request).hostname or ""
        slot = downloader.slots.get(key)
        if slot is None:
            return
        normal = slot.delay
        slot.delay = max(slot.delay, wait)
        slot.lastseen = monotonic()
        logger.info("%s: pausing %s for %.1f s (Retry-After)", request.url, key, wait)

        def restore() -> None:
            if slot.delay == max(normal, wait):
                slot.delay = normal

        reactor.callLater(wait + 0.5, restore)  # type: ignore[attr-defined,arg-type]


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with 5xx and unreachable robots.txt as disallow-all."""

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            logger.warning("%s answered %d: disallowing the whole site for this run", response.url, response.status)
            response = response.replace(body=DISALLOW_ALL)
        elif response.status >= 400:
            response = response.replace(body=b"")
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        """No robots.txt answer at all: disallow all, for this run only."""
        if not isinstance(exc, IgnoreRequest):
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        logger.warning("robots.txt of %s did not answer: disallowing the site for this run", netloc)
        waiting = self._parsers[netloc]
        parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)
