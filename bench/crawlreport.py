"""The table bench/crawl.py prints: every measurement side by side, the ratios, the targets."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.crawlstats import BUDGETED, KINDS, Bound, DayTwo, Many, Naive, Report, other_cpu
from bench.usage import CoreUse, Usage, machine

MB = 1_000_000


def print_report(r: Report) -> None:
    assert r.day1 is not None and r.bound is not None and r.day2 is not None
    d1, bound, naive, d2 = r.day1, r.bound, r.naive, r.day2
    print(f"provnews crawl benchmark (issue 7), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, run took {r.seconds:.0f} s")
    print(f"machine    {machine()}")
    print(f"software   {_software(r.source)}")
    site_ids = ", ".join(d1.gold)
    print(f"web        {r.sites} sites x {r.articles:,} articles ({site_ids}; the fifth a second agency portal)")
    print(
        f"           {d1.web_pages:,} pages, {d1.web_bytes / MB:.1f} MB on day 1, served from memory by another "
        f"process; articles written in {d1.written_seconds:.1f} s, pages rendered in {d1.render_seconds:.1f} s "
        f"(day 2: {d2.render_seconds:.1f} s)"
    )
    print()
    rows = [
        ("", "provnews", "machine bound", "naive crawler"),
        ("wall time", _s(d1.usage), f"{bound.seconds:.1f} s", _s(naive.usage) if naive else "skipped"),
        ("gold articles", f"{d1.found:,}/{d1.total:,}", f"{bound.pages:,} pages", _of(naive)),
        ("recall", f"{d1.recall:.1%}", "-", f"{naive.found / naive.total:.1%}" if naive else "-"),
        ("articles/s", f"{d1.rate:.1f}", f"{bound.rate:.1f}", f"{naive.rate:.1f}" if naive else "-"),
        ("requests", f"{d1.requests:,}", "-", f"{naive.requests:,} (cap {naive.cap:,})" if naive else "-"),
        ("requests per gold article", f"{d1.requests / max(1, d1.found):.2f}", "-", _per(naive)),
    ]
    for index in range(len(d1.usage.cores)):
        rows.append(
            (
                f"CPU {d1.usage.cores[index].name} user/sys",
                _core(d1.usage.cores[index]),
                _core(bound.cores[index]),
                _core(naive.usage.cores[index]) if naive else "-",
            )
        )
    rows += [
        ("CPU time of its processes", f"{d1.usage.cpu_seconds:.1f} s", _bound_cpu(bound), _cpu(naive)),
        ("peak RSS, all its processes", _rss(d1.usage), "-", _rss(naive.usage) if naive else "-"),
        ("servers' CPU meanwhile", _server(d1.server_cpu, d1.usage), "-", _naive_server(naive)),
        ("other processes' CPU", _others(d1.usage, d1.server_cpu), _bound_others(bound), _naive_others(naive)),
        ("archive bytes per article", f"{d1.db_bytes / max(1, d1.articles):,.0f}", "-", _naive_bytes(naive)),
        ("articles rows / exit status", f"{d1.articles:,} / {d1.usage.returncode}", "-", _exit(naive)),
    ]
    _table("Day 1, a fresh archive", rows)
    print(f"  raw pages stored: {_compression(d1.pages)}")
    print(f"  gold articles archived per site: {', '.join(f'{k} {d1.archived[k]}/{v}' for k, v in d1.gold.items())}")
    print(f"  machine bound: trafilatura.extract on {bound.pages:,} article pages ({bound.bytes / MB:.1f} MB)")
    print(f"  read from disk, {bound.workers} worker processes, chunks of {bound.chunksize}, pool start-up not")
    print(f"  timed; {bound.with_text:,} pages gave text")
    print(f"  provnews's processes (CPU, peak RSS): {_processes(d1.usage)}")
    print(f"  sampling provnews's processes every 50 ms cost {d1.usage.sampler_cpu:.1f} s of CPU in this script")
    _crawls("  provnews crawls, day 1:", d1.crawls)
    print()
    counts = d2.counts
    spent = ", ".join(f"{kind} {counts[kind]}" for kind in KINDS if counts[kind] or kind in BUDGETED)
    archived_new = sum(len(urls) for urls in d2.new_archived.values())
    print("Day 2, the same archive a day later (new articles on top of the listings, one edited, one deleted)")
    print(f"  wall time                 {_s(d2.usage)}  ({d2.usage.seconds / d1.usage.seconds:.1%} of day 1)")
    others = _others(d2.usage, d2.server_cpu)
    print(f"  CPU time                  {d2.usage.cpu_seconds:.1f} s; other processes meanwhile {others}")
    print(f"  requests                  {len(d2.requests)}: {spent}")
    print(f"  new articles archived     {archived_new}/{d2.new}")
    print(f"  requests per new article  {len(d2.requests) / max(1, d2.new):.1f}")
    print(f"  conditional requests      {sum(1 for q in d2.requests if q.conditional)}")
    print(f"  rechecks due              {d2.rechecks_due} (crawls.articles_rechecked)")
    budget = " + ".join(str(counts[kind]) for kind in BUDGETED)
    print(f"  budget                    {budget} + {d2.new} + {d2.late} + {d2.rechecks_due} = {d2.budget}")
    print("                            (robots.txt + feeds & sitemaps + listings & other pages read + new articles")
    print("                            + day-1 articles the archive lacked, asked for + rechecks due)")
    print(f"  peak RSS                  {_rss(d2.usage)}; servers' CPU {_server(d2.server_cpu, d2.usage)}")
    _per_site(d2)
    _crawls("  provnews crawls, day 2:", d2.crawls)
    print()
    print("Day 1 at each size (memory growth)")
    for size, run in sorted(r.sizes.items()):
        print(
            f"  N = {size:>5,} per site: {run.total:>6,} articles in {run.usage.seconds:6.1f} s, {run.rate:6.1f}/s, "
            f"recall {run.recall:.1%}, peak RSS {_rss(run.usage)}"
        )
    growth = _growth(r)
    if r.many:
        _many(r.many)
    print()
    _interference(r)
    _targets(r, growth)


def _per_site(d2: DayTwo) -> None:
    """Day 2 site by site: what the requests were for, and what the crawl says it rechecked."""
    short = {"listings & other pages": "listings", "feeds & sitemaps": "feeds", "articles missed on day 1": "missed"}
    rechecked = Counter({str(row.get("site")): int(row.get("articles_rechecked") or 0) for row in d2.crawls})
    for site in d2.new_paths:
        mine = [(q, kind) for q, kind in zip(d2.requests, d2.kinds, strict=True) if q.site == site]
        kinds = Counter(kind for _, kind in mine)
        conditional = sum(1 for q, kind in mine if kind == "known articles" and q.conditional)
        spent = ", ".join(f"{short.get(k, k)} {n}" for k, n in kinds.items())
        print(
            f"    {site}: {len(mine)} requests ({spent}); known articles asked for conditionally {conditional}, "
            f"rechecked {rechecked[site]}"
        )


def _many(m: Many) -> None:
    print()
    print(f"Many sites: {m.count} sites x {m.size} articles, download_delay 0.2 s, each its own server on {m.hosts}")
    alone = ", ".join(f"{k} ({m.alone_pages[k]} pages) {v:.1f} s" for k, v in m.alone.items())
    print(f"  alone (the largest site of each layout): {alone}")
    together = _s(m.usage) + (f", stopped at the limit of {m.limit:.0f} s" if m.usage.timed_out else "")
    print(f"  all {m.count} together: {together} = {m.usage.seconds / m.slowest:.1f}x the slowest alone")
    print(f"  recall {m.found}/{m.total}, {m.requests:,} requests, peak RSS {_rss(m.usage)}")
    print(f"  provnews's processes (CPU, peak RSS): {_processes(m.usage)}")
    print(f"  most requests in flight at one server: {max(m.in_flight.values(), default=0)}")
    _crawls("  provnews crawls:", m.crawls)


def _targets(r: Report, growth: float | None) -> None:
    d1, bound, naive, d2, many = r.day1, r.bound, r.naive, r.day2, r.many
    assert d1 is not None and bound is not None and d2 is not None
    rows: list[tuple[str, str, str, str]] = [("target", "measured", "wanted", "verdict")]

    def add(name: str, measured: str, wanted: str, ok: bool | None) -> None:
        rows.append((name, measured, wanted, "-" if ok is None else "PASS" if ok else "FAIL"))

    add("provnews / machine bound, articles/s", f"{d1.rate / bound.rate:.2f}x", ">= 0.8x", d1.rate >= 0.8 * bound.rate)
    if naive:
        ratio = d1.rate / naive.rate if naive.rate else float("inf")
        measured = f"{ratio:.1f}x, recall {d1.recall:.1%} vs {naive.found / naive.total:.1%}"
        add("provnews / naive, articles/s", measured, ">= 2x, recall 100%", ratio >= 2 and d1.found == d1.total)
    else:
        add("provnews / naive, articles/s", "not run (--skip-naive)", ">= 2x, recall 100%", None)
    add("provnews recall, day 1", f"{d1.recall:.1%}", "100%", d1.found == d1.total)
    add("day 2 requests / budget", f"{len(d2.requests)} / {d2.budget}", "<= budget", len(d2.requests) <= d2.budget)
    ratio2 = d2.usage.seconds / d1.usage.seconds
    add("day 2 / day 1, wall time", f"{ratio2:.1%}", "<= 5%", ratio2 <= 0.05)
    largest = max(r.sizes)
    name = f"peak RSS at N = {largest:,}" + ("" if largest == 1000 else " (target is for 1,000)")
    add(name, _rss(r.sizes[largest].usage), "<= 300 MB", r.sizes[largest].usage.peak_rss <= 300 * 2**20)
    if growth is not None:
        smallest = min(r.sizes)
        add(f"peak RSS growth N = {smallest:,} -> {largest:,}", f"{growth:+.1%}", "< 25%", growth < 0.25)
    if many:
        ratio = many.usage.seconds / many.slowest
        add(f"{many.count} sites together / slowest alone", f"{ratio:.1f}x", "<= 1.5x", ratio <= 1.5)
        most = max(many.in_flight.values(), default=0)
        add("requests in flight per host (server)", str(most), "<= 1", most <= 1)
    if isinstance(d1.pages, tuple) and d1.pages[1]:
        factor = d1.pages[0] / d1.pages[1]
        add("raw pages compression", f"{factor:.1f}x", ">= 4x", factor >= 4)
    else:
        add("raw pages compression", str(d1.pages), ">= 4x", False)
    _table("Targets", rows)


# ----------------------------------------------------------------- formatting


def _table(title: str, rows: Sequence[tuple[str, ...]]) -> None:
    print(title)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _crawls(title: str, crawls: list[dict[str, Any]]) -> None:
    """Outcomes, then each error or limit the crawls recorded, with the sites it happened to."""
    outcomes = Counter(str(row.get("outcome")) for row in crawls)
    print(f"{title} {', '.join(f'{n} {o}' for o, n in outcomes.items()) or 'none recorded'}")
    where: dict[str, list[str]] = {}
    for row in crawls:
        messages = _listed(row.get("errors")) + [n for n in _listed(row.get("notes")) if "limit" in n]
        if row.get("outcome") != "ok":
            messages.insert(0, f"outcome {row.get('outcome')}")
        for message in messages:
            where.setdefault(message, []).append(str(row.get("site")))
    for message, sites in where.items():
        shown = ", ".join(sorted(sites)[:5]) + (f" and {len(sites) - 5} more" if len(sites) > 5 else "")
        print(f"    {message} ({shown})")


def _listed(value: Any) -> list[str]:
    if not value:
        return []
    try:
        items = json.loads(value)
    except (TypeError, ValueError):
        return [str(value)]
    return [str(item) for item in items] if isinstance(items, list) else [str(items)]


def _growth(r: Report) -> float | None:
    if len(r.sizes) < 2:
        return None
    low, high = r.sizes[min(r.sizes)].usage.peak_rss, r.sizes[max(r.sizes)].usage.peak_rss
    growth = (high - low) / max(1, low)
    print(f"  growth of peak RSS from N = {min(r.sizes):,} to N = {max(r.sizes):,}: {growth:+.1%}")
    return growth


def _s(usage: Usage) -> str:
    return f"{usage.seconds:.1f} s" + (" (stopped: timeout)" if usage.timed_out else "")


def _rss(usage: Usage) -> str:
    return f"{usage.peak_rss / 2**20:.0f} MB ({usage.max_processes} processes)"


def _processes(usage: Usage) -> str:
    return "; ".join(f"{p.name} {p.cpu_seconds:.1f} s, {p.peak_rss / 2**20:.0f} MB" for p in usage.processes[:6])


def _core(core: CoreUse) -> str:
    return f"{core.user:.0%} / {core.system:.0%}"


def _server(cpu: float, usage: Usage) -> str:
    return f"{cpu:.1f} s ({cpu / usage.seconds:.0%} of a core)"


def _others(usage: Usage, server_cpu: float) -> str:
    """CPU time the machine spent on neither the command, nor the servers, nor the sampling."""
    return f"{_other(usage, server_cpu):.1f} s"


def _other(usage: Usage, server_cpu: float) -> float:
    return other_cpu(usage.cores, usage.seconds, usage.cpu_seconds, server_cpu, usage.sampler_cpu)


def _interference(r: Report) -> None:
    """Say so when other processes took a noticeable share of the CPU during a measurement."""
    assert r.day1 is not None and r.bound is not None and r.day2 is not None
    phases = [
        ("provnews day 1", _other(r.day1.usage, r.day1.server_cpu), r.day1.usage.cpu_seconds),
        ("machine bound", other_cpu(r.bound.cores, r.bound.seconds, r.bound.cpu_seconds), r.bound.cpu_seconds),
        ("provnews day 2", _other(r.day2.usage, r.day2.server_cpu), r.day2.usage.cpu_seconds),
    ]
    if r.naive:
        phases.append(("naive crawler", _other(r.naive.usage, r.naive.server_cpu), r.naive.usage.cpu_seconds))
    if r.many:
        phases.append(("many sites", _other(r.many.usage, r.many.server_cpu), r.many.usage.cpu_seconds))
    noisy = [f"{name} ({other:.0f} s)" for name, other, own in phases if other > max(2.0, 0.1 * own)]
    if noisy:
        print(f"WARNING: other processes took CPU during {', '.join(noisy)}: those numbers are not clean;")
        print("run again on a quiet machine.")
        print()


def _bound_cpu(bound: Bound) -> str:
    return f"{bound.cpu_seconds:.1f} s ({bound.workers} workers)"


def _bound_others(bound: Bound) -> str:
    return f"{other_cpu(bound.cores, bound.seconds, bound.cpu_seconds):.1f} s"


def _naive_others(naive: Naive | None) -> str:
    return _others(naive.usage, naive.server_cpu) if naive else "-"


def _naive_server(naive: Naive | None) -> str:
    return _server(naive.server_cpu, naive.usage) if naive else "-"


def _cpu(naive: Naive | None) -> str:
    return f"{naive.usage.cpu_seconds:.1f} s" if naive else "-"


def _of(naive: Naive | None) -> str:
    return f"{naive.found:,}/{naive.total:,}" if naive else "-"


def _per(naive: Naive | None) -> str:
    return f"{naive.requests / max(1, naive.found):.2f}" if naive else "-"


def _naive_bytes(naive: Naive | None) -> str:
    return f"{naive.db_bytes / max(1, naive.found):,.0f} (text only)" if naive else "-"


def _exit(naive: Naive | None) -> str:
    return f"- / {naive.usage.returncode}" if naive else "-"


def _compression(pages: tuple[int, int] | str) -> str:
    if isinstance(pages, str) or not pages[1]:
        return f"cannot tell ({pages})"
    raw, stored = pages
    return f"{raw / MB:.1f} MB as {stored / MB:.1f} MB in pages.body, {raw / stored:.1f}x"


def _software(source: Path | None) -> str:
    names = ("scrapy", "trafilatura", "lxml")
    versions = ", ".join(f"{name} {version(name)}" for name in names)
    if source is not None:
        return f"provnews from the source tree {source}; {versions}"
    commit = _git("rev-parse", "--short", "HEAD")
    changed = len(_git("--no-optional-locks", "status", "--porcelain", "--untracked-files=no").splitlines())
    dirty = f" + {changed} files changed, uncommitted" if changed else ""
    return f"provnews {version('provnews')} at {commit}{dirty}; {versions}"


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=Path(__file__).parent, check=False)
    except OSError:
        return "?"
    return done.stdout.strip()
