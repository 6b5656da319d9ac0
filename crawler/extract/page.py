"""One parse per HTML page: its links, canonical URL, feeds and article, read together.

The spider needs a page's links (to discover), its ``rel=canonical`` (one article, one
URL), its ``<link rel=alternate>`` feeds, and the article on it. Reading all of them from
one lxml tree halves the parsing of a crawl, and lets the whole page be read in a worker
process (:mod:`crawler.pool`) off the crawl's reactor. Like the extraction core, this
is a pure function of (bytes, url, content type): no Scrapy in here.

Links are found as Scrapy's ``LinkExtractor`` finds them (``<a>`` and ``<area>``
``href``, HTML5 whitespace stripped, ``<base href>`` honoured, made safe, files such as
PDFs and images skipped, first occurrence kept), then normalised (:func:`normalize_url`).
"""

from __future__ import annotations

import logging
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError
from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

from crawler.discover.listings import is_step_text, page_text_number
from crawler.discover.urls import normalize_url
from crawler.extract.article import Reading, parse_html, read_tree
from crawler.extract.text import normalize_space

logger = logging.getLogger(__name__)

SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
# attributes a page keeps the URL of more content in, for its script to load (not images: data-src)
DATA_URL = re.compile(r"^data-(?:url|href|link|next|next-?url|load-?url|ajax-?url|source-?url|more-?url|page-?url)$")
DATA_URLS = (
    "//*[@data-url or @data-href or @data-link or @data-next or @data-next-url or @data-nexturl or "
    "@data-load-url or @data-loadurl or @data-ajax-url or @data-ajaxurl or @data-more-url or @data-page-url]"
)
LOADABLE = re.compile(r"^(?:https?://|/)[^\s\"'<>]+$")
# a URL a script link goes to: SharePoint's list view pager (RefreshPageTo), location = '…'
SCRIPT_URL = re.compile(
    r"""(?:RefreshPageTo\s*\(\s*event\s*,|\blocation(?:\.href)?\s*=|\blocation\.(?:assign|replace)\s*\()\s*(["'])(.+?)\1"""
)
LINK_CACHE = 4096
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
class ReadHints:
    """What the crawl knows of a page before reading it: the text of the link it was
    reached by (a headline, on a listing), and the ``<title>``s the site gives many pages."""

    link_text: str = ""
    shared_titles: frozenset[str] = frozenset()


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
    page_title: str = ""  # the page's <title>, as written


def read_html_page(body: bytes, url: str, content_type: str | None = None, hints: ReadHints | None = None) -> PageRead:
    """Read everything the crawl needs from one HTML page, parsing it once."""
    try:
        tree = parse_html(body, content_type)
    except (ParserError, ValueError):
        logger.info("%s: not parseable as HTML", url)
        return PageRead((), (), (), Reading(None, "not parseable as HTML"))
    title = normalize_space(next(iter(tree.xpath("//title/text()")), ""))
    base = _base_url(tree, url)
    links = tuple(page_links(tree, url, base))
    canonicals = tuple(_canonicals(tree, base))
    feeds = tuple(_feeds(tree, base))
    # the extraction cuts the tree it reads; links were taken first, so it may have this one
    hints = hints or ReadHints()
    return PageRead(links, canonicals, feeds, read_tree(tree, url, hints.link_text, hints.shared_titles), title)


def page_links(tree: lxml.html.HtmlElement, url: str, base: str | None = None) -> list[tuple[str, str]]:
    """The page's followable links as ``(normalised URL, text)``, each pair once (a pager's
    ``« Trang trước`` and ``13`` may lead to one page, and both say something):
    ``<a>`` and ``<area>`` hrefs as Scrapy's LinkExtractor finds them, then the URLs a page
    loads its lists from (a "Xem thêm" button's ``data-url``, ``data-href`` …) and its
    ``<link rel="next">``."""
    base = base or url
    seen: set[tuple[str, str]] = set()
    links: list[tuple[str, str]] = []
    base_origin, url_scheme = _origin(base), urlsplit(url).scheme

    def add(href: str, text: str) -> None:
        href = strip_html5_whitespace(href)
        if href.startswith("/") or SCHEME.match(href):
            # the same menu links on every page of a site: resolved once
            normalized = _resolve_shared(base_origin, url_scheme, href, base, url)
        else:
            normalized = _resolve(href, base, url)
        if normalized is not None and (normalized, text) not in seen:
            seen.add((normalized, text))
            links.append((normalized, text))

    for element in tree.iter("a", "area"):
        href = element.get("href")
        text = element.text_content()
        if not text.strip():
            text = _image_text(element)
        bare = href is None or href.strip().lower().startswith(("javascript:", "#")) or not href.strip()
        script = SCRIPT_URL.search(element.get("onclick") or href or "") if bare else None
        if script is not None:  # a script link: where its script goes
            add(script.group(2).replace("\\u0026", "&").replace("\\/", "/"), text)
        elif href is not None:
            add(href, text)
    for element in tree.xpath(DATA_URLS):
        for name, value in element.attrib.items():
            if DATA_URL.match(name) and LOADABLE.match(value.strip()):
                add(value, element.text_content())
    for element in tree.xpath("//link[@rel='next'][@href]"):
        add(element.get("href") or "", "next")
    return links


def _image_text(link: lxml.html.HtmlElement) -> str:
    """The text of a link that shows only an image, when it names a pager's step or page
    (``<img src="next.gif" alt="Trang kế tiếp">``); else empty (an image's alt text is no
    headline to go by)."""
    for image in link.iter("img"):
        for said in (image.get("alt"), image.get("title"), link.get("title")):
            if said and (is_step_text(said) or page_text_number(said) is not None):
                return said
    return ""


def _resolve(href: str, base: str, url: str) -> str | None:
    """The normalised absolute URL of a link, or None when it is not to be followed."""
    try:
        absolute = urljoin(url, safe_url_string(urljoin(base, href), encoding="utf-8"))
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or _has_ignored_extension(parts.path):
        return None
    return normalize_url(absolute)


_shared_links: dict[tuple[str, str, str], str | None] = {}


def _resolve_shared(base_origin: str, url_scheme: str, href: str, base: str, url: str) -> str | None:
    """:func:`_resolve` of a link that is absolute or starts with ``/``: its result depends on the
    scheme and host of ``base`` and the scheme of ``url`` only, the key of a bounded cache."""
    key = (base_origin, url_scheme, href)
    try:
        return _shared_links[key]
    except KeyError:
        pass
    if len(_shared_links) >= LINK_CACHE:
        _shared_links.clear()
    resolved = _shared_links[key] = _resolve(href, base, url)
    return resolved


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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
