"""The archive's exceptions: one small tree, every message names the file and the fix.

::

    ArchiveError                 anything the archive cannot do
     ├── SearchError             a bad or empty search query
     ├── ArchiveBusyError        the database stayed locked beyond the busy timeout
     └── DiskFullError           SQLITE_FULL: the disk (or max_page_count) is full

Callers that only want to report a failure catch ``ArchiveError``; the CLI turns it
into a ``click.ClickException`` with the same message.
"""

from __future__ import annotations

import sqlite3

_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_NOTADB = 26


class ArchiveError(Exception):
    """Base class: the archive could not do what was asked."""


class SearchError(ArchiveError):
    """The search query is empty or unusable; the message shows a query that works."""


class ArchiveBusyError(ArchiveError):
    """Another connection held the write lock for longer than the busy timeout."""


class DiskFullError(ArchiveError):
    """SQLite reported SQLITE_FULL: nothing of the failed write was kept."""


def from_sqlite(error: sqlite3.Error, where: str, busy_timeout: float) -> ArchiveError | None:
    """The ``ArchiveError`` for a sqlite3 error, or None to let the error through.

    ``where`` names the file and the operation: ``archive.db: saving article …``.
    Errors that are bugs (SQL mistakes, bad bindings) are not translated.
    """
    code = getattr(error, "sqlite_errorcode", -1) & 0xFF
    message = str(error)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in message:
        return ArchiveBusyError(
            f"{where}: the database stayed locked for more than {busy_timeout:g} s "
            "while another process wrote to it. Wait for that crawl to finish, or "
            "open the archive with a longer busy_timeout"
        )
    if code == _SQLITE_FULL or "database or disk is full" in message:
        return DiskFullError(
            f"{where}: the disk is full (SQLITE_FULL) and nothing of this write was "
            "kept. Free some space on that disk and run again"
        )
    if "FOREIGN KEY constraint failed" in message:
        return ArchiveError(
            f"{where}: it refers to a site, page or crawl that is not in the "
            "archive. Add the site with upsert_site() first"
        )
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return ArchiveError(
            f"{where}: {message}. Check it with integrity_check(), or restore the archive from a backup"
        )
    return None
