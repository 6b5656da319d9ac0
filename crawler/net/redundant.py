"""Requests that became redundant while they waited in the queue.

A request is made for the URL a link had when it was followed. While it waits, the crawl
may learn that this URL is another name of a page it has fetched since: the host turned out
to be case-insensitive, a parameter turned out not to matter (see
:mod:`crawler.discover.identity`). Such a request is dropped before it leaves, so a page
costs one fetch however many URLs lead to it. Counted in the crawl's notes.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger(__name__)


class RedundantRequest(IgnoreRequest):
    """A request for a page already fetched under another of its URLs."""


class RedundantRequestMiddleware:
    """Drop a queued page request whose URL, as the site is known now, was fetched already."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedundantRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        frontier = getattr(spider or self.crawler.spider, "frontier", None)
        visit = request.meta.get("visit")
        if frontier is None or visit is None or visit.start or request.meta.get("recheck"):
            return None
        if frontier.fetched_already(request.url):
            frontier.skipped["requests for a page fetched meanwhile under another of its URLs"] += 1
            frontier.dropped.add(visit.fetch)
            raise RedundantRequest(f"{request.url}: fetched meanwhile under another URL")
        return None
