"""Sitemaps and feeds read into entries: a URL and when it last changed, if it says.

Sitemaps (``urlset``, ``sitemapindex``, news sitemaps, gzipped or not) are read with
Scrapy's own :class:`scrapy.utils.sitemap.Sitemap`; RSS and Atom feeds (and RDF, with
``dc:date``) with ``feedparser``. A date is returned as ISO 8601 as given (a sitemap's
``<lastmod>``) or in UTC (a feed's, which feedparser reads in every format feeds use).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

MAX_SITEMAP_BYTES = 50 * 1024 * 1024
SITEMAP_TYPES = ("urlset", "sitemapindex")


@dataclass(frozen=True)
class Entry:
    """One entry of a sitemap or feed: its URL, when it last changed, whether it is a sitemap."""

    url: str
    changed: str | None = None
    sitemap: bool = False
    title: str | None = None  # a feed entry's or a news sitemap's title: the headline to look for


def read_xml(body: bytes, url: str) -> tuple[str, list[Entry]]:
    """``(kind, entries)`` of a fetched sitemap or feed: ``kind`` is ``sitemap``, ``feed``, or
    ``none`` when the body is neither (an HTML error page, an empty body)."""
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
    if not body.strip():
        return "none", []
    head = body[:2048].lstrip()
    if b"<urlset" in head or b"<sitemapindex" in head or b"<" in head[:1] and _sitemap_type(body):
        return "sitemap", list(_sitemap_entries(body, url))
    return _feed(body, url)


def _sitemap_type(body: bytes) -> str | None:
    try:
        kind = Sitemap(body).type
    except (StopIteration, SyntaxError, ValueError):
        return None
    return kind if kind in SITEMAP_TYPES else None


def _sitemap_entries(body: bytes, url: str) -> Iterator[Entry]:
    sitemap = Sitemap(body)
    is_index = sitemap.type == "sitemapindex"
    for item in sitemap:
        loc = item.get("loc")
        if loc:
            yield Entry(urljoin(url, loc), item.get("lastmod") or None, is_index)


def _feed(body: bytes, url: str) -> tuple[str, list[Entry]]:
    import feedparser  # imported when a feed is read: a crawl without feeds never pays for it

    parsed = feedparser.parse(body, response_headers={"content-location": url})
    if not parsed.get("version") and not parsed.entries:
        return "none", []
    entries = []
    for entry in parsed.entries:
        link = _entry_link(entry)
        if link:
            changed = entry.get("updated_parsed") or entry.get("published_parsed")
            entries.append(Entry(urljoin(url, link), _iso(changed), title=entry.get("title")))
    return "feed", entries


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    for candidate in entry.get("links", ()):
        if candidate.get("href") and candidate.get("rel", "alternate") == "alternate":
            return str(candidate["href"])
    return None


def _iso(moment: Any) -> str | None:
    """A feedparser date (a UTC ``time.struct_time``) as ISO 8601."""
    if not moment:
        return None
    return datetime.fromtimestamp(calendar.timegm(moment), UTC).isoformat()
