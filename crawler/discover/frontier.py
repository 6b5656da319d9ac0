"""The crawl frontier of one run: what to fetch, given what the archive already holds.

The archive is the crawl state (no JOBDIR carried between runs). A run:

- always reads the start pages, the feeds and the sitemaps;
- re-reads the listing pages linked from a start page (the "first listing pages");
- walks pagination one page at a time, and only while the pages keep linking to URLs
  never seen before: after ``stop_after`` pages in a row with nothing new, it stops;
- fetches a known article only when a recheck is due (see :mod:`crawler.discover.recheck`);
- skips known pages that list no articles (contact, about) unless a month has passed;
- skips a known date archive (``/2026/08/``, ``/2026/08/14/``) last read after its period
  ended: no article can join a month that is over;
- takes a link that differs from a known or requested URL only by a trailing slash
  (``/bai-viet`` and ``/bai-viet/``) for that URL: servers answer both with one page;
- never follows traps (:mod:`crawler.discover.links`), and counts what it skipped and why.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from crawler.discover.links import classify_link, is_calendar
from crawler.discover.recheck import parse_time, recheck_due
from crawler.discover.urls import same_site
from crawler.seeds import Seed
from storage.records import CrawlState, KnownArticle, KnownUrl

logger = logging.getLogger(__name__)

LISTING_MIN_ARTICLE_LINKS = 2
CHROME_MIN_PAGES = 10
OTHER_PAGE_REFETCH = timedelta(days=30)
PAGE_NUMBER = re.compile(r"(?:/page/|/trang-?|-trang-|/p)(\d+)", re.IGNORECASE)


def page_number(url: str) -> int:
    """The page number of a listing URL (1 when it has none)."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if value.isdigit() and classify_link(f"http://x/?{key}={value}").pagination:
            return int(value)
    match = PAGE_NUMBER.search(parts.path)
    return int(match.group(1)) if match else 1


DIGITS = re.compile(r"\d+")
DATE_ARCHIVE = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/(?:([0-3]?\d)/?)?$")
# a period ends at midnight of the site's day; a site's clock may be anywhere from UTC-12 to UTC+14
PERIOD_SLACK = timedelta(hours=14)


def period_end(url: str) -> datetime | None:
    """When the period of a date archive ends (``/2026/08/`` → the end of August 2026, UTC,
    plus ``PERIOD_SLACK`` for the site's time zone), or None when ``url`` is not one."""
    match = DATE_ARCHIVE.search(urlsplit(url).path)
    if match is None or urlsplit(url).query:
        return None
    year, month, day = int(match[1]), int(match[2]), match[3]
    try:
        if day is None:
            start = datetime(year, month, calendar.monthrange(year, month)[1], tzinfo=UTC)
        else:
            start = datetime(year, month, int(day), tzinfo=UTC)
    except ValueError:  # the 31st of June
        return None
    return start + timedelta(days=1) + PERIOD_SLACK


def slash_twin(url: str) -> str | None:
    """``url`` with its trailing slash taken off or put on (``/a/`` ↔ ``/a``); None for a
    site's root and for file-like paths (``/a.html``)."""
    parts = urlsplit(url)
    path = parts.path
    if path in ("", "/"):
        return None
    if path.endswith("/"):
        twin = path.rstrip("/")
    elif "." in path.rsplit("/", 1)[-1]:
        return None
    else:
        twin = path + "/"
    return parts._replace(path=twin).geturl()


@dataclass
class Frontier:
    """Decisions about links for one crawl of one site."""

    seed: Seed
    state: CrawlState
    now: datetime
    stop_after: int = 1
    max_rechecks: int = 500
    articles: set[str] = field(default_factory=set)
    requested: set[str] = field(default_factory=set)
    # requested from an article's page (related news, next/previous): such a request
    # says nothing of whether a listing page that also links there brings news
    from_articles: set[str] = field(default_factory=set)
    rechecked: set[str] = field(default_factory=set)
    # links already counted as news by a listing page: news once, not on every page of the run
    # (a link the crawl never fetches, say robots-disallowed, would otherwise keep every
    # listing walking to its last page)
    counted_news: set[str] = field(default_factory=set)
    # listings (their URL but for its numbers) that lead to articles (see page_seen): their
    # pagination is no deeper than their first page; a listing that leads to no article (a
    # generator trap: ``?page=N`` forever, each page linking to new pages) goes no deeper
    # than the seed's max_depth
    productive: set[str] = field(default_factory=set)
    start_links: set[str] = field(default_factory=set)  # the links of the start pages read so far
    page_links: dict[str, tuple[int, frozenset[str]]] = field(default_factory=dict)
    xml_kinds: dict[str, tuple[int, str]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.articles = set(self.state.articles) | set(self.state.aliases)

    # -- articles ---------------------------------------------------------------

    def is_article(self, url: str) -> bool:
        return url in self.articles

    def known(self, url: str) -> KnownArticle | None:
        return self.state.article_for(url)

    def add_article(self, *urls: str) -> None:
        self.articles.update(urls)

    def due_rechecks(self) -> list[KnownArticle]:
        """Known articles whose recheck is due by age, youngest first, at most ``max_rechecks``."""
        due = [a for a in self.state.articles.values() if recheck_due(a, self.now)]
        due.sort(key=lambda a: a.published or a.first_seen, reverse=True)
        if len(due) > self.max_rechecks:
            self.skipped["rechecks over the per-run limit"] += len(due) - self.max_rechecks
        return self.claim_rechecks(due[: self.max_rechecks])

    def recheck_if_changed(self, url: str, changed: str | None) -> KnownArticle | None:
        """A known article that a feed or sitemap says changed after the last check."""
        known = self.known(url)
        moment = parse_time(changed)
        if known is None or moment is None or not recheck_due(known, self.now, moment):
            return None
        return next(iter(self.claim_rechecks([known])), None)

    def claim_rechecks(self, articles: list[KnownArticle]) -> list[KnownArticle]:
        fresh = [a for a in articles if a.url not in self.rechecked]
        self.rechecked.update(a.url for a in fresh)
        return fresh

    # -- links ------------------------------------------------------------------

    def follow(
        self, url: str, text: str, source: str, *, from_start: bool, new_streak: int | None, from_article: bool = False
    ) -> bool:
        """Whether to fetch a link found on ``source``; ``new_streak`` is set on listing pages:
        how many pages in a row have linked to nothing new (for the pagination stop rule);
        ``from_article``: ``source`` is an article's page."""
        if url in self.requested or self.is_article(url):
            return False
        if (twin := slash_twin(url)) and (twin in self.requested or self.is_article(twin)):
            self.skipped["the same URL but for a trailing slash"] += 1
            return False
        if not same_site(url, self.seed.hosts):
            return False
        kind = classify_link(url, text, from_calendar=is_calendar(source))
        if kind.trap:
            self.skipped[kind.trap] += 1
            return False
        if kind.pagination:
            if new_streak is None or new_streak >= self.stop_after:
                self.skipped["pagination: nothing new on the pages before"] += 1
                return False
            if page_number(url) != page_number(source) + 1 and not _is_next(text):
                return False
        elif not self._worth_fetching(url, from_start and not kind.facet):
            return False
        self.requested.add(url)
        if from_article:
            self.from_articles.add(url)
        return True

    def is_pagination(self, url: str, text: str, source: str) -> bool:
        """A link to another page of the listing ``source`` (not a trap)."""
        kind = classify_link(url, text, from_calendar=is_calendar(source))
        return kind.pagination and not kind.trap

    def found_article_from(self, listing: str) -> None:
        """An article was found by a link on the listing page ``listing``."""
        self.productive.add(listing_key(listing))

    def pagination_depth(self, source: str) -> int:
        """How much deeper the next page of the listing ``source`` lies: 0 once the listing led
        to an article, else 1."""
        return 0 if listing_key(source) in self.productive else 1

    def follow_listed(self, url: str, changed: str | None) -> bool:
        """Whether to fetch a page a feed or sitemap lists (not a known article): unless it is
        remembered and neither changed since (by the listed date) nor due by age. A change
        of a page that lists no articles (contact, about) is no reason to read it again."""
        if url in self.requested or self.is_article(url):
            return False
        memory = self.state.urls.get(url)
        if memory is not None:
            moment, fetched = parse_time(changed), parse_time(memory.last_fetched)
            changed_since = memory.kind != "other" and moment is not None and (fetched is None or moment > fetched)
            if not changed_since and not self._worth_fetching(url, from_start=False):
                self.skipped["listed pages unchanged since the last run"] += 1
                return False
        self.requested.add(url)
        return True

    def _worth_fetching(self, url: str, from_start: bool) -> bool:
        memory = self.state.urls.get(url)
        if memory is None:
            return True
        if memory.kind == "listing":
            if from_start and self._closed_period(url, memory):
                self.skipped["date archives of a period over when last read"] += 1
                return False
            return from_start
        fetched = parse_time(memory.last_fetched)
        return fetched is None or self.now - fetched >= OTHER_PAGE_REFETCH

    @staticmethod
    def _closed_period(url: str, memory: KnownUrl) -> bool:
        end, fetched = period_end(url), parse_time(memory.last_fetched)
        return end is not None and fetched is not None and fetched >= end

    def _seen(self, url: str) -> bool:
        return (
            url in self.state.articles
            or url in self.state.aliases
            or url in self.state.urls
            or (url in self.requested and url not in self.from_articles)
        )

    def unseen(self, links: list[str], source: str | None = None) -> int:
        """How many links point at URLs never seen before: not archived before this run, not
        remembered, not requested in this run from a page that is not an article (links that
        only articles led to so far, e.g. as related news, are still news to a listing).
        A URL seen but for its trailing slash is no news, nor one an earlier page of this run
        counted as news already. Traps are no news, nor other pages of the listing ``source``
        (the same URL but for its numbers): a listing that grew by a page links every one of
        its pages to that new last page."""
        fresh = [
            url
            for url in links
            if not self._seen(url)
            and not ((twin := slash_twin(url)) and self._seen(twin))
            and not classify_link(url).trap
            and not (source and _same_listing(url, source))
            and url not in self.counted_news
        ]
        self.counted_news.update(fresh)
        if fresh:
            logger.debug("%d links never seen before, e.g. %s", len(fresh), fresh[:3])
        return len(fresh)

    # -- memory for the next run ------------------------------------------------

    def _chrome_links(self) -> set[str]:
        """Links on more than half of the pages seen (menus, sidebars), when there are enough pages to tell."""
        if len(self.page_links) < CHROME_MIN_PAGES:
            return set()
        counts = Counter(link for _, links in self.page_links.values() for link in links)
        return {link for link, count in counts.items() if count > len(self.page_links) / 2}

    def xml_seen(self, url: str, status: int, kind: str) -> None:
        """A fetched feed or sitemap (``kind``), or ``missing`` when it answered 404/410."""
        self.xml_kinds[url] = (status, kind)

    def sitemap_unchanged(self, url: str, changed: str | None) -> bool:
        """A sitemap whose index says it has not changed since it was last read."""
        memory = self.state.urls.get(url)
        fetched = parse_time(memory.last_fetched) if memory and memory.kind == "sitemap" else None
        moment = parse_time(changed)
        if fetched is None or moment is None or moment > fetched:
            return False
        self.skipped["sitemaps unchanged since the last run"] += 1
        return True

    def recently_missing(self, url: str) -> bool:
        """A URL that answered 404 not long ago (e.g. a site without /sitemap.xml)."""
        memory = self.state.urls.get(url)
        fetched = parse_time(memory.last_fetched) if memory and memory.kind == "missing" else None
        return fetched is not None and self.now - fetched < OTHER_PAGE_REFETCH

    def page_seen(self, url: str, status: int, links: list[str], *, start: bool = False) -> None:
        """A fetched page that is not an article, with the same-site links it holds (``start``:
        a start page). A page linking to articles that no start page links to (not the site's
        "most read" chrome) makes its listing productive, as an article found from it does:
        articles first met in a sitemap or an earlier run still count."""
        self.page_links[url] = (status, frozenset(links))
        if start:
            self.start_links.update(links)
            return
        articles = sum(1 for link in links if self.is_article(link) and link not in self.start_links)
        if articles >= LISTING_MIN_ARTICLE_LINKS:
            self.productive.add(listing_key(url))

    def remembered(self) -> list[KnownUrl]:
        """What each non-article page turned out to be, once the run's articles are known.

        A page is a ``listing`` when it links to articles beyond the site's chrome (the
        links found on most pages, such as a "most read" sidebar), else ``other``.
        """
        now = self.now.isoformat(timespec="seconds")
        remembered = []
        chrome = self._chrome_links()
        for url, (status, links) in self.page_links.items():
            count = sum(1 for link in links if link in self.articles and link not in chrome)
            kind = "listing" if count >= LISTING_MIN_ARTICLE_LINKS else "other"
            known = self.state.urls.get(url)
            if kind == "other" and known is not None and known.kind == "listing" and not chrome:
                kind, count = "listing", max(count, known.article_links)  # too few pages this run to judge
            remembered.append(KnownUrl(url, kind, now, status, count))
        remembered.extend(KnownUrl(url, kind, now, status) for url, (status, kind) in self.xml_kinds.items())
        return remembered


def listing_key(url: str) -> str:
    """What the pages of one listing share: their URL but for its numbers."""
    return DIGITS.sub("", url)


def _same_listing(url: str, source: str) -> bool:
    return url != source and listing_key(url) == listing_key(source)


def _is_next(text: str) -> bool:
    return bool(text) and classify_link("http://x/", text).pagination
