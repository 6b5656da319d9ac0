"""The canned queries that Datasette shows on the archive's page (``metadata()["queries"]``).

Each is plain read-only SQL over the public schema, so it also runs in ``sqlite3``
(named parameters such as ``:q`` become form fields in Datasette). User text reaches
FTS5 only quoted: ``quoted_terms(":q")`` turns ``dan van`` into ``"dan" "van"``, so
``tỉnh-ủy``, ``NOT`` or a stray ``"`` are words to look for, never FTS syntax.

``search`` has the shape of ``Archive.search``: rank on the index (and the covering
``SEARCH_INDEX`` for the site filter), then ``cross join`` the best rows only, so the
snippets and the article rows are read for 50 rows, not for every match.
"""

from __future__ import annotations

from typing import Any

from storage.migrations import FTS_TABLE, SEARCH_INDEX

SNIPPET = f"snippet({FTS_TABLE}, 1, '[', ']', '…', 16)"
BM25 = f"bm25({FTS_TABLE}, 10.0, 1.0, 2.0)"
_DAY_AGO = "strftime('%Y-%m-%dT%H:%M:%S', 'now', '-1 day')"
_WEEK_AGO = "strftime('%Y-%m-%dT%H:%M:%S', 'now', '-7 days')"


def quoted_terms(parameter: str) -> str:
    """SQL that quotes every space-separated term of ``parameter`` as an FTS5 phrase.

    An empty text becomes ``""``, which matches nothing instead of being an error.
    """
    return f"""'"' || replace(replace(trim({parameter}), '"', '""'), ' ', '" "') || '"'"""


_SEARCH = f"""
with best as (
  select {FTS_TABLE}.rowid as id, {BM25} as rank
  from {FTS_TABLE} join articles a indexed by {SEARCH_INDEX} on a.id = {FTS_TABLE}.rowid
  where {FTS_TABLE} match {quoted_terms(":q")} and (:site = '' or a.site = :site)
  order by rank limit 50
)
select a.id as article, a.site, a.published, a.title, {SNIPPET} as snippet, a.url
from best
cross join {FTS_TABLE} on {FTS_TABLE}.rowid = best.id
cross join articles a on a.id = best.id
where {FTS_TABLE} match {quoted_terms(":q")}
order by best.rank
"""

_NEWEST_PER_SITE = """
select s.id as site, a.published, a.title, a.author, a.url, a.id as article
from sites s
join articles a on a.id in (
  select id from articles where site = s.id and published is not null
  order by published desc limit 10
)
order by s.id, a.published desc
"""

_PUBLISHED_ON = """
select a.published, a.site, a.title, a.author, a.source, a.url, a.id as article
from articles a
where a.published >= date(:day) and a.published < date(:day, '+1 day')
order by a.published
"""

_PUBLISHED_BETWEEN = """
select a.published, a.site, a.title, a.author, a.source, a.url, a.id as article
from articles a
where a.published >= date(:since) and a.published < date(:until, '+1 day')
order by a.published desc
"""

_CHANGED = """
select a.id as article, a.site, a.url, v.valid_until as changed,
  v.version as before_version,
  case when n.id is null then a.version else n.version end as after_version,
  v.title as before_title,
  case when n.id is null then a.title else n.title end as after_title,
  v.text as before_text,
  case when n.id is null then a.text else n.text end as after_text
from article_versions v
join articles a on a.id = v.article
left join article_versions n on n.article = v.article and n.version = v.version + 1
order by v.valid_until desc, a.id
"""

_GONE = """
select a.gone_since, a.site, a.title, a.published, a.last_checked, a.url, a.id as article
from articles a
where a.gone_since is not null
order by a.gone_since desc
"""

_CRAWL_HEALTH = f"""
select s.id as site, s.name,
  last.started as last_run, last.finished as last_run_finished, last.outcome as last_outcome,
  last.errors_count as last_errors_count, last.errors as last_errors,
  (select max(started) from crawls where site = s.id and outcome = 'ok') as last_ok_run,
  (select count(*) from crawls where site = s.id and started >= {_WEEK_AGO}) as runs_7d,
  (select count(*) from crawls where site = s.id and started >= {_WEEK_AGO}
     and outcome not in ('ok', 'running')) as failed_runs_7d,
  (select coalesce(sum(errors_count), 0) from crawls where site = s.id and started >= {_WEEK_AGO}) as errors_7d,
  (select count(*) from articles where site = s.id) as articles,
  (select count(*) from articles where site = s.id and first_seen >= {_DAY_AGO}) as new_24h,
  round((select count(*) from articles where site = s.id and first_seen >= {_WEEK_AGO}) / 7.0, 1)
    as new_per_day_7d
from sites s
left join crawls last on last.id = (
  select id from crawls where site = s.id order by started desc, id desc limit 1
)
order by s.id
"""

_NEW_PER_DAY = """
select substr(a.first_seen, 1, 10) as day, s.id as site, count(*) as new_articles
from sites s
join articles a on a.site = s.id and a.first_seen >= date('now', '-30 days')
group by day, s.id
order by day desc, s.id
"""

QUERIES: dict[str, dict[str, Any]] = {
    "search": {
        "title": "Search articles (diacritics optional)",
        "description": (
            "Full-text search of titles and texts, best first (bm25, titles weigh most), with "
            "the matching words in [brackets]. Diacritics are optional and đ folds to d: "
            "'dan van' finds 'dân vận', 'da nang' finds 'Đà Nẵng'. Every word must match. "
            "Leave site empty for every site."
        ),
        "sql": _SEARCH,
    },
    "newest_per_site": {
        "title": "Newest articles per site",
        "description": "The ten most recently published articles of every site.",
        "sql": _NEWEST_PER_SITE,
    },
    "published_on": {
        "title": "Articles published on a day",
        "description": "Articles whose publication date is the given day, e.g. 2022-08-23 (Vietnam time).",
        "sql": _PUBLISHED_ON,
    },
    "published_between": {
        "title": "Articles published between two days",
        "description": "Articles published from the first day to the second, both included: 2022-08-01 and 2022-08-31.",
        "sql": _PUBLISHED_BETWEEN,
    },
    "changed_articles": {
        "title": "Articles that changed, versions side by side",
        "description": (
            "Every change of an archived article, newest first: the title and text before "
            "the change next to the ones after it. For a readable diff: provnews history ID."
        ),
        "sql": _CHANGED,
    },
    "gone_articles": {
        "title": "Articles gone from their sites",
        "description": "Articles whose page disappeared; the archive keeps them (and their versions).",
        "sql": _GONE,
    },
    "crawl_health": {
        "title": "Crawl health per site",
        "description": (
            "For every site: the last crawl (start, end, outcome, errors), the last successful "
            "one, runs, failed runs and errors in the last 7 days, articles archived, new in the "
            "last 24 hours and new per day over the last 7 days. Times are UTC."
        ),
        "sql": _CRAWL_HEALTH,
    },
    "new_articles_per_day": {
        "title": "New articles per day and site",
        "description": "How many articles each site added to the archive per day (UTC), over the last 30 days.",
        "sql": _NEW_PER_DAY,
    },
}
