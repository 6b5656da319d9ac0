"""Exports of the archive's articles as JSON lines or CSV, streamed row by row.

``export_articles`` reads one cursor and writes each row as soon as it is read, so an
archive of any size exports in constant memory::

    with Archive("archive.db") as archive, open("articles.jsonl", "w", encoding="utf-8") as out:
        count = export_articles(archive, out, fmt="jsonl", site="langson-mirror", since="2022-01-01")

Every text leaves in Unicode NFC. In JSON lines ``captions`` is a list; in CSV it stays
the JSON text it is in the archive.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from storage.archive import Archive
from storage.errors import ArchiveError
from storage.text import nfc

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv")
EXPORT_COLUMNS = (
    "id",
    "site",
    "url",
    "title",
    "published",
    "author",
    "source",
    "text",
    "captions",
    "description",
    "language",
    "version",
    "first_seen",
    "last_checked",
    "last_changed",
    "gone_since",
)
_PROGRESS_EVERY = 10_000


def export_articles(
    archive: Archive,
    out: TextIO,
    *,
    fmt: str = "jsonl",
    site: str | None = None,
    since: str | None = None,
    until: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the articles of ``archive`` (of one site, published in a range) to ``out``.

    ``fmt`` is ``jsonl`` (one JSON object a line) or ``csv`` (a header, then one row per
    article). Returns how many articles were written; ``progress(count)`` is called
    every 10,000 articles.
    """
    if fmt not in FORMATS:
        raise ArchiveError(f"export format {fmt!r} is not one of {', '.join(FORMATS)}; e.g. --format jsonl")
    rows = archive.iter_articles(EXPORT_COLUMNS, site=site, since=since, until=until)
    records = (_normalised(row) for row in rows)
    writer = _write_jsonl if fmt == "jsonl" else _write_csv
    count = writer(_counted(records, progress), out)
    logger.info("%s: exported %d articles as %s", archive.path, count, fmt)
    return count


def _normalised(row: tuple[Any, ...]) -> list[Any]:
    return [nfc(value) if isinstance(value, str) else value for value in row]


def _counted(records: Iterable[list[Any]], progress: Callable[[int], None] | None) -> Iterator[list[Any]]:
    for count, record in enumerate(records, start=1):
        yield record
        if progress is not None and count % _PROGRESS_EVERY == 0:
            progress(count)


def _write_jsonl(records: Iterable[list[Any]], out: TextIO) -> int:
    count = 0
    captions = EXPORT_COLUMNS.index("captions")
    for record in records:
        record[captions] = json.loads(record[captions]) if record[captions] else []
        out.write(json.dumps(dict(zip(EXPORT_COLUMNS, record, strict=True)), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def _write_csv(records: Iterable[list[Any]], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for record in records:
        writer.writerow(record)
        count += 1
    return count
