"""The archive's public schema described for Datasette: tables, columns, units, sorts, facets.

Every table and column of the archive is described here (a test compares this with a
freshly migrated archive, so a new column without a description fails the suite).
Times of the archive's own events are UTC ISO 8601; ``published`` is as the page gave
it, in Vietnam time (+07:00).
"""

from __future__ import annotations

from typing import Any

from storage.migrations import FTS_TABLE, MIGRATIONS_TABLE

DATABASE_DESCRIPTION = (
    "One row per article in articles (search box: diacritics optional), every earlier "
    "state in article_versions, the raw responses in pages, one row per crawl in crawls."
)
UTC_TIME = "UTC, ISO 8601 (2026-11-28T04:22:49+00:00)"

_SITES = {
    "description": "The sites that are crawled, one per seed file of seeds/.",
    "sort": "id",
    "label_column": "name",
    "columns": {
        "id": "The seed file's stem (seeds/baolangson.toml → baolangson)",
        "name": "The site's name",
        "home_url": "The site's home page",
        "start_urls": "JSON list of the URLs a crawl starts from",
        "added": f"When the site was first added to the archive; {UTC_TIME}",
        "updated": f"When its seed was last read; {UTC_TIME}",
    },
}

_ARTICLES = {
    "description": (
        "One row per article, under its canonical URL, with its current text. Search "
        "ignores diacritics: 'dan van' finds 'dân vận', 'da nang' finds 'Đà Nẵng'."
    ),
    "sort_desc": "published",
    "facets": ["site", "published_month", "author"],
    "fts_table": FTS_TABLE,
    "fts_pk": "id",
    "label_column": "title",
    "columns": {
        "id": "The article's number in the archive (provnews history ID)",
        "site": "The site it was found on (sites.id)",
        "url": "Canonical URL: rel=canonical or og:url on the same site, else the URL without tracking parameters",
        "title": "The headline, without the site's name",
        "published": "Publication time as the page gave it, Vietnam time: 2022-08-23T16:13:00+07:00, "
        "or 2022-08-23 when the page shows no time, or empty when it shows no date",
        "published_from": "Where the date came from: page, a metadata key, time or url",
        "updated": "Update time shown by the page, if any (same format as published)",
        "author": "The byline, if the page names one",
        "source": "The credited origin: 'Nguồn: Baolangson.vn' → Baolangson.vn",
        "text": "The body in Unicode NFC, paragraphs separated by newlines; no menus, captions, "
        "related-news lists or source line",
        "captions": "JSON list of the picture captions",
        "description": "The page's summary (meta description or lead)",
        "language": "Language code, e.g. vi",
        "folded": "For search only: the words of title and text that contain đ, with đ written d",
        "content_hash": "SHA-256 (hex) of title, text, published, author and source; a new hash is a new version",
        "version": "1 + the number of earlier versions in article_versions",
        "extractor_version": "Version of the extractor that read this text",
        "page": "The raw response it was read from (pages.id)",
        "etag": "The ETag of that response, for conditional rechecks",
        "last_modified": "The Last-Modified header of that response",
        "first_seen": f"When the article was first archived; {UTC_TIME}",
        "last_checked": f"When its page was last fetched or confirmed unchanged; {UTC_TIME}",
        "last_changed": f"When its current version was stored; {UTC_TIME}",
        "gone_since": f"When its page disappeared from the site (empty while it is there); {UTC_TIME}",
        "published_month": "Month of publication, 2022-08 (derived from published, for facets)",
    },
}

_ARTICLE_VERSIONS = {
    "description": (
        "Every earlier state of an article whose content changed; the current state is in "
        "articles. Nothing archived is ever deleted."
    ),
    "sort_desc": "valid_until",
    "facets": ["article"],
    "label_column": "title",
    "columns": {
        "id": "The version row's number",
        "article": "The article (articles.id)",
        "version": "1 for the first state, 2 for the next, …",
        "title": "The headline then",
        "published": "The publication time then (Vietnam time, as in articles)",
        "author": "The byline then",
        "source": "The credited origin then",
        "text": "The body then (NFC, paragraphs separated by newlines)",
        "captions": "JSON list of the captions then",
        "content_hash": "SHA-256 of that state (see articles.content_hash)",
        "extractor_version": "Version of the extractor that read it",
        "page": "The raw response it was read from (pages.id)",
        "valid_from": f"When this state was first stored; {UTC_TIME}",
        "valid_until": f"When a newer state replaced it; {UTC_TIME}",
    },
}

_PAGES = {
    "description": "Raw HTTP responses, kept so the archive can be re-extracted without fetching again.",
    "sort_desc": "fetched_at",
    "facets": ["site", "status"],
    "units": {"size": "byte"},
    "columns": {
        "id": "The page's number",
        "site": "The site (sites.id)",
        "url": "The URL fetched",
        "crawl": "The crawl that fetched it (crawls.id)",
        "fetched_at": f"When it was fetched; {UTC_TIME}",
        "status": "HTTP status code",
        "content_type": "The Content-Type header",
        "etag": "The ETag header",
        "last_modified": "The Last-Modified header",
        "headers": "JSON object of the response headers",
        "size": "Size of the raw body in bytes (before compression)",
        "sha256": "SHA-256 (hex) of the raw body",
        "body": "The raw body, compressed as codec says (provnews: Archive.page_body; see storage/pages.py)",
        "codec": "zstd (against the dictionary page_dictionaries.id = dictionary) or zlib (alone)",
        "dictionary": "The zstd dictionary the body was compressed with (page_dictionaries.id)",
        "extract_error": "Why the page could not be read as an article (e.g. the time limit); empty when it was",
    },
}

_PAGE_DICTIONARIES = {
    "description": "Per-site zstd dictionaries: the raw bytes of one page of the site, which later pages "
    "of the same template are compressed against.",
    "sort_desc": "created",
    "facets": ["site"],
    "units": {"size": "byte"},
    "columns": {
        "id": "The dictionary's number",
        "site": "The site (sites.id)",
        "created": f"When it was made; {UTC_TIME}",
        "size": "Size of the dictionary in bytes",
        "sha256": "SHA-256 (hex) of the dictionary",
        "data": "The dictionary's raw content, zlib-compressed (zlib.decompress)",
    },
}

_CRAWLS = {
    "description": "One row per crawl of a site: when, how it ended, what it found.",
    "sort_desc": "started",
    "facets": ["site", "outcome"],
    "units": {"seconds": "s"},
    "columns": {
        "id": "The crawl's number",
        "site": "The site crawled (sites.id)",
        "started": f"Start; {UTC_TIME}",
        "finished": f"End (empty while running); {UTC_TIME}",
        "outcome": "running, ok, failed, interrupted, timeout or crashed",
        "pages_fetched": "Responses received",
        "articles_new": "Articles archived for the first time",
        "articles_changed": "Articles whose content changed (a new version)",
        "articles_unchanged": "Articles fetched again with the same content",
        "articles_gone": "Articles whose page disappeared",
        "errors_count": "Number of errors",
        "errors": "JSON list of the error messages",
        "pid": "Process id of the crawl",
        "articles_rechecked": "Known articles re-fetched conditionally (ETag/If-Modified-Since)",
        "pages_skipped": "Links not followed: traps, limits, robots.txt",
        "notes": "JSON list: what was bounded and why",
        "exit_code": "Exit status of the crawl's child process (negative: killed by that signal)",
        "seconds": "How long the crawl ran, in seconds",
        "log_tail": "The last lines of the crawl's log, one per line",
    },
}

_URLS = {
    "description": "What each non-article URL of a site turned out to be: the crawl's memory between runs.",
    "sort": "url",
    "facets": ["site", "kind"],
    "columns": {
        "url": "The URL",
        "site": "The site (sites.id)",
        "kind": "listing, other, feed, sitemap or missing",
        "first_seen": f"When it was first seen; {UTC_TIME}",
        "last_fetched": f"When it was last fetched; {UTC_TIME}",
        "status": "HTTP status of the last fetch",
        "article_links": "Links to articles found on it at the last fetch",
    },
}

_LISTINGS = {
    "description": (
        "How far each listing (a chain of pages: a category, a tag, an archive) was walked. A listing is "
        "walked to its last page until it has been walked to its end once; later runs walk it only while it "
        "shows something new."
    ),
    "sort_desc": "last_walked",
    "facets": ["site", "stop_reason"],
    "columns": {
        "site": "The site (sites.id)",
        "listing": "The listing: its pages' URL with the page number written {}",
        "first_url": "The URL of a page of it where a walk started",
        "pages": "The highest page of it read so far",
        "walked_to_end": f"When it was first walked to its last page; NULL: not yet (a backfill still under way); "
        f"{UTC_TIME}",
        "stop_reason": "Why its last walk stopped short of its end (nothing new, max_pages, interrupted, timeout, "
        "max_depth, its pages repeat); NULL: it reached its end",
        "last_walked": f"When it was last walked; {UTC_TIME}",
    },
}

_PENDING = {
    "description": (
        "URLs a crawl decided to fetch and did not reach (cut by its timeout, max_pages, a stop or a crash): the "
        "next run of the site starts with them, so a backfill goes on where it stopped."
    ),
    "sort": "added",
    "facets": ["site", "walk"],
    "columns": {
        "site": "The site (sites.id)",
        "url": "The URL",
        "hops": "Links followed from a start page to reach it",
        "link_text": "The text of the link it was found by",
        "via": "The page it was found on",
        "listing": "When it is a listing's next page: that listing (listings.listing)",
        "page": "When it is a listing's next page: its page number",
        "walk": "backfill (walk the listing to its end) or head (while it shows something new)",
        "added": f"When it was decided on; {UTC_TIME}",
    },
}

_HOSTS = {
    "description": "What each host of a site taught about its URLs, so that one page costs one fetch and one row.",
    "sort": "host",
    "columns": {
        "site": "The site (sites.id)",
        "host": "The host name",
        "case_insensitive": "1 when its paths are compared lower-cased (an IIS server answers every casing)",
        "ignored_params": "JSON list of the query parameters that do not change its pages (back-links, portlet "
        "state), dropped from its URLs",
        "updated": f"When this was last learned; {UTC_TIME}",
    },
}

_ARTICLE_ALIASES = {
    "description": "Other URLs under which an article was found (tracking parameters, mobile host, …).",
    "sort": "url",
    "columns": {
        "url": "The other URL",
        "article": "The article (articles.id)",
        "site": "The site (sites.id)",
        "first_seen": f"When it was first seen; {UTC_TIME}",
    },
}

_MIGRATIONS = {
    "description": "Internal: the schema migrations applied to this file.",
    "hidden": True,
    "columns": {"name": "The migration's name", "applied_at": f"When it was applied; {UTC_TIME}"},
}

TABLES: dict[str, dict[str, Any]] = {
    "articles": _ARTICLES,
    "sites": _SITES,
    "article_versions": _ARTICLE_VERSIONS,
    "crawls": _CRAWLS,
    "pages": _PAGES,
    "page_dictionaries": _PAGE_DICTIONARIES,
    "urls": _URLS,
    "listings": _LISTINGS,
    "pending": _PENDING,
    "hosts": _HOSTS,
    "article_aliases": _ARTICLE_ALIASES,
    MIGRATIONS_TABLE: _MIGRATIONS,
    FTS_TABLE: {"description": "Internal: the full-text index of articles (title, text, folded).", "hidden": True},
}
