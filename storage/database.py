"""The archive file: one SQLite database in WAL mode, and its transactions.

:class:`Database` opens the file (creating it, applying migrations), and gives the
stores built on it (:mod:`storage.crawls`, :mod:`storage.crawlstate`,
:mod:`storage.articles`, :mod:`storage.search`) their plumbing: one ``BEGIN IMMEDIATE``
transaction per unit of work, sqlite3 errors translated into errors that name the file
and the fix. :class:`storage.archive.Archive` is all of them together.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import sqlite_utils

from storage.errors import from_sqlite
from storage.migrations import migrate
from storage.pages import PageCodec

logger = logging.getLogger(__name__)


def utc_now() -> str:
    """The archive's clock: UTC, to the second, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """The archive file, open (see the module docstring)."""

    path: Path
    db: sqlite_utils.Database
    codec: PageCodec

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        try:
            with self._errors("opening the archive"):
                self._configure()
                applied = migrate(self.db)
        except BaseException:
            self.db.close()
            raise
        if applied:
            logger.info("%s: applied migrations %s", self.path, ", ".join(applied))
        self.codec = PageCodec(self.db)

    def _configure(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Translate sqlite3 errors into ``ArchiveError``s that name the file and fix."""
        try:
            yield
        except sqlite3.Error as error:
            where = f"{self.path}: {doing}"
            translated = from_sqlite(error, where, self.busy_timeout)
            if translated is None:
                raise
            raise translated from error

    @contextlib.contextmanager
    def _transaction(self, doing: str) -> Iterator[None]:
        """One ``BEGIN IMMEDIATE`` transaction: all of it is written, or none of it.

        IMMEDIATE takes the write lock up front, so a read-then-write never fails
        half-way with SQLITE_BUSY_SNAPSHOT; waiting for the lock obeys busy_timeout.
        """
        with self._errors(doing):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.db.commit()
            except BaseException:
                self.db.rollback()
                self.codec.forget()  # a dictionary made in this transaction is gone with it
                raise

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, list(params))
        keys = [d[0] for d in cursor.description]
        return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]

    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None
