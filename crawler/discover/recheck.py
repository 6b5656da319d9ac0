"""When a known article is fetched again: young articles often, old ones rarely.

An article's age is counted from its publication date (from when it was first seen
when it has none). It is due for a conditional recheck (``If-None-Match`` /
``If-Modified-Since``, so an unchanged page costs a 304 and no extraction) when the
time since it was last checked reaches the interval for its age:

=================  ==================
age                recheck after
=================  ==================
under 2 days       3 hours
under 7 days       12 hours
under 30 days      3 days
under a year       30 days
older              90 days
=================  ==================

A feed or sitemap that dates a change (``<lastmod>``, ``<updated>``) after the last
check makes it due at once. Articles marked gone are not rechecked by age.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from crawler.extract.dates import VIETNAM
from storage.records import KnownArticle

SCHEDULE: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(days=2), timedelta(hours=3)),
    (timedelta(days=7), timedelta(hours=12)),
    (timedelta(days=30), timedelta(days=3)),
    (timedelta(days=365), timedelta(days=30)),
)
OLDEST_INTERVAL = timedelta(days=90)


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 date or time as an aware datetime (a date alone: midnight, Vietnam time)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


def recheck_interval(age: timedelta) -> timedelta:
    for limit, interval in SCHEDULE:
        if age < limit:
            return interval
    return OLDEST_INTERVAL


def recheck_due(article: KnownArticle, now: datetime, changed_at: datetime | None = None) -> bool:
    """True when ``article`` should be fetched again (conditionally) at ``now``."""
    checked = parse_time(article.last_checked) or parse_time(article.first_seen)
    if checked is None:
        return True
    if changed_at is not None and changed_at > checked:
        return True
    if article.gone_since:
        return False
    born = parse_time(article.published) or parse_time(article.first_seen) or checked
    return now - checked >= recheck_interval(max(now - born, timedelta(0)))


def conditional_headers(article: KnownArticle) -> dict[str, str]:
    """Validators for a conditional GET: the stored ETag and Last-Modified, else the last check."""
    headers: dict[str, str] = {}
    if article.etag:
        headers["If-None-Match"] = article.etag
    checked = parse_time(article.last_checked)
    if article.last_modified:
        headers["If-Modified-Since"] = article.last_modified
    elif checked is not None:
        headers["If-Modified-Since"] = format_datetime(checked.astimezone(UTC), usegmt=True)
    return headers
