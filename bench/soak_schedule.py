"""Soak the scheduler: many short crawls of the offline mirror, and what they cost over time.

    .venv/bin/python bench/soak_schedule.py --minutes 10 --every 5 --sites 2

Runs a :class:`~scheduler.schedule.CrawlScheduler` in this process against the offline
mirror served on 127.0.0.1 by another process (``--sites`` copies of its seed, each crawled ``--every``
seconds), samples this process's resident memory, open file descriptors, threads and
zombie children, then prints them with the runs recorded, their outcomes and the longest
gap between two starts of a site (RELIABILITY.md P7 and §3 item 10, in miniature).
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

from scheduler.schedule import CrawlScheduler, ScheduleConfig


def sample() -> dict[str, int]:
    """This process: resident memory (KiB), open file descriptors, threads, zombie children."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    zombies = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        zombies += fields[0] == "Z" and int(fields[1]) == int(status["Pid"])
    return {
        "rss_kib": int(status["VmRSS"].split()[0]),
        "fds": len(list(Path("/proc/self/fd").iterdir())),
        "threads": int(status["Threads"]),
        "zombies": zombies,
    }


@contextmanager
def serve_mirror() -> Iterator[str]:
    """The offline mirror in its own process (it keeps a record of every request), its URL."""
    command = [sys.executable, "-m", "scheduler.demo.mirror", "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait()
        if server.stdout:
            server.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--every", type=int, default=5, help="seconds between two crawls of a site")
    parser.add_argument("--sites", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory() as tmp, serve_mirror() as mirror_url:
        seeds, db = Path(tmp) / "seeds", Path(tmp) / "archive.db"
        seeds.mkdir()
        for n in range(args.sites):
            (seeds / f"site-{n}.toml").write_text(
                f'name = "mirror {n}"\nstart_urls = ["{mirror_url}/"]\ndownload_delay = 0.0\n'
                f'autothrottle = false\nevery = "{args.every}s"\n'
            )
        service = CrawlScheduler(ScheduleConfig(seeds, db, max_jitter=0))
        service.start()
        samples = [(0.0, sample())]
        started = time.monotonic()
        while (elapsed := time.monotonic() - started) < args.minutes * 60:
            time.sleep(min(30.0, args.minutes * 60 - elapsed))
            samples.append((time.monotonic() - started, sample()))
            print(f"{samples[-1][0]:7.0f} s  {samples[-1][1]}", flush=True)
        service.stop()
        report(db, samples, args.every)


def report(db: Path, samples: list[tuple[float, dict[str, int]]], every: int) -> None:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT site, started, outcome FROM crawls ORDER BY id").fetchall()
    by_site: dict[str, list[datetime]] = {}
    for site, started, _ in rows:
        by_site.setdefault(site, []).append(datetime.fromisoformat(started))
    gaps = [(b - a).total_seconds() for starts in by_site.values() for a, b in zip(starts, starts[1:], strict=False)]
    first, last = samples[1][1] if len(samples) > 1 else samples[0][1], samples[-1][1]
    print(f"runs: {len(rows)} ({dict(Counter(outcome for *_, outcome in rows))}), every {every} s per site")
    print(f"longest gap between two starts of a site: {max(gaps, default=0):.0f} s")
    growth = 100 * (last["rss_kib"] - first["rss_kib"]) / first["rss_kib"]
    print(f"RSS {first['rss_kib']} → {last['rss_kib']} KiB ({growth:+.1f} %) after the first sample")
    print(f"file descriptors {first['fds']} → {last['fds']}, threads {first['threads']} → {last['threads']}")
    print(f"zombie children at most: {max(s['zombies'] for _, s in samples)}")


if __name__ == "__main__":
    main()
