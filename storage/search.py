"""Reading the archive: full-text search, streamed articles, one article by id or URL, checks."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from storage.database import Database
from storage.errors import ArchiveBusyError, ArchiveError, DiskFullError, SearchError
from storage.migrations import FTS_TABLE, SEARCH_INDEX
from storage.records import SearchHit
from storage.text import SEARCH_EXAMPLE, fts_query

logger = logging.getLogger(__name__)

# bm25 weights for (title, text, folded): a hit in the title counts most.
_BM25_WEIGHTS = (10.0, 1.0, 2.0)
# A query matching more articles than this ranks the most recently archived ones only:
# bm25 costs about a microsecond per match, and a syllable such as "dong" (đồng, Đông)
# matches most of a Vietnamese archive.
SEARCH_RANK_WINDOW = 10_000
_SNIPPET_TOKENS = 16


class SearchIndex(Database):
    """Search and reads."""

    def search(
        self,
        query: str,
        *,
        site: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 20,
    ) -> list[SearchHit]:
        """Full-text search over titles and texts, best first (bm25), diacritics ignored.

        Every term must match (in any column); ``dan van`` finds "dân vận" and
        ``da nang`` finds "Đà Nẵng". User text is always quoted, never FTS syntax.
        ``since``/``until`` are publication days, both included.
        """
        match = fts_query(query.replace("\x00", " "))  # FTS5 reads a query only up to a NUL
        where, params = _article_filters(site, since, until)
        sql = _search_sql(where)
        try:
            with self._errors(f"searching for {query[:80]!r}"):
                rows = self._rows(sql, [match, *params, max(0, limit), match])
        except sqlite3.OperationalError as error:  # the SQL is fixed: only the query can be at fault
            message = f"{query[:80]!r}: the search index could not read it ({error}); {SEARCH_EXAMPLE}"
            raise SearchError(message) from None
        return [SearchHit(**{**row, "title": row["title"] or "", "rank": float(row["rank"])}) for row in rows]

    def iter_articles(
        self,
        columns: Sequence[str],
        *,
        site: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """``columns`` of every article, oldest publication first, one row at a time.

        Reads a cursor, never the whole table, so exports run in constant memory.
        ``since``/``until`` are days (``2022-08-23``), both included; undated articles
        are left out when either is given.
        """
        wanted = ", ".join(f"[{column}]" for column in columns)
        where, params = _article_filters(site, since, until)
        sql = f"SELECT {wanted} FROM articles a WHERE {where} ORDER BY a.published, a.id"
        with self._errors("reading articles"):
            yield from self.db.execute(sql, params)

    def find_article(self, ref: str | int) -> dict[str, Any] | None:
        """The ``articles`` row whose id (``12``) or URL (canonical or alias) is ``ref``, or None."""
        ref = str(ref).strip()
        with self._errors(f"reading article {ref}"):
            if ref.isdigit():
                return self._one("SELECT * FROM articles WHERE id = ?", [int(ref)])
            row = self._one("SELECT * FROM articles WHERE url = ?", [ref])
            if row is None and self.db["article_aliases"].exists():
                row = self._one(
                    "SELECT a.* FROM articles a JOIN article_aliases l ON l.article = a.id WHERE l.url = ?", [ref]
                )
            return row

    def integrity_check(self) -> list[str]:
        """``PRAGMA integrity_check`` plus FTS5 ``integrity-check``; [] when all is ok.

        The FTS check (rank 1) also compares the index with the ``articles`` rows.
        """
        problems: list[str] = []
        checks = [
            ("PRAGMA integrity_check", "checking integrity"),
            (
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)",
                "checking the full-text index",
            ),
        ]
        for sql, doing in checks:
            try:
                with self._errors(doing):
                    rows = self.db.execute(sql).fetchall()
            except (ArchiveBusyError, DiskFullError):
                raise
            except ArchiveError as error:
                problems.append(f"{doing}: {error.__cause__ or error}")
            else:
                problems.extend(str(row[0]) for row in rows if row[0] != "ok")
        for problem in problems:
            logger.warning("%s: integrity: %s", self.path, problem)
        return problems


def _article_filters(site: str | None, since: str | None, until: str | None) -> tuple[str, list[Any]]:
    """The WHERE clause (on ``articles a``) and parameters for a site and publication days."""
    clauses, params = ["1"], []
    if site is not None:
        clauses.append("a.site = ?")
        params.append(site)
    if since is not None:
        clauses.append("a.published >= ?")
        params.append(_day(since, "since"))
    if until is not None:
        clauses.append("a.published < date(?, '+1 day')")
        params.append(_day(until, "until"))
    return " AND ".join(clauses), params


def _day(value: str, name: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ArchiveError(f"{name}: {value!r} is not a day; write it as 2022-08-23") from None


def _search_sql(where: str) -> str:
    """Rank the matches on the index alone, then read and snippet only the best ``limit``.

    A snippet reads the whole text, so it is made for the best rows only (``CROSS JOIN``
    keeps SQLite from scanning the matches a second time). The articles table is joined
    for filters only, through the covering ``SEARCH_INDEX``, never through its large rows.
    Without filters, only the ``SEARCH_RANK_WINDOW`` most recently archived matches are
    ranked (the rowid range is read from the index in order, at no ranking cost).
    """
    weights = ", ".join(str(w) for w in _BM25_WEIGHTS)
    fts = FTS_TABLE
    filtered = "" if where == "1" else f"JOIN articles a INDEXED BY {SEARCH_INDEX} ON a.id = {fts}.rowid "
    window = (
        f"{fts}.rowid >= coalesce((SELECT min(rowid) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH ?1 "
        f"ORDER BY rowid DESC LIMIT {SEARCH_RANK_WINDOW})), 0)"
        if where == "1"
        else "1"
    )
    return (
        f"WITH best AS (SELECT {fts}.rowid AS id, bm25({fts}, {weights}) AS rank FROM {fts} {filtered}"
        f"WHERE {fts} MATCH ?1 AND {where} AND {window} ORDER BY rank LIMIT ?) "
        "SELECT a.id, a.site, a.url, a.title, a.published, "
        f"snippet({fts}, 1, '[', ']', '…', {_SNIPPET_TOKENS}) AS snippet, best.rank "
        f"FROM best CROSS JOIN {fts} ON {fts}.rowid = best.id CROSS JOIN articles a ON a.id = best.id "
        f"WHERE {fts} MATCH ? ORDER BY best.rank"
    )
