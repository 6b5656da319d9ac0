"""The demo: serve the bundled offline mirror on 127.0.0.1 and crawl it.

``make demo`` runs ``provnews demo``: from nothing to a real archive in one command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from crawler.seeds import Seed, load_seed
from scheduler.demo.mirror import MirrorServer
from scheduler.runner import CrawlReport, Event, run_crawl

DEMO_SITE = "langson-mirror"
MIRROR_DIR = "mirror"


@contextmanager
def serve_mirror(seed: Seed, site_dir: Path) -> Iterator[MirrorServer]:
    """Serve ``site_dir`` at the host and port of the seed's first start URL."""
    parts = urlsplit(seed.home_url)
    server = MirrorServer(site_dir, host=parts.hostname or "127.0.0.1", port=parts.port or 80)
    try:
        server.start()
    except OSError as exc:
        raise OSError(
            f"{seed.path}: cannot serve the mirror at {parts.netloc} ({exc.strerror}); "
            "stop whatever uses that port, or change start_urls in that file"
        ) from exc
    try:
        yield server
    finally:
        server.stop()


def run_demo(
    seeds: Path, db: Path, on_event: Callable[[Event], None] | None = None, forward_signals: bool = False
) -> CrawlReport:
    """Serve the offline mirror, crawl it into ``db`` (this process's SIGTERM, SIGHUP and
    Ctrl-C passed on to the crawl with ``forward_signals``), stop the mirror."""
    seed = load_seed(seeds / f"{DEMO_SITE}.toml")
    with serve_mirror(seed, seeds / MIRROR_DIR):
        return run_crawl(
            seed.id, seeds=seeds, db=db, on_event=on_event, timeout=seed.timeout, forward_signals=forward_signals
        )
