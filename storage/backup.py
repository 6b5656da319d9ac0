"""A consistent copy of a live archive: the SQLite online backup API, then a check of the copy.

Crawls may write while the backup runs: the copy is taken in one step from a single read
transaction (WAL readers never block the writer), so it holds every article committed
before that moment and nothing half-written. It is written beside its destination as
``PATH.partial`` and renamed only once it passes ``integrity_check()``, so ``PATH`` is
either a good backup or absent. Never copy the ``.db`` file with ``cp``: its ``-wal``
holds recent commits.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.archive import Archive
from storage.errors import ArchiveError, from_sqlite

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupReport:
    """What a backup wrote: where, how big, how many articles."""

    path: Path
    size: int
    articles: int


def backup_archive(
    db: str | os.PathLike[str], destination: str | os.PathLike[str], *, busy_timeout: float = 30.0
) -> BackupReport:
    """Copy the archive ``db`` to ``destination`` (a new file) and check the copy."""
    source_path, target = Path(db), Path(destination)
    if not source_path.exists():
        raise ArchiveError(f"{source_path}: no archive here; pass --db with the archive to back up")
    if target.resolve() == source_path.resolve():
        raise ArchiveError(f"{target}: is the archive itself; choose another file name for the backup")
    if target.exists():
        raise ArchiveError(f"{target}: already exists; choose a new file name for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source_path, partial, busy_timeout)
        with Archive(partial, busy_timeout=busy_timeout) as copy:
            problems = copy.integrity_check()
            articles = copy.count_articles()
            copy.db.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        if problems:
            raise ArchiveError(f"{source_path}: the backup failed its integrity check ({problems[0]}); not kept")
        os.replace(partial, target)
    finally:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
    logger.info("%s: backed up to %s (%d articles)", source_path, target, articles)
    return BackupReport(target, target.stat().st_size, articles)


def _copy(source_path: Path, target: Path, busy_timeout: float) -> None:
    source = sqlite3.connect(source_path, timeout=busy_timeout)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=-1)  # one step: one read snapshot, consistent under writers
    except sqlite3.Error as error:
        translated = from_sqlite(error, f"{source_path}: backing up to {target}", busy_timeout)
        raise (translated or error) from error
    finally:
        copy.close()
        source.close()
