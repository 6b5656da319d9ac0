"""Benchmark: a synthetic archive of Vietnamese articles, then size, search, export, status.

    .venv/bin/python bench/archive.py                  # 100,000 articles (a few minutes)
    .venv/bin/python bench/archive.py --articles 10000 --keep bench.db

Articles are made from Vietnamese word lists (place names with and without đ, people,
the vocabulary of provincial news) and stored through the archive's own bulk path,
``Archive.save_fetched_articles``, each with a raw HTML page (compressed, as in real
crawls); 1% then get a second version and 0.5% are marked gone. It prints the database
size per article, search latency p50/p95 over 20 typical queries (10 with diacritics, the
same 10 without; through ``Archive.search`` as ``provnews search`` does, and through the
Datasette canned query), export throughput (JSON lines and CSV), and ``provnews status``.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from bench.words import FUNCTION_WORDS, GENERAL, GIVEN, MIDDLE, PLACES, QUERIES, SURNAMES, TOPICS  # noqa: E402
from storage.archive import Archive  # noqa: E402
from storage.exports import export_articles  # noqa: E402
from storage.migrations import FTS_TABLE  # noqa: E402
from storage.queries import QUERIES as CANNED  # noqa: E402
from storage.records import Article, CrawlStats, FetchedPage, Site  # noqa: E402
from storage.text import fts_query  # noqa: E402

logger = logging.getLogger("bench")
SITES = 20
_START = 1640995200  # 2022-01-01 00:00 UTC
_SPAN = 4 * 365 * 86400
_BOILERPLATE = "".join(f'<li><a href="/chuyen-muc/{i}.html">Chuyên mục {i}</a></li>' for i in range(60))


class Writer:
    """Plausible Vietnamese news text from word lists, deterministic for a seed.

    An article is mostly about one topic (and a little about another): its sentences mix
    that topic's words, general words of provincial news, function words, places and people.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.topics = list(TOPICS.values())
        self.topic = self.topics[0]
        self.second = self.topics[1]
        self.home = PLACES[0]

    def start_article(self, home: str) -> None:
        self.topic, self.second = self.rng.sample(self.topics, 2)
        self.home = home

    def word(self) -> str:
        roll = self.rng.random()
        if roll < 0.30:
            return self.rng.choice(FUNCTION_WORDS)
        if roll < 0.55:
            return self.rng.choice(GENERAL)
        if roll < 0.90:
            return self.rng.choice(self.topic)
        return self.rng.choice(self.second)

    def person(self) -> str:
        return f"{self.rng.choice(SURNAMES)} {self.rng.choice(MIDDLE)} {self.rng.choice(GIVEN)}"

    def sentence(self, low: int = 8, high: int = 22) -> str:
        words = [self.word() for _ in range(self.rng.randint(low, high))]
        if self.rng.random() < 0.3:
            place = self.home if self.rng.random() < 0.6 else self.rng.choice(PLACES)
            words.insert(self.rng.randrange(len(words)), place)
        if self.rng.random() < 0.2:
            words.insert(self.rng.randrange(len(words)), "đồng chí " + self.person())
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def title(self) -> str:
        return self.sentence(6, 12).rstrip(".").replace(",", "")

    def text(self) -> str:
        paragraphs = [
            " ".join(self.sentence() for _ in range(self.rng.randint(2, 5))) for _ in range(self.rng.randint(4, 8))
        ]
        return "\n".join(paragraphs)

    def published(self) -> str | None:
        stamp = time.gmtime(_START + self.rng.randrange(_SPAN) + 7 * 3600)
        roll = self.rng.random()
        if roll < 0.02:
            return None
        if roll < 0.12:
            return time.strftime("%Y-%m-%d", stamp)
        return time.strftime("%Y-%m-%dT%H:%M:00+07:00", stamp)


def page_html(site: str, title: str, text: str, published: str | None, related: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in text.split("\n"))
    links = "".join(f'<li><a href="/tin/{i}.html">{t}</a></li>' for i, t in enumerate(related))
    html = (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title} - {site}</title></head>'
        f"<body><nav><ul>{_BOILERPLATE}</ul></nav><main><h1>{title}</h1><time>{published or ''}</time>"
        f'<article>{body}</article><section class="related"><h2>Tin liên quan</h2><ul>{links}</ul></section>'
        f"</main><footer>Cổng thông tin điện tử {site} — Bản quyền thuộc về cơ quan chủ quản</footer></body></html>"
    )
    return html.encode("utf-8")


def articles(writer: Writer, site: str, home: str, numbers: range) -> Iterator[tuple[FetchedPage, Article]]:
    titles: list[str] = [writer.title() for _ in range(5)]
    for number in numbers:
        writer.start_article(home)
        title, text, published = writer.title(), writer.text(), writer.published()
        author = writer.person() if writer.rng.random() < 0.7 else None
        url = f"http://127.0.0.1/{site}/tin-tuc/{number}.html"
        page = FetchedPage(url, 200, page_html(site, title, text, published, titles), {"content-type": "text/html"})
        titles[number % 5] = title
        yield (
            page,
            Article(url, title, text, published, author, "Báo " + site, language="vi", extractor_version="bench"),
        )


def build(db: Path, total: int, seed: int) -> float:
    """Fill ``db`` with ``total`` articles over ``SITES`` sites; the seconds it took."""
    writer, started = Writer(seed), time.perf_counter()
    with Archive(db) as archive:
        per_site = -(-total // SITES)
        for index in range(SITES):
            site = f"tinh-{index + 1:02d}"
            archive.upsert_site(Site(site, f"Cổng thông tin {PLACES[index]}", f"http://127.0.0.1/{site}/"))
            for _ in range(29):
                archive.finish_crawl(archive.start_crawl(site), "ok", CrawlStats(pages_fetched=40, articles_new=5))
            crawl = archive.start_crawl(site)
            numbers = range(index * per_site, min(total, (index + 1) * per_site))
            counts = archive.save_fetched_articles(site, articles(writer, site, PLACES[index], numbers), crawl)
            archive.finish_crawl(crawl, "ok", CrawlStats(pages_fetched=len(numbers), articles_new=counts["new"]))
            logger.info("%s: %d articles (%.0f s)", site, counts["new"], time.perf_counter() - started)
        change_some(archive, writer, total)
    return time.perf_counter() - started


def change_some(archive: Archive, writer: Writer, total: int) -> None:
    """A second version for 1% of the articles; 0.5% gone from their sites."""
    rng = random.Random(7)
    for number in rng.sample(range(total), total // 100):
        site = f"tinh-{number // -(-total // SITES) + 1:02d}"
        url = f"http://127.0.0.1/{site}/tin-tuc/{number}.html"
        row = archive.article(url)
        assert row is not None
        edited = Article(url, row["title"], row["text"] + "\n" + writer.sentence(), row["published"], row["author"])
        archive.save_article(site, edited)
    for number in rng.sample(range(total), total // 200):
        site = f"tinh-{number // -(-total // SITES) + 1:02d}"
        archive.mark_gone(f"http://127.0.0.1/{site}/tin-tuc/{number}.html")


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000


def timed(run: Callable[[str], object], query: str, repeat: int) -> list[float]:
    """``repeat`` timings of ``run(query)``, after one untimed run that warms the cache."""
    run(query)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run(query)
        samples.append(time.perf_counter() - started)
    return samples


def measure_search(db: Path, repeat: int) -> list[str]:
    """Lines of the search report: p50/p95 per group, then each query's matches and median."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        with Archive(db) as archive:
            cli = {q: timed(lambda q: archive.search(q, limit=20), q, repeat) for q in QUERIES}
        canned_sql = CANNED["search"]["sql"]
        canned = {
            q: timed(lambda q: connection.execute(canned_sql, {"q": q, "site": ""}).fetchall(), q, repeat)
            for q in QUERIES
        }
        matches = {
            q: connection.execute(
                f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", [fts_query(q)]
            ).fetchone()[0]
            for q in QUERIES
        }
    finally:
        connection.close()
    groups = [
        ("provnews search (Archive.search, 20 hits), 20 queries", cli, QUERIES),
        ("  the 10 with diacritics", cli, QUERIES[::2]),
        ("  the 10 without diacritics", cli, QUERIES[1::2]),
        ("Datasette canned query 'search' (50 hits)", canned, QUERIES),
    ]
    lines = []
    for name, timings, queries in groups:
        p50, p95 = percentiles([sample for q in queries for sample in timings[q]])
        lines.append(f"search {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    lines.append("  query                     matching articles   median ms (provnews search)")
    for q in QUERIES:
        lines.append(f"  {q:<26} {matches[q]:>17,}   {statistics.median(cli[q]) * 1000:8.1f}")
    return lines


def measure_export(db: Path, folder: Path) -> dict[str, tuple[int, float]]:
    results = {}
    with Archive(db) as archive:
        for fmt in ("jsonl", "csv"):
            target = folder / f"export.{fmt}"
            started = time.perf_counter()
            with target.open("w", encoding="utf-8", newline="") as out:
                count = export_articles(archive, out, fmt=fmt)
            results[fmt] = (count, time.perf_counter() - started)
            target.unlink()
    return results


def measure_status(db: Path, folder: Path, repeat: int) -> str:
    """Wall time of ``provnews status`` in a fresh process (Python start-up included)."""
    from scheduler.cli import cli

    if "status" not in cli.commands:
        return "n/a (no `provnews status` command in this tree yet)"
    seeds = folder / "seeds"
    seeds.mkdir(exist_ok=True)
    for index in range(SITES):
        site = f"tinh-{index + 1:02d}"
        seed = f'name = "Cổng thông tin {PLACES[index]}"\nstart_urls = ["http://127.0.0.1/{site}/"]\n'
        (seeds / f"{site}.toml").write_text(seed, encoding="utf-8")
    command = [sys.executable, "-m", "scheduler.cli", "status", "--db", str(db), "--seeds", str(seeds)]
    samples, done = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd=PROJECT)
        samples.append(time.perf_counter() - started)
    assert done is not None
    lines = len(done.stdout.splitlines())
    median = statistics.median(samples) * 1000
    return f"{median:.0f} ms median of {repeat} runs (exit {done.returncode}, {lines} lines; Python start-up included)"


def report(db: Path, total: int, build_seconds: float, folder: Path, repeat: int) -> None:
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    print(f"articles: {total:,}  (built in {build_seconds:.0f} s, {total / build_seconds:,.0f} articles/s)")
    print(f"database: {size / 1e6:,.1f} MB, {size / total / 1024:.1f} KiB per article (raw pages zlib-compressed)")
    for table, kib in table_sizes(db, total):
        print(f"  {table:<18} {kib:6.1f} KiB per article")
    for line in measure_search(db, repeat):
        print(line)
    for fmt, (count, seconds) in measure_export(db, folder).items():
        print(f"export {fmt}: {count:,} articles in {seconds:.1f} s = {count / seconds:,.0f} articles/s")
    print(f"provnews status: {measure_status(db, folder, repeat)}")


def table_sizes(db: Path, total: int) -> list[tuple[str, float]]:
    """Bytes per article of the biggest tables (their indexes included), from ``dbstat``."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT coalesce(m.tbl_name, s.name), sum(s.pgsize) FROM dbstat s "
            "LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1 ORDER BY 2 DESC LIMIT 6"
        ).fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        return []
    finally:
        connection.close()
    return [(name, size / total / 1024) for name, size in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="how many articles (default 100,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the text generator")
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it (default: a temporary file)")
    args = parser.parse_args()
    if args.articles < SITES * 10:
        parser.error(f"--articles: at least {SITES * 10}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("storage").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="provnews-bench-") as folder:
        db = args.keep or Path(folder) / "archive.db"
        if db.exists():
            parser.error(f"--keep: {db} exists; remove it or name another file")
        seconds = build(db, args.articles, args.seed)
        report(db, args.articles, seconds, Path(folder), args.repeat)
        print(json.dumps({"python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version}))


if __name__ == "__main__":
    main()
