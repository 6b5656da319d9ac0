"""Template zoo benchmark: every family of tests/zoo/ crawled from ``name`` + ``start_urls`` alone.

    .venv/bin/python bench/zoo.py                         # every family, every variant
    .venv/bin/python bench/zoo.py --families liferay,dnn  # some
    .venv/bin/python bench/zoo.py --held-out              # only the families written after the rules
    .venv/bin/python bench/zoo.py --count 200 --json      # 200 articles per site; machine-readable

Each site is served on 127.0.0.1 by its own server and crawled into one fresh archive by
``provnews crawl`` (delay 0, no AutoThrottle: the seeds of ``write_minimal_seeds``). Per
site it prints recall, precision, duplicated articles, non-articles archived, distinct
URLs fetched per archived article (an article fetched under two URLs counts twice),
requests per archived article, texts with boilerplate, bylines right, and the fields
that came out wrong (see tests/zoo/score.py); then per family and in all. Families
marked ``held_out`` were written after the rules were settled: their figures are the
honest estimate of what a new site gets.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from zoo import FixtureWeb, vietnam_today, zoo_sites  # noqa: E402
from zoo.score import SiteScore, score_site  # noqa: E402

from scheduler.runner import run_crawls  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", help="comma-separated family names (default: all)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--held-out", action="store_true", help="only the families written after the rules")
    group.add_argument("--in-sample", action="store_true", help="only the families the rules were written with")
    parser.add_argument("--count", type=int, help="articles per site on day 1 (default: each family's own)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for all crawls together")
    parser.add_argument("--keep", type=Path, help="keep the archive and seeds in this folder")
    parser.add_argument("--json", action="store_true", help="one JSON object per site instead of the table")
    parser.add_argument("--verbose", action="store_true", help="list the missed articles and wrong fields")
    args = parser.parse_args()
    names = args.families.split(",") if args.families else None
    held_out = True if args.held_out else False if args.in_sample else None
    sites = zoo_sites(vietnam_today(), names, count=args.count, held_out=held_out)
    if not sites:
        parser.error("no zoo family matches")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "archive.db"
        with FixtureWeb(sites) as web:
            seeds = web.write_seeds(folder / "seeds")
            started = time.monotonic()
            reports = run_crawls([s.id for s in sites], seeds=seeds, db=db, timeout=args.timeout)
            seconds = time.monotonic() - started
            scores = [score_site(site, server.url, db, server.requests) for site, server in web]
    outcomes = {r.site: r.outcome for r in reports}
    if args.json:
        for score in scores:
            print(json.dumps(_as_dict(score), ensure_ascii=False))
        return 0
    _print_table(scores, seconds, outcomes, {s.family for s in sites if _held_out(s.family)})
    if args.verbose:
        for score in scores:
            _print_details(score)
    return 0


def _held_out(family: str) -> bool:
    from zoo import families

    return families()[family].held_out


def _as_dict(score: SiteScore) -> dict[str, object]:
    return {
        "site": score.site,
        "family": score.family,
        "variant": score.variant,
        "gold": score.gold,
        "archived": score.archived,
        "recall": round(score.recall, 4),
        "precision": round(score.precision, 4),
        "duplicates": score.duplicates,
        "non_articles": score.non_articles,
        "urls_per_article": round(score.urls_per_article, 3),
        "requests_per_article": round(score.requests_per_article, 3),
        "boilerplate": score.boilerplate,
        "incomplete": score.incomplete,
        "bylines": [score.bylines_right, score.bylines_printed],
        "wrong": dict(score.wrong),
        "missed": score.missed,
    }


def _print_table(scores: list[SiteScore], seconds: float, outcomes: dict[str, str], held: set[str]) -> None:
    head = ("site", "recall", "precision", "dup", "non-art", "URLs/art", "req/art", "boilerpl.", "bylines", "wrong")
    widths = (22, 8, 9, 4, 7, 8, 7, 9, 9, 0)
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    families: dict[str, list[SiteScore]] = defaultdict(list)
    for score in scores:
        families[score.family].append(score)
        mark = " *" if score.family in held else ""
        mark += "" if outcomes.get(score.site) == "ok" else f" ({outcomes.get(score.site)})"
        wrong = ", ".join(f"{k} {v}" for k, v in sorted(score.wrong.items())) or "-"
        cells = (
            score.site + mark,
            f"{score.matched}/{score.gold}",
            f"{score.precision:.3f}",
            str(score.duplicates),
            str(len(score.non_articles)),
            f"{score.urls_per_article:.2f}",
            f"{score.requests_per_article:.2f}",
            f"{score.boilerplate}/{score.matched}",
            f"{score.bylines_right}/{score.bylines_printed}",
            wrong,
        )
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    print()
    print("family          recall   precision  URLs/art  req/art  boilerplate  bylines")
    for name, group in sorted(families.items()):
        _print_total(name + (" *" if name in held else ""), group)
    _print_total("all", scores)
    if held:
        _print_total("held out *", [s for s in scores if s.family in held])
        _print_total("in sample", [s for s in scores if s.family not in held])
    print(f"\n{len(scores)} sites crawled together in {seconds:.1f} s" + ("; * held out" if held else ""))


def _print_total(name: str, group: list[SiteScore]) -> None:
    gold = sum(s.gold for s in group)
    matched = sum(s.matched for s in group)
    archived = sum(s.archived for s in group)
    wrong = sum(len(s.non_articles) for s in group)
    urls = sum(s.article_urls for s in group)
    requests = sum(s.requests for s in group)
    boiler = sum(s.boilerplate for s in group)
    printed = sum(s.bylines_printed for s in group)
    right = sum(s.bylines_right for s in group)
    print(
        f"{name:<15} {matched / max(1, gold):>6.3f}   {(archived - wrong) / max(1, archived):>9.3f}  "
        f"{urls / max(1, matched):>8.2f}  {requests / max(1, matched):>7.2f}  {boiler / max(1, matched):>11.1%}  "
        f"{right / max(1, printed):>7.1%}"
    )


def _print_details(score: SiteScore) -> None:
    if not (score.missed or score.non_articles or score.wrong_examples or score.duplicates):
        return
    print(f"\n{score.site}:")
    for path in score.missed[:10]:
        print(f"  missed      {path}")
    for url in score.non_articles[:10]:
        print(f"  non-article {url}")
    for name, example in sorted(score.wrong_examples.items()):
        print(f"  {name:<11} {example}")


if __name__ == "__main__":
    raise SystemExit(main())
