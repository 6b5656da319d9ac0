"""Raw pages, compressed against their site's own template.

A site's pages share most of their bytes (head, menus, footer), so pages are compressed
with zstd against a *dictionary* made of the site's own recent pages: the raw bytes of
its last few pages, up to 128 KiB, kept once in ``page_dictionaries``. On templated
news pages this stores a page in a tenth of its size or less, where compressing it
alone (zlib) gives about a third. ``pages.codec`` says how a body was stored:

- ``zstd``: zstd against the dictionary ``pages.dictionary`` (whose ``data`` column is the
  dictionary's raw content, zlib-compressed);
- ``zlib``: zlib alone (a site's first few pages, before it has a dictionary, and pages
  archived before dictionaries existed).

In Python::

    import zlib, zstandard
    raw = zlib.decompress(dictionary_data)        # page_dictionaries.data
    zdict = zstandard.ZstdCompressionDict(raw, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    body = zstandard.ZstdDecompressor(dict_data=zdict).decompress(pages_body)

or ``Archive.page_body(page_id)``. A site gets its dictionary once it has a few pages
stored; when it changes its template and page after page no longer compresses well
against the dictionary, a new one is made from its newest pages (at most once per site
per archive session, so a run of odd pages cannot fill the table).
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils
import zstandard

ZSTD_LEVEL = 3
MAX_DICTIONARY_BYTES = 128 * 1024
SAMPLE_PAGES = 4  # a site's dictionary is made of its newest pages, this many at most
MIN_PAGE_BYTES = 1024  # smaller pages gain nothing from a dictionary
# Pages that compress worse than this against their dictionary, this many in a row, make a new one.
RENEW_BELOW_RATIO = 4.0
RENEW_AFTER_POOR = 8


@dataclass(frozen=True)
class StoredBody:
    """A page body as stored: its codec, its dictionary (or None) and the compressed bytes."""

    codec: str
    dictionary: int | None
    data: bytes


class PageCodec:
    """Compress and decompress page bodies for one database connection (see the module docstring)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._compressors: dict[str, tuple[int, zstandard.ZstdCompressor]] = {}
        self._decompressors: dict[int, zstandard.ZstdDecompressor] = {}
        self._poor: dict[str, int] = {}
        self._renewed: set[str] = set()

    def compress(self, site: str, body: bytes) -> StoredBody:
        """The stored form of ``body``; may add a dictionary row (call inside the page's transaction)."""
        current = self._compressors.get(site) or self._latest(site)
        if current is None:
            current = self._new_dictionary(site, body, need=SAMPLE_PAGES)
            if current is None:
                return StoredBody("zlib", None, zlib.compress(body, 6))
        dictionary, compressor = current
        data = compressor.compress(body)
        if len(body) < MIN_PAGE_BYTES or len(data) * RENEW_BELOW_RATIO <= len(body):
            self._poor[site] = 0
            return StoredBody("zstd", dictionary, data)
        self._poor[site] = self._poor.get(site, 0) + 1
        if self._poor[site] >= RENEW_AFTER_POOR and site not in self._renewed:
            renewed = self._new_dictionary(site, body, need=1)
            if renewed is not None:
                self._renewed.add(site)
                self._poor[site] = 0
                dictionary, compressor = renewed
                data = compressor.compress(body)
        return StoredBody("zstd", dictionary, data)

    def decompress(self, codec: str | None, dictionary: int | None, data: bytes) -> bytes:
        """The raw bytes of a stored body."""
        if codec in (None, "zlib") or dictionary is None:
            return zlib.decompress(data)
        if codec != "zstd":
            raise ValueError(f"unknown page codec {codec!r}")
        decompressor = self._decompressors.get(dictionary)
        if decompressor is None:
            decompressor = zstandard.ZstdDecompressor(dict_data=self._dictionary(dictionary))
            self._decompressors[dictionary] = decompressor
        return decompressor.decompress(data)

    def forget(self) -> None:
        """Drop cached dictionaries (after a rollback, the rows they came from may be gone)."""
        self._compressors.clear()
        self._decompressors.clear()

    def _latest(self, site: str) -> tuple[int, zstandard.ZstdCompressor] | None:
        row = self.db.execute(
            "SELECT id FROM page_dictionaries WHERE site = ? ORDER BY id DESC LIMIT 1", [site]
        ).fetchone()
        if row is None:
            return None
        current = (int(row[0]), _compressor(self._dictionary(int(row[0]))))
        self._compressors[site] = current
        return current

    def _new_dictionary(self, site: str, body: bytes, *, need: int) -> tuple[int, zstandard.ZstdCompressor] | None:
        """A dictionary of ``body`` and the site's newest stored pages, once there are ``need`` pages."""
        samples = [body] if len(body) >= MIN_PAGE_BYTES else []
        rows = self.db.execute(
            "SELECT codec, dictionary, body FROM pages WHERE site = ? AND size >= ? ORDER BY id DESC LIMIT ?",
            [site, MIN_PAGE_BYTES, SAMPLE_PAGES - 1],
        ).fetchall()
        samples += [self.decompress(codec, dictionary, data) for codec, dictionary, data in rows]
        if len(samples) < need or not samples:
            return None
        raw = b"".join(reversed(samples))[-MAX_DICTIONARY_BYTES:]  # the newest page last: nearest
        row = {
            "site": site,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "size": len(raw),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "data": zlib.compress(raw, 9),
        }
        dictionary = self.db.table("page_dictionaries").insert(row).last_rowid
        assert dictionary is not None
        zdict = zstandard.ZstdCompressionDict(raw, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
        current = (dictionary, _compressor(zdict))
        self._compressors[site] = current
        return current

    def _dictionary(self, dictionary: int) -> zstandard.ZstdCompressionDict:
        row = self.db.execute("SELECT data FROM page_dictionaries WHERE id = ?", [dictionary]).fetchone()
        if row is None:
            raise ValueError(f"page dictionary {dictionary} is missing")
        return zstandard.ZstdCompressionDict(zlib.decompress(row[0]), dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def _compressor(zdict: zstandard.ZstdCompressionDict) -> zstandard.ZstdCompressor:
    zdict.precompute_compress(level=ZSTD_LEVEL)
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL, dict_data=zdict)
