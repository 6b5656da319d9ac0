"""The generic site spider: from a seed's start URLs to every article of the site.

``scrapy crawl site -a site=langson-mirror`` works as well as ``provnews crawl``.
Decisions about URLs live in :class:`crawler.discover.frontier.Frontier`, reading pages in
:mod:`crawler.extract`; this module is the Scrapy glue: requests and their
:class:`~crawler.discover.frontier.Visit`, responses, feeds and sitemaps, conditional
rechecks, and the items the pipeline writes (articles, aliases, what is pending).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from crawler.discover.feeds import read_xml
from crawler.discover.frontier import Frontier, Visit
from crawler.discover.recheck import conditional_headers
from crawler.extract.page import ReadHints
from crawler.items import AliasFound, ArticleGone, ArticleNotModified, ArticlePage, PageUnread, UrlsDone, UrlsQueued
from crawler.pool import ExtractionFailed, ExtractionPool, shared_pool, worker_count
from crawler.seeds import Seed, load_seed
from storage.archive import Archive
from storage.records import FetchedPage, KnownArticle

if TYPE_CHECKING:
    from crawler.extract.page import PageRead

logger = logging.getLogger(__name__)

SEED_SETTINGS = {
    "DOWNLOAD_DELAY": "download_delay",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "concurrent_requests_per_host",
    "ROBOTSTXT_OBEY": "obey_robots",
    "AUTOTHROTTLE_ENABLED": "autothrottle",
    "CLOSESPIDER_PAGECOUNT": "max_pages",
}
GONE_STATUSES = (404, 410)
SHARED_TITLE_PAGES = 3  # a <title> given to this many pages with other headlines is no page's own
CLOSE_REASONS = {"closespider_pagecount": "max_pages", "shutdown": "interrupted", "closespider_timeout": "timeout"}


class SiteSpider(scrapy.Spider):
    """Crawl one site of ``seeds/``, named by ``-a site=ID``."""

    name = "site"
    seed: Seed
    frontier: Frontier
    pool: ExtractionPool
    allowed_domains: list[str]
    pending_aliases: dict[str, set[str]]
    titles: dict[str, set[str]]  # <title> -> the pages that had it
    canonicals: dict[str, str]  # a canonical URL named by a page -> that page's headline
    start_pages_read: int = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        site_id = kwargs.get("site") or getattr(spider, "site", None)
        if not site_id:
            raise ValueError("name the site to crawl: scrapy crawl site -a site=ID")
        spider.seed = load_seed(Path(crawler.settings.get("PROVNEWS_SEEDS")) / f"{site_id}.toml")
        for setting, field in SEED_SETTINGS.items():
            crawler.settings.set(setting, getattr(spider.seed, field), priority="spider")
        # requests waiting in the downloader have passed every check made when they leave the
        # queue (a page fetched meanwhile under another URL, a stop): a couple per host keep it busy
        waiting = 2 * len(spider.seed.hosts) * spider.seed.concurrent_requests_per_host
        crawler.settings.set("CONCURRENT_REQUESTS", max(2, waiting), priority="spider")
        spider.allowed_domains = list(spider.seed.hosts)
        with Archive(crawler.settings.get("PROVNEWS_DB")) as archive:
            state = archive.crawl_state(spider.seed.id)
        spider.frontier = Frontier(
            spider.seed, state, datetime.now(UTC), stop_after=crawler.settings.getint("PROVNEWS_STOP_AFTER_KNOWN", 1)
        )
        settings = crawler.settings
        spider.pool = shared_pool(
            worker_count(settings.get("PROVNEWS_EXTRACT_WORKERS")),
            settings.getfloat("PROVNEWS_EXTRACT_TIMEOUT"),
            settings.getint("PROVNEWS_EXTRACT_WORKER_MAX_RSS_MB"),
        )
        spider.pending_aliases = {}
        spider.titles = {}
        spider.canonicals = {}
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        logger.info("%s: %d articles already archived", spider.seed.id, len(state.articles))
        return spider

    async def start(self) -> AsyncIterator[Any]:
        self.pool.start()  # the workers import while robots.txt and the first pages download
        for url in self.seed.start_urls:
            visit = Visit(self.frontier.canonical(url), hops=0, start=True)
            self.frontier.requested.add(visit.url)
            yield self.page_request(visit, url, dont_filter=True)
        for url in self.seed.feeds + self.seed.sitemaps:
            yield self.xml_request(url)
        if not self.crawler.settings.getbool("ROBOTSTXT_OBEY"):
            yield self.xml_request(urljoin(self.seed.home_url, "/sitemap.xml"), optional=True)
        for visit in self.frontier.resumed():
            yield self.page_request(visit)
        for article in self.frontier.due_rechecks():
            yield self.recheck_request(article)

    def page_request(self, visit: Visit, url: str | None = None, dont_filter: bool = False) -> scrapy.Request:
        return scrapy.Request(url or visit.fetch, callback=self.parse, meta={"visit": visit}, dont_filter=dont_filter)

    # -- robots.txt, feeds and sitemaps -----------------------------------------

    def robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Sitemaps named by robots.txt (else ``/sitemap.xml``), and its Crawl-delay."""
        parser = getattr(robotparser, "rp", None)
        sitemaps = [url for url in getattr(parser, "sitemaps", ()) or () if self.frontier.on_site(url)]
        parts = urlsplit(request.url)
        home = self.frontier.canonical(f"{parts.scheme}://{parts.netloc}/sitemap.xml")
        if not sitemaps and self.frontier.recently_missing(home):
            self.frontier.skipped["no /sitemap.xml last time"] += 1
        for url in sitemaps or ([] if self.frontier.recently_missing(home) else [home]):
            if self.frontier.canonical(url) not in self.frontier.requested:
                self.crawler.engine.crawl(self.xml_request(url, optional=not sitemaps))
        delay = parser.crawl_delay(self.crawler.settings.get("USER_AGENT")) if parser else None
        if delay:
            self.honour_crawl_delay(float(delay), request)

    def honour_crawl_delay(self, delay: float, request: scrapy.Request) -> None:
        delay = min(delay, 60.0)
        slot_key = urlsplit(request.url).hostname or ""
        slot = self.crawler.engine.downloader.slots.get(slot_key)
        if slot is not None and slot.delay < delay:
            slot.delay, slot.jitter = delay, 0.0
        if getattr(self, "download_delay", 0) < delay:
            self.download_delay = delay
        logger.info("%s: robots.txt asks for %.1f s between requests: honoured", self.seed.id, delay)

    def xml_request(self, url: str, optional: bool = False) -> scrapy.Request:
        self.frontier.requested.add(self.frontier.canonical(url))
        meta: dict[str, Any] = {"xml": True}
        if optional:
            meta["handle_httpstatus_list"] = list(GONE_STATUSES)
        return scrapy.Request(url, callback=self.parse_xml, meta=meta)

    def parse_xml(self, response: Response) -> Iterator[Any]:
        """An RSS/Atom feed, a sitemap or a sitemap index: fetch what is new or changed."""
        source = self.frontier.canonical(response.url)
        if response.status != 200:
            self.frontier.xml_seen(source, response.status, "missing")
            return
        kind, entries = read_xml(response.body, response.url)
        if kind == "none":
            return
        self.frontier.xml_seen(source, response.status, kind)
        visits = []
        for entry in entries:
            url = self.frontier.canonical(entry.url)
            if not self.frontier.on_site(url):
                continue
            if entry.sitemap:
                if url not in self.frontier.requested and not self.frontier.sitemap_unchanged(url, entry.changed):
                    yield self.xml_request(url)
                continue
            if self.frontier.known(url) is not None:
                article = self.frontier.recheck_if_changed(url, entry.changed)
                if article is not None:
                    yield self.recheck_request(article)
            elif (visit := self.frontier.follow_listed(url, entry.changed, entry.title or "")) is not None:
                visits.append(replace(visit, href=entry.url, text=entry.title or ""))
        yield from self.requests(visits)

    # -- pages ------------------------------------------------------------------

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        visit: Visit = response.meta.get("visit") or Visit(self.frontier.canonical(response.url))
        if visit.start:
            self.start_pages_read += 1
        fetched = self.response_url(response)
        if not isinstance(response, TextResponse) or b"html" not in _content_type(response):
            yield UrlsDone(self.seed.id, (visit.fetch,))
            return
        read = await self.read_page(response, visit)
        if isinstance(read, PageUnread):
            yield read
            yield UrlsDone(self.seed.id, (visit.fetch,))
            return
        for url in read.feeds:
            if self.frontier.canonical(url) not in self.frontier.requested and self.frontier.on_site(url):
                yield self.xml_request(url)
        self.frontier.fetched.add(fetched)
        if visit.start:
            self.frontier.start_pages.add(fetched)
        seen = self.frontier.read_links(fetched, read.links)
        veto = (
            self.frontier.not_an_article(visit, fetched, seen, read.canonicals) if read.reading.reason is None else None
        )
        if veto is not None:
            read = replace(read, reading=replace(read.reading, reason=veto))
        items = list(self.article_items(response, read, visit, fetched))
        for item in items:
            yield item
        article = any(isinstance(item, ArticlePage | AliasFound) for item in items)
        visits = self.frontier.links(visit, fetched, seen, article=article)
        for request in self.requests(visits):
            yield request
        self._note_title(read, fetched)
        if not article:
            yield UrlsDone(self.seed.id, (visit.fetch,))

    def requests(self, visits: list[Visit]) -> Iterator[Any]:
        """The requests for ``visits``, after the item that records them as pending."""
        if visits:
            yield UrlsQueued(self.seed.id, tuple(v.pending() for v in visits))
        for visit in visits:
            yield self.page_request(visit)

    def response_url(self, response: Response) -> str:
        """The canonical URL of the page a response holds; the URLs that redirected to it are
        recorded as its other addresses. What the server's headers say of its URLs is learned."""
        headers = {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        self.frontier.identity.observe_headers(response.url, headers)
        fetched = self.frontier.canonical(response.url)
        for hop in response.meta.get("redirect_urls", ()):
            url = self.frontier.canonical(hop)
            if url != fetched and self.frontier.on_site(url):
                self.pending_aliases.setdefault(fetched, set()).add(self.frontier.identity.written(hop))
                self.frontier.requested.add(fetched)
        return fetched

    async def read_page(self, response: TextResponse, visit: Visit) -> PageRead | PageUnread:
        """The page read in the extraction pool, or, when it cannot be, its raw page to keep, marked."""
        shared = frozenset(title for title, pages in self.titles.items() if len(pages) >= SHARED_TITLE_PAGES)
        hints = ReadHints(visit.text, shared)
        try:
            return await self.pool.read(response.body, response.url, _content_type(response).decode("latin-1"), hints)
        except ExtractionFailed as error:
            logger.warning("%s: %s: %s; the raw page is kept", self.seed.id, response.url, error)
            return PageUnread(self.seed.id, _fetched_page(response), str(error))

    def _note_title(self, read: PageRead, url: str) -> None:
        """Remember which ``<title>`` each page had: one that many pages share is the site's,
        no page's own (``Chi tiết tin tức`` on every article, the portal's name on every listing)."""
        if read.page_title:
            self.titles.setdefault(read.page_title, set()).add(url)

    def article_items(
        self, response: TextResponse, read: PageRead, visit: Visit, fetched: str, rechecked: str | None = None
    ) -> Iterator[Any]:
        """The article on this page (under its URL in the archive: the canonical URL in the
        letter case the site wrote it) and the aliases found for it."""
        reading = read.reading
        if reading.article is None or reading.reason:
            logger.debug("%s: not an article: %s", response.url, reading.reason)
            return
        frontier = self.frontier
        if rechecked:
            key, url = frontier.canonical(rechecked), rechecked
        else:
            key, written = self.trusted_canonical(fetched, response.url, read)
            url = frontier.archive_url(key, written)
            if key != fetched:
                self.pending_aliases.setdefault(key, set()).add(frontier.identity.written(response.url))
        digest = hashlib.sha256(f"{reading.article.title}\n{reading.article.text}".encode()).hexdigest()
        twin = frontier.identity.observe_article(key, digest)
        if twin is not None and twin != key and not rechecked:
            frontier.add_article(key, fetched)
            twin_url = frontier.archived.get(twin, twin)
            frontier.archived[key] = twin_url
            yield AliasFound(self.seed.id, url, twin_url)
            for alias in sorted(self.pending_aliases.pop(key, ())):
                yield AliasFound(self.seed.id, alias, twin_url)
            yield UrlsDone(self.seed.id, (visit.fetch,))
            return
        frontier.add_article(key, fetched)
        frontier.found_article_from(visit.found_on)
        article = replace(reading.article, url=url)
        done = tuple({visit.fetch, visit.url, fetched, key, url})
        yield ArticlePage(self.seed.id, _fetched_page(response), article, rechecked=rechecked is not None, done=done)
        for alias in sorted(self.pending_aliases.pop(key, set())):
            if frontier.canonical(alias) != key:
                yield AliasFound(self.seed.id, alias, url)

    def trusted_canonical(self, fetched: str, fetched_as: str, read: PageRead) -> tuple[str, str]:
        """The URL the page names as its own (``rel=canonical``, ``og:url``), when it can be
        trusted: on the site, not a start page or the site's root, not already named by a page
        with another article (a template's site-wide ``og:url``); else the URL it was fetched at
        (``fetched``, canonical; ``fetched_as``, as requested). Canonical, and as written."""
        article = read.reading.article
        assert article is not None
        for raw in read.canonicals:
            url = self.frontier.canonical(raw)
            if not self.frontier.on_site(url) or urlsplit(url).path in ("", "/") or url in self._start_urls():
                continue
            if url in self.frontier.start_pages:
                continue
            if url != fetched and url in self.frontier.page_links:  # a page read this run as a listing
                continue
            title = self.canonicals.setdefault(url, article.title)
            if title != article.title:
                self.frontier.skipped["canonical URLs shared by pages of different articles: ignored"] += 1
                continue
            confirmed = len(self.canonicals) >= 2
            self.frontier.identity.observe_canonical(fetched, url, confirmed)
            return self.frontier.canonical(url), raw
        return fetched, fetched_as

    def _start_urls(self) -> set[str]:
        return {self.frontier.canonical(url) for url in self.seed.start_urls}

    # -- rechecks ---------------------------------------------------------------

    def recheck_request(self, article: KnownArticle) -> scrapy.Request:
        meta = {
            "handle_httpstatus_list": [304, *GONE_STATUSES],
            "recheck": article.url,
            "visit": Visit(self.frontier.canonical(article.url), 1, article.title or ""),
        }
        headers = conditional_headers(article)
        url = article.page_url or article.url  # as it was fetched: the archive's key may be lower-cased
        return scrapy.Request(url, callback=self.parse_recheck, headers=headers, meta=meta, dont_filter=True)

    async def parse_recheck(self, response: Response) -> AsyncIterator[Any]:
        url = response.meta["recheck"]
        if response.status == 304:
            yield ArticleNotModified(self.seed.id, url)
        elif response.status in GONE_STATUSES:
            yield ArticleGone(self.seed.id, url, response.status)
        elif isinstance(response, TextResponse):
            visit: Visit = response.meta["visit"]
            fetched = self.response_url(response)
            read = await self.read_page(response, visit)
            if isinstance(read, PageUnread):
                items: list[Any] = [read]
            else:
                # a recheck keeps the article's URL: one that now redirects or names another
                # canonical URL is still the same article, its new URL an alias
                items = list(self.article_items(response, read, visit, fetched, rechecked=url))
                if fetched != self.frontier.canonical(url):
                    items.append(AliasFound(self.seed.id, self.frontier.identity.written(response.url), url))
            if not any(isinstance(item, ArticlePage | PageUnread) for item in items):
                logger.warning("%s: %s no longer reads as an article; the archived version is kept", self.seed.id, url)
                self.frontier.skipped["rechecks that no longer read as articles"] += 1
            for item in items:
                yield item

    def closed(self, reason: str) -> None:
        """Remember what each non-article page was, how far each listing was walked and what
        the hosts taught, for the next run."""
        with Archive(self.crawler.settings.get("PROVNEWS_DB")) as archive:
            archive.remember_urls(self.seed.id, self.frontier.remembered())
            archive.drop_pending(self.seed.id, sorted(self.frontier.dropped))
            archive.save_listings(self.seed.id, self.frontier.listings(CLOSE_REASONS.get(reason)))
            archive.save_hosts(self.seed.id, self.frontier.hosts())


def _fetched_page(response: Response) -> FetchedPage:
    headers = {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
    return FetchedPage(response.url, response.status, response.body, headers, _now())


def _content_type(response: Response) -> bytes:
    return (response.headers.get(b"Content-Type") or b"text/html").lower()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
