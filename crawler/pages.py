"""One parse per HTML page: its links, canonical URL, feeds and article, read together.

The spider needs a page's links (to discover), its ``rel=canonical`` (one article, one
URL), its ``<link rel=alternate>`` feeds, and the article on it. Reading all of them from
one lxml tree halves the parsing of a crawl, and lets the whole page be read in a worker
process (:mod:`crawler.workers`) off the crawl's reactor. Like the extraction core, this
is a pure function of (bytes, url, content type): no Scrapy in here.

Links are found as Scrapy's ``LinkExtractor`` finds them (``<a>`` and ``<area>``
``href``, HTML5 whitespace stripped, ``<base href>`` honoured, made safe, files such as
PDFs and images skipped, first occurrence kept), then normalised (:func:`normalize_url`).
"""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError
from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

from crawler.extraction import Reading, parse_html, read_tree
from crawler.urls import normalize_url

logger = logging.getLogger(__name__)

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/xml", "text/xml")
# Files a link extractor skips, as scrapy.linkextractors.IGNORED_EXTENSIONS (kept equal by a test).
IGNORED_EXTENSIONS = frozenset(
    "7z 7zip bz2 rar tar tar.gz xz zip "
    "mng pct bmp gif jpg jpeg png pst psp tif tiff ai drw dxf eps ps svg cdr ico webp "
    "mp3 wma ogg wav ra aac mid au aiff "
    "3gp asf asx avi mov mp4 mpg qt rm swf wmv m4a m4v flv webm "
    "xls xlsm xlsx xltm xltx potm potx ppt pptm pptx pps doc docb docm docx dotm dotx odt ods odg odp "
    "css pdf exe bin rss dmg iso apk jar sh rb js hta bat cpl msi msp py".split()
)


@dataclass(frozen=True)
class PageRead:
    """What one HTML page holds for the crawl.

    ``links``: ``(normalised URL, link text)`` in page order, each URL once; ``canonicals``:
    the normalised ``rel=canonical`` then ``og:url`` targets, as written; ``feeds``: the
    normalised URLs of its RSS/Atom/JSON feeds; ``reading``: the extraction's verdict.
    """

    links: tuple[tuple[str, str], ...]
    canonicals: tuple[str, ...]
    feeds: tuple[str, ...]
    reading: Reading


def read_html_page(body: bytes, url: str, content_type: str | None = None) -> PageRead:
    """Read everything the crawl needs from one HTML page, parsing it once."""
    try:
        tree = parse_html(body, content_type)
    except (ParserError, ValueError):
        logger.info("%s: not parseable as HTML", url)
        return PageRead((), (), (), Reading(None, "not parseable as HTML"))
    base = _base_url(tree, url)
    links = tuple(page_links(tree, url, base))
    canonicals = tuple(_canonicals(tree, base))
    feeds = tuple(_feeds(tree, base))
    # the extraction cuts the tree it reads; links were taken first, so it may have this one
    return PageRead(links, canonicals, feeds, read_tree(tree, url))


def page_links(tree: lxml.html.HtmlElement, url: str, base: str | None = None) -> list[tuple[str, str]]:
    """The page's followable links as ``(normalised URL, text)``, first occurrence of each."""
    base = base or url
    seen: set[str] = set()
    links: list[tuple[str, str]] = []
    for element in tree.iter("a", "area"):
        href = element.get("href")
        if href is None:
            continue
        try:
            absolute = urljoin(url, safe_url_string(urljoin(base, strip_html5_whitespace(href)), encoding="utf-8"))
            parts = urlsplit(absolute)
        except ValueError:
            continue
        if parts.scheme not in ("http", "https") or _has_ignored_extension(parts.path):
            continue
        normalized = normalize_url(absolute)
        if normalized not in seen:
            seen.add(normalized)
            links.append((normalized, element.text_content()))
    return links


def _has_ignored_extension(path: str) -> bool:
    name = posixpath.basename(path).lower()
    if "." not in name:
        return False
    return name.rsplit(".", 1)[1] in IGNORED_EXTENSIONS or name.endswith(".tar.gz")


def _base_url(tree: lxml.html.HtmlElement, url: str) -> str:
    for element in tree.iter("base"):
        href = element.get("href")
        if href:
            try:
                return urljoin(url, strip_html5_whitespace(href))
            except ValueError:
                return url
    return url


def _canonicals(tree: lxml.html.HtmlElement, base: str) -> list[str]:
    """The first ``rel=canonical`` and the first ``og:url``, in that order."""
    found = [
        next(iter(tree.xpath("//link[@rel='canonical']/@href")), None),
        next(iter(tree.xpath("//meta[@property='og:url']/@content")), None),
    ]
    return [normalize_url(urljoin(base, href.strip())) for href in found if href and href.strip()]


def _feeds(tree: lxml.html.HtmlElement, base: str) -> list[str]:
    return [
        normalize_url(urljoin(base, link.get("href")))
        for link in tree.xpath("//link[@rel='alternate'][@href]")
        if (link.get("type") or "").lower() in FEED_TYPES
    ]
