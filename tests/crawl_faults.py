"""Test-only faults for crawl processes: a Scrapy extension that makes one site's crawl
crash, run out of memory, or hang, once it has opened its ``crawls`` row.

Nothing in provnews loads it. A test puts ``tests/`` on the child's ``PYTHONPATH`` and
passes :func:`fault_overrides` as Scrapy settings (``--set`` of ``provnews schedule``)::

    PROVNEWS_TEST_FAULTS = "crashy=crash,oomy=oom,stuck=hang"

- ``crash``: ``abort()``, as a crash in a C extension would (SIGABRT);
- ``oom``: SIGKILL to itself, as the kernel's out-of-memory killer does;
- ``hang``: blocks the reactor, so the crawl neither progresses nor answers SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler import settings as project_settings

TESTS_DIR = Path(__file__).parent


def fault_overrides(faults: dict[str, str]) -> dict[str, str]:
    """The Scrapy settings that load the extension with these faults (site id → fault)."""
    extensions = {**getattr(project_settings, "EXTENSIONS", {}), "crawl_faults.FaultInjector": 0}
    spec = ",".join(f"{site}={fault}" for site, fault in faults.items())
    return {"EXTENSIONS": json.dumps(extensions), "PROVNEWS_TEST_FAULTS": spec}


def child_env() -> dict[str, str]:
    """The environment under which crawl processes can import this module."""
    paths = [str(TESTS_DIR), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


class FaultInjector:
    """Inject the fault named for the crawled site, when the spider opens."""

    def __init__(self, faults: dict[str, str]) -> None:
        self.faults = faults

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FaultInjector:
        spec = str(crawler.settings.get("PROVNEWS_TEST_FAULTS", ""))
        extension = cls(dict(pair.split("=", 1) for pair in spec.split(",") if "=" in pair))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider: Spider, **kwargs: Any) -> None:
        fault = self.faults.get(spider.seed.id)  # type: ignore[attr-defined]
        if fault == "crash":
            os.abort()
        elif fault == "oom":
            os.kill(os.getpid(), signal.SIGKILL)
        elif fault == "hang":
            time.sleep(3600)
