"""Crawl-performance benchmark (issue 7): provnews against the machine bound and a naive crawler.

    .venv/bin/python bench/crawl.py                          # 5 sites x 1,000 articles (about 10 minutes)
    .venv/bin/python bench/crawl.py --articles 100 --many 10 # a quick look
    .venv/bin/python bench/crawl.py --skip-naive --many 0 --keep /tmp/crawlbench

The fixture web of the tests (tests/zoo/) at N articles per site: its four
layouts (agency portal, newspaper, SharePoint, WordPress) plus a second agency portal
written from its own random seed, rendered once into memory and served on 127.0.0.1 by
another process (bench/webserver.py). Then, in one run:

1. provnews, day 1: ``provnews crawl --all --quiet`` into a fresh archive, the seeds
   holding the start URL, ``download_delay = 0`` and ``autothrottle = false`` (robots.txt
   obeyed, the sites serve one); measured as a black box (bench/usage.py): wall time,
   articles/s (gold articles archived per second), requests (the servers' logs), CPU of
   each core (/proc/stat), peak RSS of all its processes together (sampled every 50 ms),
   archive bytes per article (database plus -wal), compression of the raw pages;
2. the machine bound: ``trafilatura.extract`` alone over the same article pages read
   from disk by a process pool of one worker per core (pool start-up not timed);
3. the naive reference crawler (bench/naive.py) on the same web, capped at as many pages
   as there are gold articles, one request at a time (see its docstring for why);
4. day 2 on the same archive, a day later (``age_archive``, as bench/discovery.py):
   requests, each classified by what it was for, against the budget "robots.txt, feeds,
   sitemaps and listing pages read + new articles + the rechecks provnews says were due";
5. day 1 again at the smaller sizes of ``--sizes``, for the growth of peak memory;
6. ``--many`` small sites with ``download_delay = 0.2``, each on its own server: all of
   them at once against the slowest alone (the largest site of each layout is crawled
   alone: 4 runs; sites of one layout differ by a page or two), and the most requests
   any one server was answering at the same time.

It prints the table with every ratio and target (PASS/FAIL). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from zoo import FixtureSite, age_archive, fixture_sites, vietnam_today  # noqa: E402

from bench.crawlreport import print_report  # noqa: E402
from bench.crawlstats import (  # noqa: E402
    Bound,
    Classifier,
    DayOne,
    DayTwo,
    Many,
    Naive,
    Report,
    crawl_rows,
    gold_urls,
    naive_recall,
    progress,
)
from bench.usage import Usage, core_times, core_use, run_measured  # noqa: E402
from bench.webserver import Served, ServedWeb  # noqa: E402

PROVNEWS = Path(sys.executable).parent / "provnews"
SITES = 5


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))  # stop the crawls and servers too
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crawlbench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        report = Report(articles=args.articles, sites=SITES, source=args.provnews_root)
        for size in sorted(set(args.sizes) | {args.articles}):
            run_size(report, size, size == args.articles, args, work / f"n{size}")
        if args.many:
            report.many = run_many(args, work / "many")
    report.seconds = time.monotonic() - started
    print_report(report)
    if args.keep:
        progress(f"kept archives, seeds, logs and pages in {args.keep}")
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/crawl.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1000, metavar="N", help="articles per site (default 1000)")
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        metavar="N,N",
        help="sizes whose day-1 peak memory is compared (default N/5,N: 200,1000)",
    )
    parser.add_argument("--many", type=int, default=40, metavar="K", help="small sites crawled at once (0: skip)")
    parser.add_argument("--many-articles", type=int, default=10, metavar="N", help="articles per small site (10)")
    parser.add_argument(
        "--many-hosts",
        action="store_true",
        help="give each small site its own loopback address (127.0.0.2, ...) instead of 127.0.0.1",
    )
    parser.add_argument("--skip-naive", action="store_true", help="do not run the naive crawler")
    parser.add_argument(
        "--naive-pages",
        type=int,
        default=None,
        metavar="P",
        help="page cap of the naive crawler (default: as many as gold articles, 5 N)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a day-1 crawl is stopped (1800)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep archives, seeds, logs and pages in DIR")
    parser.add_argument(
        "--provnews-root",
        type=Path,
        metavar="DIR",
        help="run provnews from this source tree with this Python (python -m scheduler.cli, in DIR), e.g. a "
        "commit exported with 'git archive HEAD | tar -x -C DIR'; default: the installed provnews",
    )
    args = parser.parse_args(argv)
    if args.articles < 6 or args.many_articles < 6:
        parser.error("--articles and --many-articles must be at least 6")
    if args.many_hosts and args.many > 250:
        parser.error("--many-hosts gives each site an address of 127.0.0.2 to 127.0.0.251: --many 250 at most")
    args.sizes = args.sizes or [max(6, args.articles // 5), args.articles]
    args.provnews_root = args.provnews_root.resolve() if args.provnews_root else None
    return args


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected sizes such as 200,1000") from None
    if not sizes or min(sizes) < 6:
        raise argparse.ArgumentTypeError(f"{text!r}: expected sizes of at least 6, such as 200,1000")
    return sizes


def write_seeds(folder: Path, sites: list[FixtureSite], urls: dict[str, str], delay: float) -> Path:
    """One seed per site: name, start URL, the delay, no AutoThrottle (robots.txt obeyed: the default)."""
    folder.mkdir(parents=True, exist_ok=True)
    for site in sites:
        (folder / f"{site.id}.toml").write_text(
            f"name = {json.dumps(site.name, ensure_ascii=False)}\n"
            f"start_urls = [{json.dumps(urls[site.id] + site.home_path)}]\n"
            f"download_delay = {delay}\nautothrottle = false\n",
            encoding="utf-8",
        )
    return folder


def provnews(
    web: ServedWeb, sites: list[str], seeds: Path, db: Path, log: Path, timeout: float, source: Path | None
) -> tuple[Usage, list[Served], float]:
    """Run ``provnews crawl`` (``--all`` when ``sites`` is empty; from the source tree ``source`` when
    given); its usage, the requests the servers answered meanwhile and the CPU seconds they spent."""
    before, server_cpu = web.position(), web.cpu_seconds()
    program = [sys.executable, "-m", "scheduler.cli"] if source else [str(PROVNEWS)]
    command = [*program, "crawl", *(sites or ["--all"]), "--seeds", str(seeds), "--db", str(db), "--quiet"]
    usage = run_measured(command, log=log, cwd=source or ROOT, timeout=timeout)
    return usage, web.requests(since=before), web.cpu_seconds() - server_cpu


def run_size(report: Report, size: int, main_size: bool, args: argparse.Namespace, work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)  # a --keep folder of an earlier run: start afresh
    source = args.provnews_root
    progress(f"N={size}: writing {SITES} sites of {size} articles")
    started = time.perf_counter()
    sites = fixture_sites(vietnam_today(), count=size, sites=SITES)
    written = time.perf_counter() - started
    with ServedWeb(sites) as web:
        progress(f"N={size}: {sum(web.stats.pages.values())} pages rendered in {web.stats.render_seconds:.1f} s")
        seeds = write_seeds(work / "seeds", sites, web.urls, 0.0)
        db = work / "archive.db"
        progress(f"N={size}: provnews crawl --all (day 1)")
        usage, requests, server_cpu = provnews(web, [], seeds, db, work / "day1.log", args.timeout, source)
        day1 = DayOne.measure(size, sites, web, usage, requests, server_cpu, db, written)
        report.sizes[size] = day1
        progress(f"N={size}: day 1 {usage.seconds:.1f} s, recall {day1.recall:.1%}, exit {usage.returncode}")
        if not main_size:
            return
        report.day1 = day1
        report.bound = machine_bound(web, work / "pages")
        if not args.skip_naive:
            report.naive = run_naive(web, sites, work, args.naive_pages or size * SITES)
        age_archive(db, 1)
        archived = gold_urls(sites, web.urls, db, new=False)
        classifiers = {s.id: Classifier(s, {url.removeprefix(web.urls[s.id]) for url in archived[s.id]}) for s in sites}
        render = web.switch_to_day(2)
        progress(f"N={size}: day 2 rendered in {render:.1f} s; provnews crawl --all (day 2)")
        crawls_before = crawl_rows(db)
        usage2, requests2, server_cpu2 = provnews(
            web, [], seeds, db, work / "day2.log", max(120.0, usage.seconds), source
        )
        report.day2 = DayTwo(
            usage2,
            requests2,
            server_cpu2,
            [classifiers[r.site].kind(r.path) for r in requests2],
            crawl_rows(db)[len(crawls_before) :],
            {site.id: site.new_paths for site in sites},
            gold_urls(sites, web.urls, db, new=True),
            render,
        )
        progress(f"N={size}: day 2 {usage2.seconds:.1f} s, {len(requests2)} requests")


def machine_bound(web: ServedWeb, folder: Path) -> Bound:
    """trafilatura.extract over every gold article page, from disk, one worker per core."""
    files = web.dump_articles(folder)
    workers = os.cpu_count() or 1
    chunksize = max(1, len(files) // (workers * 16))
    progress(f"machine bound: {len(files)} article pages, {workers} workers, chunks of {chunksize}")
    with ProcessPoolExecutor(workers, initializer=_warm_up, initargs=(str(files[0]),)) as pool:
        list(pool.map(time.sleep, [0.2] * workers * 2))  # every worker started and warm: not timed
        pids = list(pool._processes or {})
        cores, cpu = core_times(), _cpu_of(pids)
        started = time.perf_counter()
        lengths = list(pool.map(_extract_file, map(str, files), chunksize=chunksize))
        seconds = time.perf_counter() - started
        used, cpu = core_use(cores, core_times()), _cpu_of(pids) - cpu
    size = sum(f.stat().st_size for f in files)
    return Bound(len(files), sum(1 for n in lengths if n), seconds, used, workers, chunksize, size, cpu)


def _cpu_of(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _warm_up(path: str) -> None:
    import trafilatura

    trafilatura.extract(Path(path).read_bytes())


def _extract_file(path: str) -> int:
    import trafilatura

    with open(path, "rb") as page:
        text = trafilatura.extract(page.read())
    return len(text or "")


def run_naive(web: ServedWeb, sites: list[FixtureSite], work: Path, pages: int) -> Naive:
    db = work / "naive.db"
    db.unlink(missing_ok=True)
    starts = [web.urls[site.id] + site.home_path for site in sites]
    progress(f"naive crawler: up to {pages} pages")
    before, server_cpu = web.position(), web.cpu_seconds()
    command = [sys.executable, str(ROOT / "bench" / "naive.py"), "--db", str(db), "--pages", str(pages), *starts]
    usage = run_measured(command, log=work / "naive.log", cwd=ROOT, timeout=3600)
    requests = web.requests(since=before)
    found, total = naive_recall(db, sites, web.urls)
    progress(f"naive crawler: {usage.seconds:.1f} s, recall {found}/{total}")
    return Naive(usage, len(requests), web.cpu_seconds() - server_cpu, found, total, pages, db.stat().st_size)


def run_many(args: argparse.Namespace, work: Path) -> Many:
    count, size, source = args.many, args.many_articles, args.provnews_root
    shutil.rmtree(work, ignore_errors=True)
    progress(f"many sites: writing {count} sites of {size} articles")
    sites = fixture_sites(vietnam_today(), count=size, sites=count)
    hosts = [f"127.0.0.{2 + i}" for i in range(count)] if args.many_hosts else None
    with ServedWeb(sites, hosts) as web:
        seeds = write_seeds(work / "seeds", sites, web.urls, 0.2)
        largest: dict[str, FixtureSite] = {}
        for site in sites:  # the largest site of each layout
            layout = site.id.split("-")[0]
            if layout not in largest or web.stats.pages[site.id] > web.stats.pages[largest[layout].id]:
                largest[layout] = site
        alone: dict[str, float] = {}
        for site in largest.values():
            progress(f"many sites: {site.id} alone ({web.stats.pages[site.id]} pages)")
            usage, _, _ = provnews(
                web, [site.id], seeds, work / f"alone-{site.id}.db", work / f"alone-{site.id}.log", 900, source
            )
            alone[site.id] = usage.seconds
        web.max_in_flight()  # from here on
        slowest = max(alone.values())
        limit = max(300.0, 10 * slowest)
        progress(f"many sites: all {count} at once (stopped after {limit:.0f} s)")
        db = work / "all.db"
        usage, requests, server_cpu = provnews(web, [], seeds, db, work / "all.log", limit, source)
        flights = web.max_in_flight()
        found, total = 0, 0
        archived = gold_urls(sites, web.urls, db, new=False)
        for site in sites:
            total += len(site.gold(1))
            found += len(archived[site.id])
        return Many(
            count,
            size,
            f"127.0.0.2 to 127.0.0.{count + 1}" if args.many_hosts else "127.0.0.1",
            {s.id: web.stats.pages[s.id] for s in largest.values()},
            alone,
            usage,
            limit,
            len(requests),
            server_cpu,
            flights,
            found,
            total,
            crawl_rows(db),
        )


if __name__ == "__main__":
    raise SystemExit(main())
