"""The archive's schema, as an ordered list of migrations (like ``sqlite-migrate``).

Each migration is a named function ``fn(db) -> None``. ``migrate(db)`` applies the ones
not yet recorded in ``_migrations(name, applied_at)``, in order, each in its own
``BEGIN IMMEDIATE`` transaction, so a migration is either applied and recorded or not
at all, and two processes opening the archive at once never apply one twice.

The schema is public (see the README): change it only by appending a migration.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

logger = logging.getLogger(__name__)

Migration = Callable[[sqlite_utils.Database], None]

MIGRATIONS_TABLE = "_migrations"

FTS_TABLE = "articles_fts"
SEARCH_INDEX = "idx_articles_search"  # (id, site, published): see month_and_query_indexes
_FTS_COLUMNS = ("title", "text", "folded")


def _create_sites(db: sqlite_utils.Database) -> None:
    db.create_table(
        "sites",
        {
            "id": str,
            "name": str,
            "home_url": str,
            "start_urls": str,  # JSON list
            "added": str,
            "updated": str,
        },
        pk="id",
        not_null=["name"],
    )


def _create_crawls(db: sqlite_utils.Database) -> None:
    db.create_table(
        "crawls",
        {
            "id": int,
            "site": str,
            "started": str,
            "finished": str,
            "outcome": str,  # running, ok, failed, interrupted
            "pages_fetched": int,
            "articles_new": int,
            "articles_changed": int,
            "articles_unchanged": int,
            "articles_gone": int,
            "errors_count": int,
            "errors": str,  # JSON list of strings
            "pid": int,
        },
        pk="id",
        foreign_keys=[("site", "sites", "id")],
        defaults={"outcome": "running"},
    )
    db.table("crawls").create_index(["site", "started"])


def _create_pages(db: sqlite_utils.Database) -> None:
    db.create_table(
        "pages",
        {
            "id": int,
            "site": str,
            "url": str,
            "crawl": int,
            "fetched_at": str,
            "status": int,
            "content_type": str,
            "etag": str,
            "last_modified": str,
            "headers": str,  # JSON object
            "size": int,  # raw bytes
            "sha256": str,
            "body": bytes,  # compressed raw bytes: see storage.pages
        },
        pk="id",
        not_null=["url"],
        foreign_keys=[("site", "sites", "id"), ("crawl", "crawls", "id")],
    )
    db.table("pages").create_index(["url", "fetched_at"])


def _create_articles(db: sqlite_utils.Database) -> None:
    text_columns = [
        "title",
        "published",
        "published_from",
        "updated",
        "author",
        "source",
        "text",
        "captions",  # JSON list
        "description",
        "language",
        "folded",  # the words with đ, folded: see storage.text.folded_terms
        "content_hash",
    ]
    status_columns = [
        "etag",
        "last_modified",
        "first_seen",
        "last_checked",
        "last_changed",
        "gone_since",
    ]
    columns: dict[str, type] = {"id": int, "site": str, "url": str}
    columns.update(dict.fromkeys(text_columns, str))
    columns.update({"version": int, "extractor_version": str, "page": int})
    columns.update(dict.fromkeys(status_columns, str))
    db.create_table(
        "articles",
        columns,
        pk="id",
        not_null=["site", "url"],
        foreign_keys=[("site", "sites", "id"), ("page", "pages", "id")],
        defaults={"version": 1},
    )
    articles = db.table("articles")
    articles.create_index(["url"], unique=True)
    articles.create_index(["site"])
    articles.create_index(["published"])


def _create_article_versions(db: sqlite_utils.Database) -> None:
    db.create_table(
        "article_versions",
        {
            "id": int,
            "article": int,
            "version": int,
            "title": str,
            "published": str,
            "author": str,
            "source": str,
            "text": str,
            "captions": str,  # JSON list
            "content_hash": str,
            "extractor_version": str,
            "page": int,
            "valid_from": str,
            "valid_until": str,
        },
        pk="id",
        not_null=["article"],
        foreign_keys=[("article", "articles", "id"), ("page", "pages", "id")],
    )
    db.table("article_versions").create_index(["article", "version"], unique=True)


def _create_articles_fts(db: sqlite_utils.Database) -> None:
    """FTS5 over title, text and folded, kept in sync by three triggers.

    ``content="articles"`` (double quotes) is what Datasette looks for to show a search
    box. The update trigger fires only when an indexed column changes, so bumping
    ``last_checked`` never rewrites the index (sqlite-utils' own triggers would).
    """
    cols = ", ".join(_FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in _FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in _FTS_COLUMNS)
    delete_old = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert_new = f"INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.id, {new});"
    create_fts = (
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({cols}, "
        'content="articles", content_rowid="id", '
        "tokenize='unicode61 remove_diacritics 2')"
    )
    update_trigger = (
        f"CREATE TRIGGER articles_au AFTER UPDATE OF {cols} ON articles BEGIN {delete_old} {insert_new} END"
    )
    statements = [
        create_fts,
        f"CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN {insert_new} END",
        f"CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN {delete_old} END",
        update_trigger,
    ]
    for sql in statements:
        db.execute(sql)


def initial_schema(db: sqlite_utils.Database) -> None:
    """sites, crawls, pages, articles, article_versions and articles_fts."""
    _create_sites(db)
    _create_crawls(db)
    _create_pages(db)
    _create_articles(db)
    _create_article_versions(db)
    _create_articles_fts(db)


def urls_and_aliases(db: sqlite_utils.Database) -> None:
    """``urls``: what each non-article URL of a site turned out to be (the crawl's memory
    between runs); ``article_aliases``: other URLs under which an article was found."""
    db.create_table(
        "urls",
        {
            "url": str,
            "site": str,
            "kind": str,  # listing, other, feed, sitemap, missing
            "first_seen": str,
            "last_fetched": str,
            "status": int,
            "article_links": int,  # links to articles found on it at the last fetch
        },
        pk="url",
        not_null=["site", "kind"],
        foreign_keys=[("site", "sites", "id")],
    )
    db.table("urls").create_index(["site", "kind"])
    db.create_table(
        "article_aliases",
        {"url": str, "article": int, "site": str, "first_seen": str},
        pk="url",
        not_null=["article", "site"],
        foreign_keys=[("article", "articles", "id"), ("site", "sites", "id")],
    )
    db.table("article_aliases").create_index(["article"])
    crawls = db.table("crawls")
    crawls.add_column("articles_rechecked", int)  # conditional re-fetches of known articles
    crawls.add_column("pages_skipped", int)  # links not followed: traps, limits, robots.txt
    crawls.add_column("notes", str)  # JSON list: what was bounded and why


def month_and_query_indexes(db: sqlite_utils.Database) -> None:
    """``articles.published_month`` (``2022-08``, for Datasette's month facet) and the indexes
    behind the canned queries, facets and ``provnews search``/``export`` filters.

    ``published_month`` is a VIRTUAL generated column: it costs no space per row, and
    ``INSERT``s never name it. ``SEARCH_INDEX`` lets a search filter its matches by site
    and day without reading the (large) article rows.
    """
    month = "CASE WHEN published GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*' THEN substr(published, 1, 7) END"
    db.execute(f"ALTER TABLE articles ADD COLUMN published_month TEXT GENERATED ALWAYS AS ({month}) VIRTUAL")
    articles = db.table("articles")
    articles.create_index(["id", "site", "published"], index_name=SEARCH_INDEX)
    articles.create_index(["site", "published"])
    articles.create_index(["site", "first_seen"])
    articles.create_index(["published_month"])
    articles.create_index(["author"])
    db.execute("CREATE INDEX idx_articles_gone_since ON articles(gone_since) WHERE gone_since IS NOT NULL")


def crawl_results(db: sqlite_utils.Database) -> None:
    """crawls: the child's exit code, the run's duration and the last lines of its log."""
    crawls = db.table("crawls")
    crawls.add_column("exit_code", int)
    crawls.add_column("seconds", float)
    crawls.add_column("log_tail", str)  # the last lines of the crawl's log, one per line


def page_dictionaries(db: sqlite_utils.Database) -> None:
    """pages: compressed against a per-site dictionary (storage.pages), and marked when unreadable."""
    db.create_table(
        "page_dictionaries",
        {"id": int, "site": str, "created": str, "size": int, "sha256": str, "data": bytes},
        pk="id",
        not_null=["site", "data"],
        foreign_keys=[("site", "sites", "id")],
    )
    db.table("page_dictionaries").create_index(["site"])
    pages = db.table("pages")
    pages.add_column("codec", str)  # zstd (against pages.dictionary) or zlib
    pages.add_column("dictionary", int, fk="page_dictionaries", fk_col="id")
    pages.add_column("extract_error", str)  # why the page could not be read; NULL when it was
    db.execute("UPDATE pages SET codec = 'zlib'")
    db.execute("CREATE INDEX idx_pages_extract_error ON pages(extract_error) WHERE extract_error IS NOT NULL")


def crawl_frontier(db: sqlite_utils.Database) -> None:
    """What a crawl leaves for the next beyond its articles: ``listings`` (how far each listing
    was walked), ``pending`` (URLs decided on and not reached: where the next run resumes),
    ``hosts`` (what each host taught about its URLs); and an index to find an article by its
    content (one article fetched under two URLs makes one row)."""
    db.create_table(
        "listings",
        {
            "site": str,
            "listing": str,  # its pages' URL with the page number marked {}
            "first_url": str,
            "pages": int,  # the highest page read
            "walked_to_end": str,  # when it was first walked to its last page; NULL: never yet
            "stop_reason": str,  # why its last walk stopped short of the end; NULL: it reached the end
            "last_walked": str,
        },
        pk=("site", "listing"),
        foreign_keys=[("site", "sites", "id")],
    )
    db.create_table(
        "pending",
        {
            "site": str,
            "url": str,
            "hops": int,
            "link_text": str,
            "via": str,  # the page it was found on
            "listing": str,  # a listing's next page: that listing
            "page": int,
            "walk": str,  # backfill or head
            "added": str,
        },
        pk=("site", "url"),
        foreign_keys=[("site", "sites", "id")],
    )
    db.create_table(
        "hosts",
        {"site": str, "host": str, "case_insensitive": int, "ignored_params": str, "updated": str},
        pk=("site", "host"),
        foreign_keys=[("site", "sites", "id")],
    )
    db.table("articles").create_index(["site", "content_hash"])


MIGRATIONS: list[tuple[str, Migration]] = [
    ("initial schema", initial_schema),
    ("urls and aliases", urls_and_aliases),
    ("month and query indexes", month_and_query_indexes),
    ("crawl exit code, duration and log tail", crawl_results),
    ("page dictionaries and unreadable pages", page_dictionaries),
    ("listings, pending URLs and hosts", crawl_frontier),
]


def applied(db: sqlite_utils.Database) -> set[str]:
    """Names of the migrations already recorded in ``_migrations``."""
    if not db[MIGRATIONS_TABLE].exists():
        return set()
    rows = db.execute(f"SELECT name FROM {MIGRATIONS_TABLE}").fetchall()
    return {name for (name,) in rows}


def _ensure_migrations_table(db: sqlite_utils.Database) -> None:
    db.execute(f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT)")


def _apply(db: sqlite_utils.Database, name: str, fn: Migration) -> bool:
    """Apply one migration in its own transaction; False if another process won."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if name in applied(db):
            db.rollback()
            return False
        fn(db)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        db.execute(
            f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)",
            [name, now],
        )
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return True


def migrate(
    db: sqlite_utils.Database,
    migrations: list[tuple[str, Migration]] | None = None,
) -> list[str]:
    """Apply every migration not yet applied, in order; return the names applied now."""
    todo = MIGRATIONS if migrations is None else migrations
    _ensure_migrations_table(db)
    done = applied(db)
    names: list[str] = []
    for name, fn in todo:
        if name in done:
            continue
        if _apply(db, name, fn):
            logger.info("applied migration %r", name)
            names.append(name)
    return names
