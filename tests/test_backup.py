"""`provnews backup`: a consistent, checked copy of a live archive (RELIABILITY.md §3.11)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import cli
from storage.archive import Archive
from storage.backup import backup_archive
from storage.errors import ArchiveError
from storage.records import Article, Site

WRITER = """
import sys, time
from storage.archive import Archive
from storage.records import Article, Site
with Archive(sys.argv[1]) as archive:
    archive.upsert_site(Site("s", "S", "http://127.0.0.1/"))
    n = 0
    print("ready", flush=True)
    while True:
        n += 1
        archive.save_article("s", Article(f"http://127.0.0.1/bai-{n}.html", f"Bài {n}", "Hội nghị dân vận. " * 200))
"""


def seeded_archive(path: Path, articles: int = 50) -> None:
    with Archive(path) as archive:
        archive.upsert_site(Site("s", "S", "http://127.0.0.1/"))
        for n in range(articles):
            archive.save_article("s", Article(f"http://127.0.0.1/old-{n}.html", f"Cũ {n}", "Lạng Sơn. " * 100))


def rows(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        (count,) = conn.execute("select count(*) from articles").fetchone()
        (broken,) = conn.execute("select count(*) from articles where text is null or text = ''").fetchone()
    finally:
        conn.close()
    return count, broken


def test_backup_of_a_live_archive_is_consistent_and_checked(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    seeded_archive(db)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        copies = [backup_archive(db, tmp_path / f"backup-{i}.db") for i in range(3)]
        time.sleep(0.2)
        assert writer.poll() is None, "the writer kept running through the backups"
    finally:
        writer.kill()
        writer.wait()
        if writer.stdout:
            writer.stdout.close()
    counts = [report.articles for report in copies]
    assert counts == sorted(counts) and counts[0] > 50, counts  # each copy a later snapshot
    for report in copies:
        assert report.path.exists() and not Path(f"{report.path}-wal").exists()
        with Archive(report.path) as copy:
            assert copy.integrity_check() == []
        count, broken = rows(report.path)
        assert count == report.articles and broken == 0
    assert not list(tmp_path.glob("*.partial*"))


def test_backup_command_and_its_errors(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    seeded_archive(db, 5)
    runner = CliRunner()
    result = runner.invoke(cli, ["backup", str(tmp_path / "b" / "copy.db"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "5 articles" in result.output and "integrity ok" in result.output
    again = runner.invoke(cli, ["backup", str(tmp_path / "b" / "copy.db"), "--db", str(db)])
    assert again.exit_code == 1 and "already exists" in again.output
    missing = runner.invoke(cli, ["backup", str(tmp_path / "c.db"), "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no archive" in missing.output
    with pytest.raises(ArchiveError, match="archive itself"):
        backup_archive(db, tmp_path / "x" / ".." / "archive.db")
