"""One crawl in this process: ``python -m crawler.process SITE_ID --db PATH``.

The scheduler and ``provnews crawl`` start this as a child process, because Scrapy's
reactor cannot be restarted within one process. Progress goes to stdout as JSON
lines (``{"event": "article", ...}``); Scrapy's log goes to stderr. Exit status:
0 the crawl finished, 1 it failed, 2 bad arguments or seed, 143 interrupted.
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
from crawler.seeds import load_seed
from crawler.spiders.site import SiteSpider

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 143


class JsonEvents(logging.Handler):
    """Write the ``event`` of ``provnews.progress`` records to stdout, one JSON a line."""

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "event", None)
        if event is not None:
            sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
            sys.stdout.flush()


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``["DOWNLOAD_DELAY=0"]`` → ``{"DOWNLOAD_DELAY": "0"}``; raises ValueError on a bad pair."""
    overrides: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set {pair!r}: expected NAME=VALUE, e.g. --set DOWNLOAD_DELAY=0")
        overrides[name.strip()] = value.strip()
    return overrides


def build_settings(seeds: Path, db: Path, overrides: dict[str, str]) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("PROVNEWS_SEEDS", str(seeds), priority="project")
    settings.set("PROVNEWS_DB", str(db), priority="project")
    settings.update(overrides, priority="cmdline")
    return settings


def crawl(site_id: str, seeds: Path, db: Path, overrides: dict[str, str]) -> int:
    """Run one site's crawl to its end; the exit status of this process."""
    load_seed(seeds / f"{site_id}.toml")
    process = CrawlerProcess(build_settings(seeds, db, overrides))
    crawler = process.create_crawler(SiteSpider)
    reasons: list[str] = []
    crawler.signals.connect(lambda spider, reason: reasons.append(reason), signal=signals.spider_closed, weak=False)
    process.crawl(crawler, site=site_id)
    process.start()
    if not reasons:
        return EXIT_FAILED
    if reasons[0] == "shutdown":
        return EXIT_INTERRUPTED
    return EXIT_OK if reasons[0] in ("finished", "closespider_pagecount") else EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.process", description=__doc__)
    parser.add_argument("site")
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--db", type=Path, default=Path("archive.db"))
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    events = logging.getLogger("provnews.progress")
    events.addHandler(JsonEvents())
    try:
        return crawl(args.site, args.seeds, args.db, parse_overrides(args.overrides))
    except (CrawlerError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
