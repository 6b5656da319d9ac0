"""`provnews status`: one line per site — last crawl, articles, new in 24 h, next run."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import cli
from scheduler.demo.mirror import MirrorServer
from scheduler.runner import run_crawl
from scheduler.status import site_statuses
from scheduler.timetable import format_time
from storage.archive import Archive


def add_seeds(folder: Path, url: str) -> None:
    common = f'start_urls = ["{url}/"]\ndownload_delay = 0.0\n'
    (folder / "idle.toml").write_text(f'name = "Idle"\n{common}enabled = false\n', encoding="utf-8")
    (folder / "never.toml").write_text(f'name = "Never"\n{common}every = "1h"\n', encoding="utf-8")
    (folder / "broken.toml").write_text(f'name = "Broken"\n{common}schedule = "6am"\n', encoding="utf-8")


@pytest.mark.slow
def test_status_shows_last_crawl_articles_new_in_24_hours_and_next_run(
    mirror: MirrorServer, seeds_dir: Path, db_path: Path
) -> None:
    add_seeds(seeds_dir, mirror.url)
    report = run_crawl("langson-mirror", seeds=seeds_dir, db=db_path, timeout=120)
    assert report.ok, report.log_tail
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).isoformat(timespec="seconds")
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("UPDATE articles SET first_seen = ? WHERE id IN (SELECT id FROM articles LIMIT 5)", [two_days_ago])

    statuses = {status.site: status for status in site_statuses(seeds_dir, db_path)}
    assert list(statuses) == ["broken", "idle", "langson-mirror", "never"]
    crawled = statuses["langson-mirror"]
    assert (crawled.last_outcome, crawled.articles, crawled.new_24h, crawled.state) == ("ok", 22, 17, "scheduled")
    assert crawled.last_started and crawled.next_run == crawled.last_started + timedelta(hours=6)
    assert statuses["never"].state == "due" and statuses["never"].last_started is None
    assert statuses["idle"].state == "disabled" and statuses["idle"].next_run is None
    assert statuses["broken"].state == "broken"
    assert "schedule: '6am' is not a cron expression" in (statuses["broken"].problem or "")

    result = CliRunner().invoke(cli, ["status", "--seeds", str(seeds_dir), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert list(lines) == ["broken", "idle", "langson-mirror", "never"]
    assert f"last {format_time(crawled.last_started)} ok" in lines["langson-mirror"]
    assert "22 articles,   17 new in 24 h" in lines["langson-mirror"]
    assert lines["langson-mirror"].endswith(f"next {format_time(crawled.next_run)}")
    assert "last never" in lines["never"] and lines["never"].endswith(
        "next: due now (runs as soon as the scheduler runs)"
    )
    assert lines["idle"].endswith("not scheduled: disabled in its seed file")
    assert "not scheduled: " in lines["broken"] and "is not a cron expression, e.g. '0 6 * * *'" in lines["broken"]
    assert f"scheduler: not running on {db_path}; start it with 'provnews schedule'" in result.stderr


def test_status_shows_a_crawl_under_way_and_a_site_without_a_seed(seeds_dir: Path, db_path: Path) -> None:
    with Archive(db_path) as archive:
        archive.db.table("sites").insert_all([{"id": "langson-mirror", "name": "m"}, {"id": "gone", "name": "g"}])
        archive.start_crawl("langson-mirror", pid=os.getpid())  # this process is alive
        archive.start_crawl("gone", pid=os.getpid())
    statuses = {status.site: status for status in site_statuses(seeds_dir, db_path)}
    assert statuses["langson-mirror"].state == "running"
    assert statuses["gone"].state == "no seed"
    result = CliRunner().invoke(cli, ["status", "--seeds", str(seeds_dir), "--db", str(db_path)])
    assert "running" in result.stdout and "next: crawling now" in result.stdout
    assert "not scheduled: no seed file" in result.stdout


def test_status_without_an_archive_lists_the_sites_and_creates_nothing(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    add_seeds(seeds, "http://127.0.0.1:9")
    db = tmp_path / "archive.db"
    result = CliRunner().invoke(cli, ["status", "--seeds", str(seeds), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "never" in result.stdout and "due now" in result.stdout
    assert not db.exists()


def test_status_names_a_missing_seeds_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["status", "--seeds", str(tmp_path / "nope"), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 1
    assert "nope: no such seeds folder; pass --seeds DIR or set PROVNEWS_SEEDS" in result.output
