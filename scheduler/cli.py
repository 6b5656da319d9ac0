"""The ``provnews`` command: a thin click layer over crawler/, storage/ and scheduler/.

Each command parses its options, calls one library function, prints, and turns a
domain error into a clear message (exit 1); bad arguments exit 2.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import signal
import sys
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click

from crawler.errors import SeedError
from crawler.overrides import parse_overrides
from crawler.seeds import Seed, load_seeds
from scheduler.runner import CrawlReport, run_crawls
from storage.archive import Archive
from storage.errors import ArchiveError

SEEDS_OPTION = click.option(
    "--seeds",
    type=click.Path(path_type=Path),
    default="seeds",
    show_default=True,
    envvar="PROVNEWS_SEEDS",
    show_envvar=True,
    help="Folder of site seed files (*.toml).",
)
DB_OPTION = click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    default="archive.db",
    show_default=True,
    envvar="PROVNEWS_DB",
    show_envvar=True,
    help="The SQLite archive.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="provnews")
@click.option("-v", "--verbose", is_flag=True, help="Log more (and show Scrapy's log).")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """provnews — a faithful, searchable archive of Vietnamese provincial news.

    \b
    Crawl the sites of seeds/ into archive.db, then search or browse it:
        provnews crawl --all
        provnews search "dân vận"
        provnews serve
    """
    ctx.ensure_object(dict)["verbose"] = verbose
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


DAY = click.DateTime(formats=["%Y-%m-%d"])


def _need_archive(db: Path) -> None:
    if not db.exists():
        raise click.ClickException(f"{db}: no archive here yet; run 'provnews crawl' first or pass --db")


def _days(since: datetime | None, until: datetime | None) -> tuple[str | None, str | None]:
    """``--since``/``--until`` as ISO days; exit 2 when the range is upside down."""
    if since and until and since > until:
        raise click.BadParameter(f"{until:%Y-%m-%d} is before --since {since:%Y-%m-%d}", param_hint="--until")
    return (f"{since:%Y-%m-%d}" if since else None, f"{until:%Y-%m-%d}" if until else None)


def _load_seeds(seeds: Path) -> dict[str, Seed]:
    try:
        return load_seeds(seeds)
    except SeedError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command()
@click.argument("site_ids", nargs=-1, metavar="[SITE_ID]...")
@click.option("--all", "all_sites", is_flag=True, help="Crawl every enabled site of the seeds folder.")
@SEEDS_OPTION
@DB_OPTION
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy setting for this run, e.g. --set DOWNLOAD_DELAY=0.",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=None,
    help="Hard limit in seconds for the whole run (default: the longest of the seeds' timeouts, "
    "times the number of rounds --at-once makes).",
)
@click.option(
    "--at-once",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Crawl at most N sites at a time (0: all of them together; each keeps its own politeness).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary, not each article.")
@click.pass_context
def crawl(
    ctx: click.Context,
    site_ids: tuple[str, ...],
    all_sites: bool,
    seeds: Path,
    db: Path,
    overrides: tuple[str, ...],
    timeout: int | None,
    at_once: int,
    quiet: bool,
) -> None:
    """Crawl sites now, together, in one child process, into the archive.

    Each site is crawled by its own crawler with its own politeness (one request at a
    time per host by default); pages are read by one worker process per core.
    SIGTERM, SIGHUP or Ctrl-C stop the crawl within seconds, its rows closed
    `interrupted` (exit status 128 + the signal); a second one kills it.

    \b
    Examples:
        provnews crawl langson-mirror
        provnews crawl --all --db /srv/provnews/archive.db
        provnews crawl --all --at-once 8
        provnews crawl langson-mirror --set DOWNLOAD_DELAY=0
    """
    if not site_ids and not all_sites:
        raise click.UsageError("name a site to crawl, or --all (sites: see 'provnews sites')")
    try:
        settings = parse_overrides(list(overrides))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from exc
    known = _load_seeds(seeds)
    for site_id in site_ids:
        if site_id not in known:
            raise click.ClickException(f"{seeds}/{site_id}.toml: no such site; known: {', '.join(known) or 'none'}")
    chosen = [known[s] for s in site_ids] if site_ids else [s for s in known.values() if s.enabled]
    verbose = ctx.obj.get("verbose", False)
    for seed in chosen:
        click.echo(f"crawling {seed.id} ({seed.name}) from {seed.home_url}")
    rounds = -(-len(chosen) // at_once) if at_once else 1
    reports = run_crawls(
        [seed.id for seed in chosen],
        seeds=seeds,
        db=db,
        overrides=settings,
        timeout=timeout or max(seed.timeout for seed in chosen) * rounds,
        on_event=None if quiet else functools.partial(_print_event, several=len(chosen) > 1),
        at_once=at_once,
        forward_signals=True,
    )
    tail_printed = False
    for report in reports:
        click.echo(_summary(report))
        if (not report.ok or verbose) and not tail_printed:
            tail_printed = True  # one process, one log: shown once
            for line in report.log_tail[-(40 if verbose else 8) :]:
                click.echo(f"    | {line}", err=True)
    _exit_if_stopped(reports)
    if any(not r.ok for r in reports):
        sys.exit(1)


def _exit_if_stopped(reports: list[CrawlReport]) -> None:
    """Stopped by SIGTERM, SIGHUP or Ctrl-C (passed on to the crawl, which closed its rows):
    exit 128 + the signal's number, as a process killed by it would look to a shell."""
    forwarded = max((report.forwarded for report in reports), default=0)
    if forwarded:
        click.echo(f"stopped by {signal.Signals(forwarded).name}", err=True)
        sys.exit(128 + forwarded)


def _print_event(event: dict[str, Any], several: bool = False) -> None:
    if event.get("event") == "article" and event.get("outcome") != "unchanged":
        published = (event.get("published") or "undated")[:10]
        site = f"{event.get('site')}: " if several else ""
        click.echo(f"  {site}{event['outcome']:<8} {published:<10}  {event.get('title', '')}")


def _summary(report: CrawlReport) -> str:
    c = report.counts
    return (
        f"{report.site}: {report.outcome} in {report.seconds:.1f} s — {c.get('pages_fetched', 0)} pages fetched, "
        f"{c.get('articles_new', 0)} new, {c.get('articles_changed', 0)} changed, "
        f"{c.get('articles_unchanged', 0)} unchanged articles"
    )


@cli.command()
@click.argument("query")
@click.option("--site", help="Only this site's articles.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="How many hits at most.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
@click.option("--since", type=DAY, metavar="DATE", help="Only articles published on or after this day (2022-08-01).")
@click.option("--until", type=DAY, metavar="DATE", help="Only articles published on or before this day (2022-08-31).")
@DB_OPTION
def search(
    query: str, site: str | None, limit: int, as_json: bool, since: datetime | None, until: datetime | None, db: Path
) -> None:
    """Full-text search of titles and texts; diacritics optional, best first.

    \b
    Examples:
        provnews search "dân vận"
        provnews search "dan van" --site langson-mirror --limit 5
        provnews search "da nang" --since 2022-08-01 --until 2022-08-31 --json
    """
    _need_archive(db)
    query = unicodedata.normalize("NFC", query)
    days = _days(since, until)
    try:
        with Archive(db) as archive:
            hits = archive.search(query, site=site, since=days[0], until=days[1], limit=limit)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    for hit in hits:
        if as_json:
            click.echo(json.dumps(hit.__dict__, ensure_ascii=False))
        else:
            published = (hit.published or "undated")[:10]
            click.echo(f"{hit.id:>6}  {published}  {hit.site}  {hit.title}\n        {hit.snippet}")
    if not as_json:
        click.echo(f"{len(hits)} result{'s' if len(hits) != 1 else ''} for {query!r}", err=True)


@cli.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; keep it local.")
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="Port to listen on.")
@click.option(
    "--print-metadata",
    is_flag=True,
    help="Print the Datasette metadata of this archive (JSON) and exit, for: datasette archive.db -m FILE.",
)
def serve(db: Path, host: str, port: int, print_metadata: bool) -> None:
    """Browse and query the archive with Datasette (read-only, local by default).

    Serves the archive with its metadata (descriptions, facets, canned queries) and a
    1 s SQL time limit, on the live file (crawls may write meanwhile).

    \b
    Examples:
        provnews serve --db archive.db --port 8001
        provnews serve --print-metadata > metadata.json && datasette archive.db -m metadata.json
    """
    from storage import datasette

    _need_archive(db)
    if print_metadata:
        click.echo(datasette.metadata_json(db))
        return
    try:
        Archive(db).close()  # bring the schema up to date before Datasette reads it
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Datasette on http://{host}:{port}/ — Ctrl-C to stop", err=True)
    sys.exit(datasette.serve(db, host, port))


@cli.command()
@SEEDS_OPTION
def sites(seeds: Path) -> None:
    """List the sites of the seeds folder (and check every seed file).

    \b
    Example:
        provnews sites --seeds seeds/
    """
    for seed in _load_seeds(seeds).values():
        state = "" if seed.enabled else "  (disabled)"
        click.echo(f"{seed.id:<20} {seed.name} — {seed.home_url}{state}")


@cli.command()
@SEEDS_OPTION
@DB_OPTION
def demo(seeds: Path, db: Path) -> None:
    """Serve the bundled offline mirror on 127.0.0.1 and crawl it into the archive.

    \b
    Example:
        provnews demo --db archive.db
    """
    from scheduler.demo.run import DEMO_SITE, run_demo

    click.echo(f"serving the offline mirror (seeds/{DEMO_SITE}.toml) and crawling it into {db}")
    try:
        report = run_demo(seeds, db, on_event=_print_event, forward_signals=True)
    except (SeedError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_summary(report))
    _exit_if_stopped([report])
    if not report.ok:
        for line in report.log_tail[-8:]:
            click.echo(f"    | {line}", err=True)
        sys.exit(1)
    with Archive(db) as archive:
        total = archive.count_articles(DEMO_SITE)
        hits = archive.search("dan van", site=DEMO_SITE, limit=1000)
    click.echo(f"\n{total} articles of {DEMO_SITE} are in {db}. Try:")
    click.echo(f"  .venv/bin/provnews search 'dan van' --db {db}     # {len(hits)} hits, diacritics optional")
    click.echo(f"  .venv/bin/provnews serve --db {db}                # Datasette on http://127.0.0.1:8001/")
    click.echo(f"  sqlite3 {db} 'select published, title from articles order by published desc limit 5'")


@cli.command()
@SEEDS_OPTION
@click.option(
    "--site", default="langson-mirror", show_default=True, help="The seed whose start URL says where to serve."
)
def mirror(seeds: Path, site: str) -> None:
    """Serve the bundled offline mirror until Ctrl-C, to crawl it by hand.

    \b
    Example:
        provnews mirror &   # then: provnews crawl langson-mirror
    """
    import time

    from crawler.seeds import load_seed
    from scheduler.demo.run import MIRROR_DIR, serve_mirror

    try:
        seed = load_seed(seeds / f"{site}.toml")
        with serve_mirror(seed, seeds / MIRROR_DIR) as server:
            click.echo(f"serving {seeds / MIRROR_DIR} at {server.url}/ — Ctrl-C to stop")
            while True:
                time.sleep(3600)
    except (SeedError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        click.echo("stopped")


@cli.command()
@click.option("--site", help="Only this site's articles.")
@click.option("--since", type=DAY, metavar="DATE", help="Only articles published on or after this day (2022-08-01).")
@click.option("--until", type=DAY, metavar="DATE", help="Only articles published on or before this day (2022-08-31).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON object a line; csv: a header, then one row per article.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), help="Write here (- : stdout)."
)
@DB_OPTION
def export(
    site: str | None, since: datetime | None, until: datetime | None, fmt: str, output: Path | None, db: Path
) -> None:
    """Export the articles as JSON lines or CSV, streamed (constant memory), oldest first.

    \b
    Examples:
        provnews export -o articles.jsonl
        provnews export --site langson-mirror --since 2022-08-01 --format csv -o august.csv
    """
    from storage.exports import export_articles

    _need_archive(db)
    days = _days(since, until)
    try:
        with Archive(db) as archive, _output(output) as out:
            count = export_articles(archive, out, fmt=fmt, site=site, since=days[0], until=days[1])
    except (ArchiveError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"exported {count} article{'s' if count != 1 else ''} to {output or 'stdout'}", err=True)


@contextlib.contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None or str(path) == "-":
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", newline="") as out:
        yield out


@cli.command()
@click.argument("ref", metavar="URL_OR_ID")
@DB_OPTION
def history(ref: str, db: Path) -> None:
    """Show the versions of one article, with a diff of each change.

    \b
    Examples:
        provnews history 12
        provnews history https://dukcq.langson.gov.vn/tin-tuc/hoi-nghi-chuyen-de.html
    """
    from storage.history import article_history, render_history

    _need_archive(db)
    try:
        with Archive(db) as archive:
            found = article_history(archive, ref)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in render_history(found):
        click.echo(line)


@cli.command()
@SEEDS_OPTION
@DB_OPTION
@click.option(
    "--max-running",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    metavar="N",
    help="Crawls running at once, at most (a site is never crawled twice at once).",
)
@click.option(
    "--log-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also log to this file, rotated at 10 MiB, 5 old files kept.",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy setting for every crawl, e.g. --set LOG_LEVEL=WARNING.",
)
@click.option(
    "--jitter",
    type=click.FloatRange(min=0),
    default=300,
    show_default=True,
    metavar="SECONDS",
    help="Start each run up to this late (at most a tenth of the site's interval), so sites do not start together.",
)
@click.option(
    "--watch",
    type=click.FloatRange(min=0),
    default=10,
    show_default=True,
    metavar="SECONDS",
    help="Look for added, removed or changed seed files this often (0: only on SIGHUP).",
)
@click.option(
    "--stop-grace",
    type=click.FloatRange(min=0),
    default=30,
    show_default=True,
    metavar="SECONDS",
    help="On SIGTERM or Ctrl-C, how long running crawls get to stop before they are killed.",
)
@click.pass_context
def schedule(
    ctx: click.Context,
    seeds: Path,
    db: Path,
    max_running: int,
    log_file: Path | None,
    overrides: tuple[str, ...],
    jitter: float,
    watch: float,
    stop_grace: float,
) -> None:
    """Crawl every enabled site on its schedule, in the foreground, until SIGTERM or Ctrl-C.

    Each site runs on its seed's `schedule` (cron) or `every` (default 6h), in
    its own process with its timeout. SIGHUP reads the seeds folder again; a
    second Ctrl-C kills running crawls at once.

    \b
    Examples:
        provnews schedule
        provnews schedule --db /srv/provnews/archive.db --log-file /var/log/provnews/schedule.log
        kill -HUP $(pgrep -f 'provnews schedule')    # read seeds/ again now
    """
    from scheduler.schedule import ScheduleConfig
    from scheduler.service import run_schedule
    from scheduler.timetable import ScheduleError

    try:
        settings = parse_overrides(list(overrides))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from exc
    _log_for_service(ctx.obj.get("verbose", False), log_file)
    config = ScheduleConfig(seeds, db, max_running, settings, jitter, watch, stop_grace)
    try:
        code = run_schedule(config)
    except (ScheduleError, ArchiveError) as exc:
        raise click.ClickException(str(exc)) from exc
    sys.exit(code)


def _log_for_service(verbose: bool, log_file: Path | None) -> None:
    """Timestamps on every line, the scheduler's own lines shown, and a rotated log file if asked."""
    from logging.handlers import RotatingFileHandler

    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    for handler in root.handlers:
        handler.setFormatter(formatter)
    logging.getLogger("scheduler").setLevel(logging.INFO)
    if not verbose:
        logging.getLogger("apscheduler").setLevel(logging.ERROR)  # the scheduler logs skips itself
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            file_handler = RotatingFileHandler(log_file, maxBytes=10 * 2**20, backupCount=5, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(
                f"{log_file}: cannot write the log there ({exc.strerror}); create its folder or pick another path"
            ) from exc
        file_handler.setFormatter(formatter)
        root.addHandler(file_handler)


@cli.command()
@SEEDS_OPTION
@DB_OPTION
def status(seeds: Path, db: Path) -> None:
    """One line per site: last crawl (time, outcome), articles, new in 24 h, next run.

    \b
    Example:
        provnews status --db /srv/provnews/archive.db
    """
    from scheduler.service import scheduler_pid
    from scheduler.status import describe, site_statuses
    from scheduler.timetable import ScheduleError

    try:
        statuses = site_statuses(seeds, db)
    except (ScheduleError, ArchiveError) as exc:
        raise click.ClickException(str(exc)) from exc
    for site_status in statuses:
        click.echo(describe(site_status))
    pid = scheduler_pid(db)
    if pid:
        click.echo(f"scheduler: running on {db} (process {pid})", err=True)
    else:
        click.echo(f"scheduler: not running on {db}; start it with 'provnews schedule'", err=True)


@cli.command()
@click.argument("site_ids", nargs=-1, metavar="[SITE_ID]...")
@DB_OPTION
def reextract(site_ids: tuple[str, ...], db: Path) -> None:
    """Re-run extraction over the archived raw pages, fetching nothing.

    An article whose result changes gets a new version; the earlier one is kept with
    the extractor version that produced it. Without SITE_ID, every site.

    \b
    Examples:
        provnews reextract
        provnews reextract langson-mirror --db archive.db
    """
    from crawler.reextraction import reextract as reextract_archive

    _need_archive(db)

    def progress(event: dict[str, Any]) -> None:
        if event["outcome"] != "unchanged":
            published = (event.get("published") or "undated")[:10]
            click.echo(f"  {event['outcome']:<11} {published:<10}  {event.get('title') or event['url']}")
        if event["done"] % 100 == 0:
            click.echo(f"  … {event['done']} articles re-read", err=True)

    try:
        with Archive(db) as archive:
            empty = [s for s in site_ids if archive.count_articles(s) == 0]
            if empty:
                raise click.ClickException(f"{db}: no articles of {', '.join(empty)}; crawl the site first")
            report = reextract_archive(archive, site_ids, on_event=progress)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{report.read} articles re-read with {report.extractor_version}: {report.changed} changed, "
        f"{report.unchanged} unchanged, {report.not_articles} no longer read as articles (kept)"
    )


@cli.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@DB_OPTION
def backup(path: Path, db: Path) -> None:
    """Copy the archive, even while crawls write to it, into a new checked file PATH.

    Uses SQLite's online backup API (never a plain file copy, which misses the -wal);
    the copy passes integrity_check before it is kept.

    \b
    Example:
        provnews backup backups/archive-2024-05-01.db --db archive.db
    """
    from storage.backup import backup_archive

    _need_archive(db)
    try:
        report = backup_archive(db, path)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{report.path}: {report.articles} articles, {report.size:,} bytes, integrity ok")


def main() -> None:
    cli(prog_name="provnews")


if __name__ == "__main__":
    main()
