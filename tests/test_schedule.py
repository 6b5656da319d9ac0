"""Leave it running: `provnews schedule` against sites served on 127.0.0.1, with schedules of
a few seconds, real crawl processes and a real SQLite file.

The scheduler runs in this process (:class:`CrawlScheduler`) where a test looks at its
state, and as the real `provnews schedule` process where a test sends it signals.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import pytest
from click.testing import CliRunner
from crawl_faults import child_env, fault_overrides

from crawler.seeds import Seed
from scheduler.children import pid_alive
from scheduler.cli import cli
from scheduler.demo.mirror import MirrorServer
from scheduler.runner import CrawlReport
from scheduler.schedule import CrawlScheduler, ScheduleConfig, final_outcome
from scheduler.service import scheduler_lock, scheduler_pid
from scheduler.timetable import ScheduleError, cron_trigger, jitter_for, next_due
from storage.archive import Archive
from storage.records import CrawlStats

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).parent.parent


# -- helpers ----------------------------------------------------------------------


def crawls(db: Path, site: str | None = None) -> list[dict[str, Any]]:
    """The rows of ``crawls``, oldest first ([] before the archive exists)."""
    if not db.exists():
        return []
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        try:
            rows = conn.execute("SELECT * FROM crawls ORDER BY id").fetchall()
        except sqlite3.OperationalError:
            return []
    return [dict(row) for row in rows if site is None or row["site"] == site]


def finished(db: Path, site: str) -> list[dict[str, Any]]:
    return [row for row in crawls(db, site) if row["outcome"] != "running" and row["seconds"] is not None]


def wait_for(what: str, check: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Poll ``check`` until it returns something true; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"after {timeout:g} s still waiting for: {what}")


def write_seed(folder: Path, site_id: str, url: str, **keys: str | bool) -> Path:
    lines = [f'name = "{site_id}"', f'start_urls = ["{url}/"]', "download_delay = 0.0", "autothrottle = false"]
    lines += [
        f"{key} = {str(value).lower() if isinstance(value, bool) else repr(value)}" for key, value in keys.items()
    ]
    path = folder / f"{site_id}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    return folder


@pytest.fixture
def start(seeds: Path, db_path: Path) -> Iterator[Callable[..., CrawlScheduler]]:
    """Start a scheduler in this process (no jitter); every one is stopped at the end."""
    started: list[CrawlScheduler] = []

    def start_scheduler(**options: Any) -> CrawlScheduler:
        options = {"max_jitter": 0.0, "watch_seconds": 0.0, "stop_grace": 1.0, **options}
        service = CrawlScheduler(ScheduleConfig(seeds, db_path, **options))
        started.append(service)
        service.start()
        return service

    yield start_scheduler
    for service in started:
        service.stop(grace=1.0)


class SlowSite:
    """A small news site on 127.0.0.1 that takes ``delay`` seconds to answer each page.

    It counts the requests in flight: crawls overlap exactly when more than one is.
    """

    def __init__(self, delay: float, pages: int = 3) -> None:
        self.delay = delay
        self.pages = pages
        self.served = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                site.answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def body(self, path: str) -> bytes | None:
        if path == "/":
            links = "".join(f'<li><a href="/tin-tuc/{n}.html">Tin số {n}</a></li>' for n in range(1, self.pages + 1))
            return f"<html><head><title>Tin tỉnh</title></head><body><ul>{links}</ul></body></html>".encode()
        for n in range(1, self.pages + 1):
            if path == f"/tin-tuc/{n}.html":
                text = "<p>Hội nghị chuyên đề nâng cao hiệu quả công tác dân vận tại tỉnh Lạng Sơn.</p>" * 20
                page = f"<html><head><title>Tin số {n}</title></head><body><h1>Tin số {n}</h1>{text}</body></html>"
                return page.encode()
        return None

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        body = self.body(request.path)
        if body is not None:
            with self._lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._stopping.wait(self.delay)
            with self._lock:
                self.in_flight -= 1
                self.served += 1
        try:
            request.send_response(200 if body is not None else 404)
            request.send_header("Content-Type", "text/html; charset=utf-8")
            request.send_header("Content-Length", str(len(body or b"")))
            request.end_headers()
            request.wfile.write(body or b"")
        except OSError:
            pass

    def __enter__(self) -> SlowSite:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def slow_site() -> Iterator[SlowSite]:
    with SlowSite(delay=1.0) as site:
        yield site


class CrawlWatch:
    """Samples this machine's crawl processes of one seeds folder: the most seen at once."""

    def __init__(self, seeds: Path) -> None:
        self.seeds = str(seeds).encode()
        self.most: dict[str, int] = {}
        self.most_at_once = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def crawling(self) -> list[str]:
        """The site of each `python -m crawler.process SITE --seeds <this folder>` running now
        (a child it is forking, e.g. an extraction worker not yet exec'd, is not another crawl)."""
        found: dict[int, tuple[int, str]] = {}
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                args = cmdline.read_bytes().split(b"\0")
                parent = int((cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if b"crawler.process" in args and self.seeds in args:
                found[int(cmdline.parent.name)] = (parent, args[args.index(b"crawler.process") + 1].decode())
        return [site for parent, site in found.values() if parent not in found]

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            sites = self.crawling()
            self.most_at_once = max(self.most_at_once, len(sites))
            for site in set(sites):
                self.most[site] = max(self.most.get(site, 0), sites.count(site))

    def __enter__(self) -> CrawlWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            pids = [int(p) for p in children.read_text().split()]
        except OSError:
            continue
        for child in pids:
            found += [child, *_descendants(child)]
    return found


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start the real `provnews schedule` process; at the end, nothing it started is left."""
    started: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []

    def spawn_schedule(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        stderr = (tmp_path / f"schedule-{len(started)}.stderr").open("wb")
        command = [sys.executable, "-m", "scheduler.cli", "schedule", "--jitter", "0", *args]
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        started.append((process, stderr))
        return process

    yield spawn_schedule
    for process, stderr in started:
        if process.poll() is None:
            for pid in _descendants(process.pid):
                os.kill(pid, signal.SIGKILL)
            process.kill()
        process.wait()
        stderr.close()


# -- the schedule ---------------------------------------------------------------------


def test_a_site_is_crawled_on_schedule_and_its_runs_appear_in_crawls(
    mirror: MirrorServer, seeds: Path, db_path: Path, start: Callable[..., CrawlScheduler], caplog: Any
) -> None:
    caplog.set_level(logging.INFO, logger="scheduler")
    write_seed(seeds, "langson-mirror", mirror.url, every="2s")
    service = start()
    runs = wait_for(
        "three crawls on schedule",
        lambda: len(finished(db_path, "langson-mirror")) >= 3 and finished(db_path, "langson-mirror"),
    )
    assert [run["outcome"] for run in runs[:3]] == ["ok", "ok", "ok"]
    assert runs[0]["articles_new"] == 22 and runs[1]["articles_new"] == 0
    assert all(run["exit_code"] is not None and run["seconds"] > 0 and run["finished"] for run in runs)
    starts = [datetime.fromisoformat(run["started"]) for run in runs[:3]]
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:], strict=False)]
    assert all(1 <= gap <= 20 for gap in gaps), gaps  # every 2 s, or as soon as the previous crawl ended
    assert -1 <= (service.next_runs()["langson-mirror"] - datetime.now(UTC)).total_seconds() <= 2.5
    lines = [r.getMessage() for r in caplog.records if r.name == "scheduler.schedule"]
    assert any(line.startswith("langson-mirror: crawl started") for line in lines)
    assert any(
        line.startswith("langson-mirror: crawl ended ok in") and "pages, 22 new, 0 changed" in line for line in lines
    )


def test_a_slow_crawl_is_never_overlapped_by_its_next_run(
    slow_site: SlowSite, seeds: Path, db_path: Path, start: Callable[..., CrawlScheduler], caplog: Any
) -> None:
    write_seed(seeds, "slow", slow_site.url, every="1s", obey_robots=False)
    with CrawlWatch(seeds) as watch:
        start()
        runs = wait_for("two slow crawls", lambda: len(finished(db_path, "slow")) >= 2 and finished(db_path, "slow"))
    assert runs[0]["seconds"] > 2, "a crawl lasts several of its intervals"
    assert watch.most == {"slow": 1}, "two crawls of the site at once"
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert later["started"] >= earlier["finished"]
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert any(m.startswith("slow: run due") and "still running" in m for m in skipped), skipped


def test_at_most_max_running_crawls_run_at_once(
    slow_site: SlowSite, seeds: Path, db_path: Path, start: Callable[..., CrawlScheduler]
) -> None:
    sites = ("slow-a", "slow-b", "slow-c")
    for site in sites:
        write_seed(seeds, site, slow_site.url, every="1h", obey_robots=False)
    with CrawlWatch(seeds) as watch:
        start(max_running=2)
        wait_for("all three sites crawled", lambda: all(finished(db_path, site) for site in sites))
    outcomes = [(run["site"], run["outcome"], run["seconds"]) for run in crawls(db_path)]
    assert watch.most_at_once == 2, (watch.most, outcomes)


def test_a_hanging_crawl_is_killed_at_its_timeout_and_the_next_run_happens(
    mirror: MirrorServer, seeds: Path, db_path: Path, start: Callable[..., CrawlScheduler], monkeypatch: Any
) -> None:
    monkeypatch.setenv("PYTHONPATH", child_env()["PYTHONPATH"])
    write_seed(seeds, "stuck", mirror.url, every="2s", timeout="5s")
    service = start(overrides=fault_overrides({"stuck": "hang"}))
    first = wait_for("the hung crawl killed", lambda: finished(db_path, "stuck"), timeout=90)[0]
    assert first["outcome"] == "timeout", first["log_tail"]
    assert first["exit_code"] == -signal.SIGKILL  # it ignored SIGTERM: the group was killed
    assert first["seconds"] >= 5 and first["log_tail"]
    assert not pid_alive(first["pid"])
    second = wait_for("the next run", lambda: crawls(db_path, "stuck")[1:])[0]
    assert second["started"] >= first["finished"]
    service.stop(grace=1.0)
    assert finished(db_path, "stuck")[1]["outcome"] == "interrupted"


def test_a_crashing_crawl_is_recorded_and_other_sites_keep_running(
    mirror: MirrorServer, seeds: Path, db_path: Path, start: Callable[..., CrawlScheduler], monkeypatch: Any
) -> None:
    monkeypatch.setenv("PYTHONPATH", child_env()["PYTHONPATH"])
    for site in ("crashy", "oomy", "langson-mirror"):
        write_seed(seeds, site, mirror.url, every="2s")
    service = start(overrides=fault_overrides({"crashy": "crash", "oomy": "oom"}))

    def enough() -> bool:
        return all(len(finished(db_path, site)) >= 2 for site in ("crashy", "oomy", "langson-mirror"))

    wait_for("two runs of each site", enough, timeout=90)
    for site, code in (("crashy", -signal.SIGABRT), ("oomy", -signal.SIGKILL)):
        for run in finished(db_path, site):
            assert (run["outcome"], run["exit_code"]) == ("crashed", code), run["log_tail"]
            assert run["finished"] and run["seconds"] > 0 and "Spider opened" in run["log_tail"]
    assert {run["outcome"] for run in finished(db_path, "langson-mirror")} == {"ok"}
    assert set(service.next_runs()) == {"crashy", "oomy", "langson-mirror"}


def test_a_crawl_that_dies_before_opening_its_row_is_recorded_all_the_same(
    mirror: MirrorServer, seeds: Path, db_path: Path, start: Callable[..., CrawlScheduler]
) -> None:
    write_seed(seeds, "langson-mirror", mirror.url, every="1h")
    start(overrides={"TWISTED_REACTOR": "no.such.Reactor"})
    (run,) = wait_for("the lost crawl recorded", lambda: finished(db_path, "langson-mirror"))
    assert run["outcome"] in ("crashed", "failed") and run["exit_code"] not in (0, None)
    assert "no.such" in run["log_tail"] or "No module named 'no'" in run["log_tail"]


def test_a_crawl_left_running_by_an_earlier_scheduler_is_not_overlapped(
    mirror: MirrorServer, seeds: Path, db_path: Path, start: Callable[..., CrawlScheduler], caplog: Any
) -> None:
    write_seed(seeds, "langson-mirror", mirror.url, every="1s")
    write_seed(seeds, "other", mirror.url, every="1h")
    orphan = subprocess.Popen(["sleep", "60"])
    try:
        with Archive(db_path) as archive:
            archive.db.table("sites").insert_all(
                [{"id": s, "name": s} for s in ("langson-mirror", "other")], replace=True
            )
            archive.start_crawl("langson-mirror", pid=orphan.pid)  # still running, elsewhere
            dead = archive.start_crawl("other", pid=2**22 + 1)  # its process is gone
        start()
        wait_for("the orphan noticed", lambda: any("still running" in r.getMessage() for r in caplog.records))
        assert [run["outcome"] for run in crawls(db_path, "langson-mirror")] == ["running"]
        (other,) = crawls(db_path, "other")
        assert (other["id"], other["outcome"]) == (dead, "crashed")  # closed: its process was gone
    finally:
        orphan.kill()
        orphan.wait()
    wait_for("a crawl once the orphan is gone", lambda: finished(db_path, "langson-mirror"))


def test_a_restart_after_a_pause_gives_one_catch_up_run_per_site(
    mirror: MirrorServer, seeds: Path, db_path: Path, start: Callable[..., CrawlScheduler]
) -> None:
    for site in ("paused", "recent"):
        write_seed(seeds, site, mirror.url, every="1h")
    first = start()
    wait_for("a first crawl of each site", lambda: finished(db_path, "paused") and finished(db_path, "recent"))
    first.stop()
    now = datetime.now(UTC)
    with closing(sqlite3.connect(db_path)) as conn, conn:  # the scheduler was stopped for 5 hours
        for site, ago in (("paused", timedelta(hours=5)), ("recent", timedelta(minutes=10))):
            when = (now - ago).isoformat(timespec="seconds")
            conn.execute("UPDATE crawls SET started = ?, finished = ? WHERE site = ?", [when, when, site])

    second = start()
    wait_for("the catch-up run", lambda: len(finished(db_path, "paused")) >= 2)
    time.sleep(4)  # room for any further run of a burst
    assert len(crawls(db_path, "paused")) == 2, "five missed runs make one catch-up run"
    assert len(crawls(db_path, "recent")) == 1, "a site that ran 10 minutes ago waits for its turn"
    next_runs = second.next_runs()
    assert timedelta(minutes=58) < next_runs["paused"] - now < timedelta(minutes=62)
    assert timedelta(minutes=49) < next_runs["recent"] - now < timedelta(minutes=51)


def test_a_seed_file_added_while_running_gets_scheduled_and_a_broken_one_is_reported(
    mirror: MirrorServer, seeds: Path, db_path: Path, start: Callable[..., CrawlScheduler], caplog: Any
) -> None:
    write_seed(seeds, "first", mirror.url, every="1h")
    service = start(watch_seconds=0.5)
    wait_for("the first site crawled", lambda: finished(db_path, "first"))

    write_seed(seeds, "added", mirror.url, every="1h")
    wait_for("the added site crawled", lambda: finished(db_path, "added"))
    (seeds / "broken.toml").write_text('name = "x"\nstart_urls = ["http://127.0.0.1/"]\nevry = "1h"\n')
    message = "broken.toml: unknown key 'evry'; did you mean 'every'?"
    wait_for("the broken seed reported", lambda: any(message in r.getMessage() for r in caplog.records))
    assert set(service.next_runs()) == {"first", "added"}

    write_seed(seeds, "first", mirror.url, every="1h", enabled=False)
    (seeds / "added.toml").unlink()
    write_seed(seeds, "fixed", mirror.url, every="1h")
    (seeds / "broken.toml").unlink()
    wait_for("the changes picked up", lambda: set(service.next_runs()) == {"fixed"})
    wait_for("the new site crawled", lambda: finished(db_path, "fixed"))


# -- the process: signals --------------------------------------------------------------


def test_sigterm_during_a_crawl_stops_it_records_it_interrupted_and_exits_0(
    slow_site: SlowSite, seeds: Path, db_path: Path, tmp_path: Path, spawn: Callable[..., subprocess.Popen[bytes]]
) -> None:
    write_seed(seeds, "slow", slow_site.url, every="1h", obey_robots=False)
    log = tmp_path / "schedule.log"
    scheduler = spawn("--seeds", str(seeds), "--db", str(db_path), "--log-file", str(log))
    running = wait_for("a crawl under way", lambda: slow_site.served >= 1 and crawls(db_path, "slow"))[0]
    assert running["outcome"] == "running" and pid_alive(running["pid"]), running["log_tail"]
    assert scheduler_pid(db_path) == scheduler.pid

    scheduler.send_signal(signal.SIGTERM)
    assert scheduler.wait(timeout=30) == 0
    (run,) = crawls(db_path, "slow")
    assert run["outcome"] == "interrupted" and run["finished"] and run["exit_code"] is not None
    assert not pid_alive(running["pid"])
    with Archive(db_path) as archive:
        assert archive.integrity_check() == []
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    text = log.read_text(encoding="utf-8")
    assert "slow: crawl started" in text and "slow: crawl ended interrupted" in text
    assert scheduler_pid(db_path) is None


def test_a_second_signal_kills_the_crawls_at_once(
    mirror: MirrorServer, seeds: Path, db_path: Path, spawn: Callable[..., subprocess.Popen[bytes]]
) -> None:
    write_seed(seeds, "stuck", mirror.url, every="1h")
    options = [f"--set={name}={value}" for name, value in fault_overrides({"stuck": "hang"}).items()]
    args = ("--seeds", str(seeds), "--db", str(db_path), "--stop-grace", "120", *options)
    scheduler = spawn(*args, env=child_env())
    running = wait_for("the crawl hanging", lambda: crawls(db_path, "stuck"))[0]
    time.sleep(1)
    scheduler.send_signal(signal.SIGTERM)
    time.sleep(1)
    assert scheduler.poll() is None, "the hung crawl ignores SIGTERM: the scheduler waits for it"
    scheduler.send_signal(signal.SIGINT)
    assert scheduler.wait(timeout=20) == 1
    assert crawls(db_path, "stuck")[0]["outcome"] == "interrupted"
    assert not pid_alive(running["pid"])


def test_sighup_reads_the_seeds_folder_again(
    mirror: MirrorServer, seeds: Path, db_path: Path, tmp_path: Path, spawn: Callable[..., subprocess.Popen[bytes]]
) -> None:
    write_seed(seeds, "idle", mirror.url, enabled=False)
    log = tmp_path / "schedule.log"
    scheduler = spawn("--seeds", str(seeds), "--db", str(db_path), "--watch", "0", "--log-file", str(log))
    wait_for("the scheduler started", lambda: log.exists() and "scheduler started" in log.read_text())
    write_seed(seeds, "added", mirror.url, every="1h")
    (seeds / "broken.toml").write_text("name = [\n")
    time.sleep(1)
    assert crawls(db_path, "added") == [], "with --watch 0, only SIGHUP reads the folder again"
    scheduler.send_signal(signal.SIGHUP)
    wait_for("the added site crawled", lambda: finished(db_path, "added"), timeout=30)
    assert "broken.toml: not valid TOML" in log.read_text(encoding="utf-8")
    scheduler.send_signal(signal.SIGTERM)
    assert scheduler.wait(timeout=30) == 0


def test_two_schedulers_never_share_an_archive(db_path: Path) -> None:
    with scheduler_lock(db_path):
        assert scheduler_pid(db_path) == os.getpid()
        with pytest.raises(ScheduleError, match=rf"already scheduled by process {os.getpid()}.*stop that scheduler"):
            with scheduler_lock(db_path):
                pass
    assert scheduler_pid(db_path) is None


# -- when, and what is recorded ------------------------------------------------------


def seed(**keys: Any) -> Seed:
    return Seed(id="s", name="s", start_urls=("http://127.0.0.1/",), **keys)


def test_next_due_catches_up_once_and_remembers_the_last_run() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert next_due(seed(), None, now) == now
    assert next_due(seed(), now - timedelta(hours=30), now) == now  # five missed runs: one, now
    assert next_due(seed(), now - timedelta(hours=1), now) == now + timedelta(hours=5)
    assert next_due(seed(every=600), now - timedelta(minutes=4), now) == now + timedelta(minutes=6)
    hourly = seed(schedule="0 * * * *")
    assert next_due(hourly, now - timedelta(minutes=10), now) == now  # the 12:00 run was missed
    just_after = now + timedelta(seconds=5)  # it ran at 12:00:05; at 12:05 the next run is at 13:00
    assert next_due(hourly, just_after, now + timedelta(minutes=5)) == now + timedelta(hours=1)


def test_jitter_is_a_tenth_of_the_interval_at_most_five_minutes() -> None:
    assert jitter_for(seed(every=60)) == 6
    assert jitter_for(seed()) == 300
    assert jitter_for(seed(schedule="*/10 * * * *")) == 60
    assert jitter_for(seed(), max_jitter=0) == 0


@pytest.mark.parametrize(
    ("outcome", "code", "seconds", "stopped", "recorded"),
    [
        ("ok", 0, 5, False, "ok"),
        ("timeout", -9, 40, False, "timeout"),  # killed at its timeout
        ("interrupted", 0, 40, False, "timeout"),  # stopped gracefully at its timeout
        ("timeout", -6, 1, False, "crashed"),  # died on its own, long before its timeout
        ("crashed", -9, 1, False, "crashed"),  # the OOM killer
        ("crashed", -9, 1, True, "interrupted"),  # killed by a forced stop
        ("interrupted", 0, 1, False, "interrupted"),  # someone else's SIGTERM
        ("interrupted", -15, 1, False, "interrupted"),  # someone else's SIGTERM, before it could stop itself
    ],
)
def test_the_recorded_outcome_says_what_happened(
    outcome: str, code: int, seconds: float, stopped: bool, recorded: str
) -> None:
    report = CrawlReport("s", outcome, code, seconds)
    assert final_outcome(report, timeout=30, stopped=stopped) == recorded


@pytest.fixture
def logger_levels() -> Iterator[None]:
    """The command sets the levels of some loggers (it owns its process); put them back."""
    loggers = [logging.getLogger(name) for name in ("scheduler", "apscheduler")]
    levels = [each.level for each in loggers]
    yield
    for each, level in zip(loggers, levels, strict=True):
        each.setLevel(level)


@pytest.mark.usefixtures("logger_levels")
def test_schedule_names_a_missing_seeds_folder_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    result = CliRunner().invoke(cli, ["schedule", "--seeds", str(tmp_path / "nope"), "--db", str(db)])
    assert result.exit_code == 1
    assert "nope: no such seeds folder; pass --seeds DIR or set PROVNEWS_SEEDS" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_crawl_interrupted_by_a_stop_is_not_a_run_so_it_is_run_again(db_path: Path) -> None:
    with Archive(db_path) as archive:
        archive.db.table("sites").insert({"id": "s", "name": "s"})
        finished_ok = archive.start_crawl("s")
        archive.finish_crawl(finished_ok, "ok", CrawlStats())
        stopped = archive.start_crawl("s")
        archive.finish_crawl(stopped, "interrupted", CrawlStats())
        archive.db.execute("UPDATE crawls SET started = '2026-03-01T06:00:00+00:00' WHERE id = ?", [finished_ok])
        last = archive.last_crawl_starts()
    assert last == {"s": "2026-03-01T06:00:00+00:00"}


@pytest.mark.parametrize(
    ("expression", "weekdays"),
    [
        ("0 6 * * 0", {"Sun"}),
        ("0 6 * * 7", {"Sun"}),
        ("0 6 * * 1-5", {"Mon", "Tue", "Wed", "Thu", "Fri"}),
        ("0 6 * * 1,3,5", {"Mon", "Wed", "Fri"}),
        ("0 6 * * */2", {"Sun", "Tue", "Thu", "Sat"}),
        ("0 6 * * sun,sat", {"Sun", "Sat"}),
    ],
)
def test_cron_day_of_week_means_what_cron_means(expression: str, weekdays: set[str]) -> None:
    trigger = cron_trigger(expression)
    moment = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday
    fired = set()
    for _ in range(14):
        moment = trigger.get_next_fire_time(None, moment + timedelta(minutes=1))
        fired.add(moment.strftime("%a"))
    assert fired == weekdays


def _this_process() -> dict[str, int] | None:
    """Between two crawls (no child process but multiprocessing's resource tracker): this
    process's open files and pipes (sockets left out: the mirror serves from this process),
    threads and zombie children; else None."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    children = zombies = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == os.getpid() and not _resource_tracker(stat.parent):
            children += 1
            zombies += fields[0] == "Z"
    if children > zombies:
        return None
    fds = [os.readlink(fd) for fd in Path("/proc/self/fd").iterdir() if fd.exists()]
    files = sum(1 for target in fds if not target.startswith("socket:"))
    return {"files": files, "threads": int(status["Threads"]), "zombies": zombies}


def _resource_tracker(proc: Path) -> bool:
    """multiprocessing's resource tracker: this test process's own, started by an earlier
    test's extraction pool, alive for the session (not a child of the scheduler)."""
    try:
        return b"resource_tracker" in (proc / "cmdline").read_bytes()
    except OSError:
        return False


def _settled(samples: int = 12) -> dict[str, int]:
    """The least of each measure over moments between two crawls: a run being recorded (its
    archive open) or a child not yet reaped is passing; a leak is there at every moment."""
    seen = []
    for _ in range(samples):
        seen.append(wait_for("a moment between two crawls", _this_process, 30))
        time.sleep(0.25)
    return {key: min(sample[key] for sample in seen) for key in seen[0]}


def test_a_short_soak_leaves_no_zombie_and_no_growing_descriptors(
    mirror: MirrorServer, seeds: Path, db_path: Path, start: Callable[..., CrawlScheduler]
) -> None:
    """RELIABILITY.md P7 in miniature (bench/soak_schedule.py runs it for hours): two sites
    crawled every 2 s; after the first runs and after many more, the same resources."""
    for site in ("soak-a", "soak-b"):
        write_seed(seeds, site, mirror.url, every="2s")
    start()
    wait_for("the first runs", lambda: all(len(finished(db_path, s)) >= 2 for s in ("soak-a", "soak-b")), 90)
    first = _settled()
    wait_for("many more runs", lambda: all(len(finished(db_path, s)) >= 8 for s in ("soak-a", "soak-b")), 180)
    later = _settled()
    outcomes = {row["outcome"] for row in crawls(db_path) if row["outcome"] != "running"}
    assert outcomes == {"ok"}
    assert later["zombies"] == 0
    assert later["files"] <= first["files"], (first, later)
    assert later["threads"] <= first["threads"] + 1, (first, later)
