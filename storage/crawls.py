"""Sites and crawls: the ``sites`` and ``crawls`` tables, as crawls and the scheduler write them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from storage.database import Database, utc_now
from storage.errors import ArchiveError
from storage.records import CrawlStats, Site
from storage.text import nfc

CRAWL_OUTCOMES = ("running", "ok", "failed", "interrupted", "timeout", "crashed")


class CrawlLog(Database):
    """The sites and their crawls."""

    def upsert_site(self, site: Site) -> None:
        """Insert the site, or update its name, URLs and ``updated``; keep ``added``."""
        now = utc_now()
        row = {
            "name": nfc(site.name),
            "home_url": site.home_url,
            "start_urls": json.dumps(list(site.start_urls), ensure_ascii=False),
            "updated": now,
        }
        with self._transaction(f"saving site {site.id!r}"):
            table = self.db.table("sites")
            if self._one("SELECT id FROM sites WHERE id = ?", [site.id]) is None:
                table.insert({"id": site.id, **row, "added": now})
            else:
                table.update(site.id, row)

    def start_crawl(self, site_id: str, pid: int | None = None) -> int:
        """Record a crawl of ``site_id`` that starts now; return its id."""
        row = {"site": site_id, "started": utc_now(), "outcome": "running", "pid": pid}
        with self._transaction(f"starting a crawl of {site_id!r}"):
            rowid = self.db.table("crawls").insert(row).last_rowid
        assert rowid is not None
        return rowid

    def finish_crawl(self, crawl_id: int, outcome: str, stats: CrawlStats) -> None:
        """Record the end of a crawl: ``outcome`` is one of ``CRAWL_OUTCOMES`` but running."""
        if outcome not in CRAWL_OUTCOMES[1:]:
            raise ValueError(f"crawl outcome {outcome!r} is not one of {', '.join(CRAWL_OUTCOMES[1:])}")
        row = {**asdict(stats), "finished": utc_now(), "outcome": outcome}
        row["errors"] = json.dumps(list(stats.errors), ensure_ascii=False)
        row["errors_count"] = stats.errors_count
        row["notes"] = json.dumps(list(stats.notes), ensure_ascii=False)
        with self._transaction(f"finishing crawl {crawl_id}"):
            if self._one("SELECT id FROM crawls WHERE id = ?", [crawl_id]) is None:
                raise ArchiveError(f"{self.path}: no crawl {crawl_id}; start one with start_crawl()")
            self.db.table("crawls").update(crawl_id, row)

    def close_running_crawls(self, site_id: str, pid: int, outcome: str, errors: Sequence[str] = ()) -> int:
        """Close the crawls of a process that died before closing its own rows."""
        if outcome not in CRAWL_OUTCOMES[1:]:
            raise ValueError(f"crawl outcome {outcome!r} is not one of {CRAWL_OUTCOMES[1:]}")
        with self._transaction(f"closing the crawls of process {pid}"):
            cursor = self.db.execute(
                "UPDATE crawls SET outcome = ?, finished = ?, errors = ?, errors_count = ? "
                "WHERE site = ? AND pid = ? AND outcome = 'running'",
                [outcome, utc_now(), json.dumps(list(errors), ensure_ascii=False), len(errors), site_id, pid],
            )
        return cursor.rowcount

    def crawl(self, crawl_id: int) -> dict[str, Any] | None:
        """The ``crawls`` row ``crawl_id``, or None."""
        with self._errors(f"reading crawl {crawl_id}"):
            return self._one("SELECT * FROM crawls WHERE id = ?", [crawl_id])

    def find_crawl(self, site_id: str, started_since: str) -> int | None:
        """The newest crawl of ``site_id`` started at or after ``started_since`` (ISO 8601, UTC)."""
        with self._errors(f"finding the crawl of {site_id!r}"):
            row = self._one(
                "SELECT id FROM crawls WHERE site = ? AND started >= ? ORDER BY id DESC LIMIT 1",
                [site_id, started_since],
            )
        return None if row is None else int(row["id"])

    def record_crawl_result(
        self, crawl_id: int, outcome: str, *, exit_code: int | None, seconds: float, log_tail: Sequence[str]
    ) -> None:
        """Add what the crawl's parent saw: the final outcome, exit code, duration, last log lines."""
        if outcome not in CRAWL_OUTCOMES[1:]:
            raise ValueError(f"crawl outcome {outcome!r} is not one of {', '.join(CRAWL_OUTCOMES[1:])}")
        with self._transaction(f"recording the result of crawl {crawl_id}"):
            self.db.execute(
                "UPDATE crawls SET outcome = ?, finished = coalesce(finished, ?), exit_code = ?, seconds = ?, "
                "log_tail = ? WHERE id = ?",
                [outcome, utc_now(), exit_code, round(seconds, 3), "\n".join(log_tail), crawl_id],
            )

    def add_lost_crawl(
        self, site: Site, outcome: str, *, started: str, exit_code: int | None, seconds: float, log_tail: Sequence[str]
    ) -> int:
        """Record a crawl whose process died before it could open its own ``crawls`` row."""
        if outcome not in CRAWL_OUTCOMES[1:]:
            raise ValueError(f"crawl outcome {outcome!r} is not one of {', '.join(CRAWL_OUTCOMES[1:])}")
        row: dict[str, Any] = {"site": site.id, "started": started, "finished": utc_now(), "outcome": outcome}
        row.update(exit_code=exit_code, seconds=round(seconds, 3), log_tail="\n".join(log_tail))
        row.update(errors="[]", errors_count=0)
        site_row = [site.id, nfc(site.name), site.home_url, json.dumps(list(site.start_urls)), utc_now(), utc_now()]
        with self._transaction(f"recording a lost crawl of {site.id!r}"):
            self.db.execute(
                "INSERT OR IGNORE INTO sites (id, name, home_url, start_urls, added, updated) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                site_row,
            )
            rowid = self.db.table("crawls").insert(row).last_rowid
        assert rowid is not None
        return rowid

    def running_crawls(self) -> list[dict[str, Any]]:
        """The crawls still marked ``running``: id, site, started and pid."""
        with self._errors("listing the running crawls"):
            return self._rows("SELECT id, site, started, pid FROM crawls WHERE outcome = 'running' ORDER BY id")

    def last_crawl_starts(self) -> dict[str, str]:
        """When each site's last crawl started, crawls interrupted by a stop left out."""
        with self._errors("reading when each site was last crawled"):
            rows = self.db.execute(
                "SELECT site, max(started) FROM crawls WHERE outcome != 'interrupted' GROUP BY site"
            ).fetchall()
        return {site: started for site, started in rows if started}

    def site_activity(self, new_since: str) -> dict[str, dict[str, Any]]:
        """Per site: its last crawl (started, finished, outcome), its articles and those first seen since."""
        sql = (
            "SELECT s.id AS site, c.started, c.finished, c.outcome, "
            "(SELECT count(*) FROM articles a WHERE a.site = s.id) AS articles, "
            "(SELECT count(*) FROM articles a WHERE a.site = s.id AND a.first_seen >= ?) AS new "
            "FROM sites s LEFT JOIN crawls c ON c.id = "
            "(SELECT id FROM crawls WHERE site = s.id ORDER BY started DESC, id DESC LIMIT 1)"
        )
        with self._errors("reading the activity of each site"):
            return {row["site"]: row for row in self._rows(sql, [new_since])}
