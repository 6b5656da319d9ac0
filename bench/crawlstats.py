"""What bench/crawl.py measures, read from the archives, the servers' logs and bench/usage.py."""

from __future__ import annotations

import re
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from zoo import FixtureSite

from bench.usage import CoreUse, Usage
from bench.webserver import Served, ServedWeb

STARTED = time.monotonic()
FEED_PATH = re.compile(r"(\.xml|\.xml\.gz|\.rss|/feed/|/feed/atom/)$")
BUDGETED = ("robots.txt", "feeds & sitemaps", "listings & other pages")
KINDS = (
    *BUDGETED,
    "new articles",
    "articles missed on day 1",
    "known articles",
    "article variants",
    "traps",
    "robots-disallowed",
)
TRACKING = ("sid", "print", "fbclid")


def other_cpu(cores: tuple[CoreUse, ...], seconds: float, *measured: float) -> float:
    """CPU seconds the machine spent over ``seconds`` on anything but the ``measured`` ones."""
    return max(0.0, sum(core.busy for core in cores) * seconds - sum(measured))


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------- reading the archives


def crawl_rows(db: Path) -> list[dict[str, Any]]:
    """Every row of ``crawls``, oldest first (none when the archive is missing)."""
    rows = _query(db, "SELECT * FROM crawls ORDER BY id")
    return rows if isinstance(rows, list) else []


def gold_urls(sites: list[FixtureSite], urls: dict[str, str], db: Path, new: bool) -> dict[str, set[str]]:
    """Per site, the gold URLs (day-1 articles, or day-2 new ones) that ``articles`` holds."""
    archived = _query(db, "SELECT url FROM articles")
    have = {row["url"] for row in archived} if isinstance(archived, list) else set()
    found = {}
    for site in sites:
        paths = site.new_paths if new else [a.path for a in site.gold(1)]
        found[site.id] = {urls[site.id] + p for p in paths} & have
    return found


def naive_recall(db: Path, sites: list[FixtureSite], urls: dict[str, str]) -> tuple[int, int]:
    """(gold articles whose text the naive crawler stored under any URL of theirs, gold articles)."""
    gold = {_plain(urls[site.id] + a.path) for site in sites for a in site.gold(1)}
    rows = _query(db, "SELECT url FROM pages WHERE length(text) > 0")
    stored = {_plain(row["url"]) for row in rows} if isinstance(rows, list) else set()
    return len(gold & stored), len(gold)


def _plain(url: str) -> str:
    """A URL without session ids, tracking or print parameters and trailing slash."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING and not k.lower().startswith("utm_")
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path.split(";", 1)[0].rstrip("/"), urlencode(query), ""))


def _query(db: Path, sql: str) -> list[dict[str, Any]] | str:
    """The rows, or the error as text (a missing file, a table that changed)."""
    if not db.exists():
        return "no archive"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql)]
    except sqlite3.Error as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()


class Classifier:
    """What each request of a day-2 crawl of a site was for (one of ``KINDS``), given the gold
    articles the archive held before it (``archived``: their paths)."""

    def __init__(self, site: FixtureSite, archived: set[str]) -> None:
        self.site = site
        self.gold = {a.path for a in site.gold(1)}
        self.archived = archived
        self.articles = {_plain("http://x" + p) for p in (*self.gold, *site.new_paths)}

    def kind(self, target: str) -> str:
        site, path = self.site, target.split("?", 1)[0]
        if target == "/robots.txt":
            return "robots.txt"
        if target in site.feed_paths or FEED_PATH.search(path):
            return "feeds & sitemaps"
        if target in site.new_paths:
            return "new articles"
        if target in self.gold:
            return "known articles" if target in self.archived else "articles missed on day 1"
        if any(re.search(pattern, target) for pattern in site.trap_patterns):
            return "traps"
        if any(target.startswith(prefix) for prefix in site.disallowed_prefixes):
            return "robots-disallowed"
        if _plain("http://x" + target) in self.articles:
            return "article variants"
        return "listings & other pages"


# ----------------------------------------------------------------- measurements


@dataclass
class DayOne:
    size: int
    usage: Usage
    requests: int
    server_cpu: float
    gold: dict[str, int]
    archived: dict[str, int]
    articles: int
    db_bytes: int
    pages: tuple[int, int] | str  # (raw bytes, stored bytes) of ``pages``, or why not
    crawls: list[dict[str, Any]]
    web_pages: int
    web_bytes: int
    written_seconds: float
    render_seconds: float

    @classmethod
    def measure(
        cls,
        size: int,
        sites: list[FixtureSite],
        web: ServedWeb,
        usage: Usage,
        requests: list[Served],
        server_cpu: float,
        db: Path,
        written: float,
    ) -> DayOne:
        archived = gold_urls(sites, web.urls, db, new=False)
        count = _query(db, "SELECT count(*) AS n FROM articles")
        sizes = _query(db, "SELECT sum(size) AS raw, sum(length(body)) AS stored FROM pages")
        pages: tuple[int, int] | str = (
            sizes if isinstance(sizes, str) else (sizes[0]["raw"] or 0, sizes[0]["stored"] or 0)
        )
        files = [db, db.with_name(db.name + "-wal")]
        return cls(
            size,
            usage,
            len(requests),
            server_cpu,
            {site.id: len(site.gold(1)) for site in sites},
            {site_id: len(urls) for site_id, urls in archived.items()},
            count[0]["n"] if isinstance(count, list) else 0,
            sum(f.stat().st_size for f in files if f.exists()),
            pages,
            crawl_rows(db),
            sum(web.stats.pages.values()),
            web.stats.bytes,
            written,
            web.stats.render_seconds,
        )

    @property
    def found(self) -> int:
        return sum(self.archived.values())

    @property
    def total(self) -> int:
        return sum(self.gold.values())

    @property
    def recall(self) -> float:
        return self.found / max(1, self.total)

    @property
    def rate(self) -> float:
        return self.found / self.usage.seconds


@dataclass
class Bound:
    pages: int
    with_text: int
    seconds: float
    cores: tuple[CoreUse, ...]
    workers: int
    chunksize: int
    bytes: int
    cpu_seconds: float  # user + system of the pool's workers while timed

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


@dataclass
class Naive:
    usage: Usage
    requests: int
    server_cpu: float
    found: int
    total: int
    cap: int
    db_bytes: int

    @property
    def rate(self) -> float:
        return self.found / self.usage.seconds


@dataclass
class DayTwo:
    usage: Usage
    requests: list[Served]
    server_cpu: float
    kinds: list[str]
    crawls: list[dict[str, Any]]
    new_paths: dict[str, tuple[str, ...]]
    new_archived: dict[str, set[str]]
    render_seconds: float

    @property
    def counts(self) -> Counter[str]:
        return Counter(self.kinds)

    @property
    def new(self) -> int:
        return sum(len(paths) for paths in self.new_paths.values())

    @property
    def rechecks_due(self) -> int:
        return sum(int(row.get("articles_rechecked") or 0) for row in self.crawls)

    @property
    def late(self) -> int:
        """Day-1 gold articles the archive lacked, asked for on day 2 (each counted once)."""
        return len({q.path for q, kind in zip(self.requests, self.kinds, strict=True) if kind == KINDS[4]})

    @property
    def budget(self) -> int:
        return sum(self.counts[kind] for kind in BUDGETED) + self.new + self.late + self.rechecks_due


@dataclass
class Many:
    count: int
    size: int
    hosts: str
    alone_pages: dict[str, int]
    alone: dict[str, float]
    usage: Usage
    limit: float
    requests: int
    server_cpu: float
    in_flight: dict[str, int]
    found: int
    total: int
    crawls: list[dict[str, Any]]

    @property
    def slowest(self) -> float:
        return max(self.alone.values())


@dataclass
class Report:
    articles: int
    sites: int
    sizes: dict[int, DayOne] = field(default_factory=dict)
    day1: DayOne | None = None
    bound: Bound | None = None
    naive: Naive | None = None
    day2: DayTwo | None = None
    many: Many | None = None
    seconds: float = 0.0
    source: Path | None = None  # the provnews source tree run, when not the installed one
