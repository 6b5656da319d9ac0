"""Discovery rules: what a link looks like (traps, calendars) and the recheck policy.

Canonical URLs are tested in test_urls.py, pagers in test_listings.py, the frontier's
decisions in test_frontier.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.discover.links import classify_link, is_calendar
from crawler.discover.recheck import conditional_headers, recheck_due, recheck_interval
from storage.records import KnownArticle

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "trap"),
    [
        ("http://h/tim-kiem?q=x", "search"),
        ("http://h/?s=dan+van", "search"),
        ("http://h/a/a/a/b", "repeated path segment"),
        ("http://h/" + "/".join(f"d{i}" for i in range(25)), "path depth"),
        ("http://h/uploads/anh.jpg", "file"),
        ("http://h/van-ban/quyet-dinh.pdf", "file"),
    ],
)
def test_traps(url: str, trap: str) -> None:
    assert classify_link(url).trap == trap


def test_calendar_pages_are_followed_only_from_non_calendar_pages() -> None:
    assert is_calendar("http://h/2024/05/") and is_calendar("http://h/?m=202405")
    assert classify_link("http://h/2024/04/").trap is None
    assert classify_link("http://h/2024/04/", from_calendar=True).trap == "calendar"


def known(url: str, published: str, checked: datetime, **kw: str) -> KnownArticle:
    stamp = checked.isoformat()
    return KnownArticle(1, url, published, stamp, stamp, **kw)


def test_recheck_policy_young_often_old_rarely() -> None:
    assert recheck_interval(timedelta(hours=5)) == timedelta(hours=3)
    assert recheck_interval(timedelta(days=400)) == timedelta(days=90)
    young = known("http://h/a", (NOW - timedelta(days=1)).isoformat(), NOW - timedelta(hours=4))
    old = known("http://h/b", "2022-08-23T16:13:00+07:00", NOW - timedelta(days=10))
    assert recheck_due(young, NOW)
    assert not recheck_due(old, NOW)
    assert recheck_due(old, NOW, changed_at=NOW - timedelta(days=1))
    assert not recheck_due(old, NOW, changed_at=NOW - timedelta(days=20))


def test_conditional_headers_use_validators_or_the_last_check() -> None:
    with_validators = known(
        "http://h/a", "2022-08-23", NOW, etag='"abc"', last_modified="Tue, 23 Aug 2022 09:13:00 GMT"
    )
    assert conditional_headers(with_validators) == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Tue, 23 Aug 2022 09:13:00 GMT",
    }
    assert conditional_headers(known("http://h/a", "2022-08-23", NOW)) == {
        "If-Modified-Since": "Sat, 28 Nov 2026 12:00:00 GMT",
    }
