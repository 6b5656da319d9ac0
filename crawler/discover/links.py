"""What a link looks like before it is fetched, without per-site code.

A link is classified by its shape alone; what a page *is* (article, listing, other)
is decided once it is fetched, by what it holds, and remembered in the archive. Which
links are a page's pager is read from the pager itself (:mod:`crawler.discover.listings`),
never from a URL alone: ``/?p=123`` is a WordPress article, a menu's ``?page=1`` a
listing's first page.

- **traps**: search and faceted pages (``?s=``, ``/tim-kiem``, ``?keyword=``), sign-in and
  registration pages, calendar
  pages reached from another calendar page, paths with a segment repeated more than twice
  or deeper than 20 segments, non-HTML files, print versions of articles;
- **facets**: tag and author pages (``/tag/``, ``/tac-gia/``, ``/author/``), read when
  first seen, not on every run;
- **feeds and sitemaps**: ``<link rel="alternate">`` RSS/Atom, links to ``.rss``/``/feed/``,
  ``Sitemap:`` lines of robots.txt.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

SEARCH_QUERY = re.compile(r"^(s|q|query|search|keyword|keywords|tukhoa|tu-khoa|key|searchtext|k)$", re.IGNORECASE)
SEARCH_PATH = re.compile(
    r"/(tim-kiem|timkiem|ket-qua-tim-kiem|search|searchresults?|search-results?|tra-cuu)(/|\.|$)", re.IGNORECASE
)
# signing in, registering, a password reset: never news (``/Login.aspx?returnurl=…``, Liferay's login portlet)
ACCOUNT = re.compile(
    r"/(login|logon|signin|sign-in|dang-nhap|dangnhap|register|dang-ky|quen-mat-khau|wp-login\.php)(/|\.|$)|"
    r"[?&](?:p_p_id=[^&]*login|task=(?:user\.)?(?:login|reset|remind)|view=(?:login|reset|remind|registration))",
    re.IGNORECASE,
)
CALENDAR_PATH = re.compile(r"/(19|20)\d\d/[01]?\d(/[0-3]?\d)?/?$")
CALENDAR_QUERY = re.compile(r"^(m|month|date|ngay|thang|day|year|nam|calendar)$", re.IGNORECASE)
FACET_PATH = re.compile(r"/(tag|tags|tu-khoa|tukhoa|chu-de|author|tac-gia|nguoi-viet|keyword)(/|-|$)", re.IGNORECASE)
PRINT_LINK = re.compile(r"([?&](print|in|view|mode)=(1|true|print|in)\b|/(print|in-bai|ban-in)(/|$))", re.IGNORECASE)
FEED_PATH = re.compile(r"(\.rss|\.atom|/rss/?|/feed/?|/atom/?|rss\.xml|atom\.xml|feed\.xml)$", re.IGNORECASE)
FILE_EXTENSIONS = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|bmp|tiff?|pdf|docx?|xlsx?|pptx?|zip|rar|7z|gz|mp[34]|avi|mov|wmv|flv|"
    r"css|js|json|woff2?|ttf|eot|exe|apk|dmg)$",
    re.IGNORECASE,
)
MAX_PATH_DEPTH = 20
LINK_KINDS_CACHED = 4096
MAX_SEGMENT_REPEATS = 2


@dataclass(frozen=True)
class LinkKind:
    """What a link looks like before it is fetched."""

    calendar: bool = False
    feed: bool = False
    facet: bool = False  # a tag or author page: a listing worth reading once, not every run
    trap: str | None = None  # why it must not be followed, or None


@lru_cache(maxsize=LINK_KINDS_CACHED)  # a site's menus are on every page
def classify_link(url: str, *, from_calendar: bool = False) -> LinkKind:
    """Classify a (normalised) link found on a page."""
    parts = urlsplit(url)
    path = parts.path or "/"
    query = parse_qsl(parts.query, keep_blank_values=True)
    segments = [s for s in path.split("/") if s]
    calendar = bool(CALENDAR_PATH.search(path)) or any(CALENDAR_QUERY.match(k) for k, _ in query)
    if FILE_EXTENSIONS.search(path):
        return LinkKind(trap="file")
    if SEARCH_PATH.search(path) or any(SEARCH_QUERY.match(k) for k, _ in query):
        return LinkKind(trap="search")
    if ACCOUNT.search(url):
        return LinkKind(trap="sign-in page")
    if len(segments) > MAX_PATH_DEPTH:
        return LinkKind(trap="path depth")
    if segments and Counter(segments).most_common(1)[0][1] > MAX_SEGMENT_REPEATS:
        return LinkKind(trap="repeated path segment")
    if calendar and from_calendar:
        return LinkKind(calendar=True, trap="calendar")
    if PRINT_LINK.search(url):
        return LinkKind(trap="print version")
    facet = bool(FACET_PATH.search(path))
    return LinkKind(calendar=calendar, feed=bool(FEED_PATH.search(path)), facet=facet)


@lru_cache(maxsize=LINK_KINDS_CACHED)
def is_calendar(url: str) -> bool:
    """A calendar or date-archive page (``/2024/05/``, ``?m=202405``)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    return bool(CALENDAR_PATH.search(parts.path or "/")) or any(CALENDAR_QUERY.match(k) for k, _ in query)
