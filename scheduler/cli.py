"""The ``provnews`` command: a thin click layer over crawler/, storage/ and scheduler/.

Each command parses its options, calls one library function, prints, and turns a
domain error into a clear message (exit 1); bad arguments exit 2.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import click

from crawler.errors import SeedError
from crawler.process import parse_overrides
from crawler.seeds import Seed, load_seeds
from scheduler.runner import CrawlReport, run_crawl
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
    help="Hard limit in seconds for each site's crawl (default: the seed's timeout).",
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
    quiet: bool,
) -> None:
    """Crawl sites now, each in its own process, into the archive.

    \b
    Examples:
        provnews crawl langson-mirror
        provnews crawl --all --db /srv/provnews/archive.db
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
    reports = []
    for seed in chosen:
        click.echo(f"crawling {seed.id} ({seed.name}) from {seed.home_url}")
        report = run_crawl(
            seed.id,
            seeds=seeds,
            db=db,
            overrides=settings,
            timeout=timeout or seed.timeout,
            on_event=None if quiet else _print_event,
        )
        reports.append(report)
        click.echo(_summary(report))
        if not report.ok or verbose:
            for line in report.log_tail[-(40 if verbose else 8) :]:
                click.echo(f"    | {line}", err=True)
    if any(not r.ok for r in reports):
        sys.exit(1)


def _print_event(event: dict[str, Any]) -> None:
    if event.get("event") == "article" and event.get("outcome") != "unchanged":
        published = (event.get("published") or "undated")[:10]
        click.echo(f"  {event['outcome']:<8} {published:<10}  {event.get('title', '')}")


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
@DB_OPTION
def search(query: str, site: str | None, limit: int, as_json: bool, db: Path) -> None:
    """Full-text search of titles and texts; diacritics optional, best first.

    \b
    Examples:
        provnews search "dân vận"
        provnews search "dan van" --site langson-mirror --limit 5
    """
    if not db.exists():
        raise click.ClickException(f"{db}: no archive here yet; run 'provnews crawl' first or pass --db")
    query = unicodedata.normalize("NFC", query)
    try:
        with Archive(db) as archive:
            hits = archive.search(query, site=site, limit=limit)
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
def serve(db: Path, host: str, port: int) -> None:
    """Browse and query the archive with Datasette (read-only, local by default).

    \b
    Example:
        provnews serve --db archive.db --port 8001
    """
    if not db.exists():
        raise click.ClickException(f"{db}: no archive here yet; run 'provnews crawl' first or pass --db")
    Archive(db).close()  # bring the schema up to date before Datasette reads it
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "1000",
    ]
    click.echo(f"Datasette on http://{host}:{port}/ — Ctrl-C to stop", err=True)
    try:
        sys.exit(subprocess.call(command))
    except KeyboardInterrupt:
        sys.exit(0)


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
    from scheduler.demo import DEMO_SITE, run_demo

    click.echo(f"serving the offline mirror (seeds/{DEMO_SITE}.toml) and crawling it into {db}")
    try:
        report = run_demo(seeds, db, on_event=_print_event)
    except (SeedError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_summary(report))
    if not report.ok:
        for line in report.log_tail[-8:]:
            click.echo(f"    | {line}", err=True)
        sys.exit(1)
    with Archive(db) as archive:
        total = archive.count_articles(DEMO_SITE)
        hits = archive.search("dan van", site=DEMO_SITE, limit=3)
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
    from scheduler.demo import MIRROR_DIR, serve_mirror

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


def main() -> None:
    cli(prog_name="provnews")


if __name__ == "__main__":
    main()
