"""Crawls in this process: ``python -m crawler.process SITE_ID [SITE_ID...] --db PATH``.

The scheduler and ``provnews crawl`` start this as a child process, because Scrapy's
reactor cannot be restarted within one process. Several sites are crawled at once, each
by its own crawler (its own politeness, its own ``crawls`` row), sharing the reactor
and the pool of extraction workers (:mod:`crawler.pool`); ``--at-once N`` caps how
many run together. Each site's crawl ends gracefully at its seed's ``timeout``.

Progress goes to stdout as JSON lines (``{"event": "article", "site": ...}``); Scrapy's
log goes to stderr. Exit status: 0 every crawl finished, 1 one failed, 2 bad arguments
or seed, 143 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings
from crawler.errors import CrawlerError
from crawler.overrides import parse_overrides
from crawler.seeds import load_seed
from crawler.spiders.site import SiteSpider

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 143
logger = logging.getLogger(__name__)


class JsonEvents(logging.Handler):
    """Write the ``event`` of ``provnews.progress`` records to stdout, one JSON a line."""

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "event", None)
        if event is not None:
            sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
            sys.stdout.flush()


def build_settings(seeds: Path, db: Path, overrides: dict[str, str]) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("PROVNEWS_SEEDS", str(seeds), priority="project")
    settings.set("PROVNEWS_DB", str(db), priority="project")
    settings.update(overrides, priority="cmdline")
    return settings


def crawl(site_ids: list[str], seeds: Path, db: Path, overrides: dict[str, str], at_once: int = 0) -> int:
    """Run the sites' crawls to their end, ``at_once`` at a time (0: all); the exit status."""
    for site_id in site_ids:
        load_seed(seeds / f"{site_id}.toml")
    process = CrawlerProcess(build_settings(seeds, db, overrides))
    crawlers = {site_id: process.create_crawler(SiteSpider) for site_id in site_ids}
    from twisted.internet import defer

    reasons: dict[str, str] = {}
    semaphore = defer.DeferredSemaphore(at_once or len(site_ids))

    def start(site_id: str) -> defer.Deferred[None]:
        if "shutdown" in reasons.values():  # asked to stop: the sites not started yet are not
            return defer.succeed(None)
        crawler = crawlers[site_id]

        def closed(spider: object, reason: str) -> None:
            reasons.setdefault(site_id, reason)

        crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
        crawl = process.crawl(crawler, site=site_id)
        crawl.addErrback(lambda failure: logger.error("%s: the crawl failed: %s", site_id, failure.getTraceback()))
        return crawl

    runs = [semaphore.run(start, site_id) for site_id in site_ids]
    everything = defer.DeferredList(runs, consumeErrors=True)

    def stop(result: object) -> object:
        from twisted.internet import reactor  # installed by the first crawl: imported after it

        if reactor.running:  # type: ignore[attr-defined]
            reactor.stop()  # type: ignore[attr-defined,misc]
        return result

    everything.addBoth(stop)
    if not everything.called:  # every crawl failed at once: no reactor to run
        process.start(stop_after_crawl=False)
    if "shutdown" in reasons.values():
        return EXIT_INTERRUPTED
    ok = all(reasons.get(site_id) in ("finished", "closespider_pagecount") for site_id in site_ids)
    return EXIT_OK if ok else EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.process", description=__doc__)
    parser.add_argument("sites", nargs="+", metavar="SITE")
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--db", type=Path, default=Path("archive.db"))
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--at-once", type=int, default=0, metavar="N", help="crawl at most N sites at a time")
    args = parser.parse_args(argv)
    events = logging.getLogger("provnews.progress")
    events.addHandler(JsonEvents())
    try:
        return crawl(args.sites, args.seeds, args.db, parse_overrides(args.overrides), max(0, args.at_once))
    except (CrawlerError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
