"""The provnews command through click's runner, on archives built by real crawls."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import cli
from scheduler.demo.mirror import MirrorServer


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def crawled(mirror: MirrorServer, seeds_dir: Path, db_path: Path) -> Path:
    result = invoke("crawl", "langson-mirror", "--seeds", str(seeds_dir), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    return db_path


@pytest.mark.slow
def test_crawl_prints_progress_and_summary(mirror: MirrorServer, seeds_dir: Path, db_path: Path) -> None:
    result = invoke(
        "crawl", "langson-mirror", "--seeds", str(seeds_dir), "--db", str(db_path), "--set", "DOWNLOAD_DELAY=0"
    )
    assert result.exit_code == 0, result.output
    assert "  new      2022-08-23  Hội nghị chuyên đề nâng cao hiệu quả công tác dân vận" in result.output
    assert "langson-mirror: ok in" in result.output
    assert " 0 changed, 0 unchanged articles" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("query", ["dân vận", "dan van", "DÂN VẬN", "dân vận"])
def test_search_with_and_without_diacritics(crawled: Path, query: str) -> None:
    result = invoke("search", query, "--db", str(crawled), "--json", "--limit", "50")
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.output.splitlines()]
    titles = [hit["title"] for hit in hits]
    assert "Hội nghị chuyên đề nâng cao hiệu quả công tác dân vận tại Đảng ủy khối các cơ quan tỉnh" in titles


@pytest.mark.slow
def test_search_folds_d(crawled: Path) -> None:
    plain = invoke("search", "dang uy khoi", "--db", str(crawled), "--json", "--limit", "100")
    marked = invoke("search", "Đảng ủy Khối", "--db", str(crawled), "--json", "--limit", "100")
    assert plain.exit_code == marked.exit_code == 0

    def ids(output: str) -> set[int]:
        return {json.loads(line)["id"] for line in output.splitlines()}

    assert len(ids(plain.output)) >= 20
    assert ids(plain.output) == ids(marked.output)


def test_search_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    missing = invoke("search", "dân vận", "--db", str(tmp_path / "none.db"))
    assert missing.exit_code == 1
    assert "no archive here yet" in missing.output
    (tmp_path / "a.db").touch()
    blank = invoke("search", "   ", "--db", str(tmp_path / "a.db"))
    assert blank.exit_code == 1
    assert "Error: search needs at least one word" in blank.output
    for hostile in ['Lạng Sơn"', "tỉnh-ủy", "NOT", "') OR 1=1--"]:
        result = invoke("search", hostile, "--db", str(tmp_path / "a.db"))
        assert result.exit_code == 0, result.output


def test_bad_seed_is_a_clear_error_and_touches_nothing(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.toml").write_text('name = "A"\nstart_urls = ["http://127.0.0.1:9/"]\n', encoding="utf-8")
    (seeds / "broken.toml").write_text(
        'name = "B"\nstart_urls = ["http://127.0.0.1:9/"]\nschedule = "6am"\n', encoding="utf-8"
    )
    db = tmp_path / "archive.db"
    result = invoke("crawl", "good", "--seeds", str(seeds), "--db", str(db))
    assert result.exit_code == 1
    expected = f"Error: {seeds / 'broken.toml'}: schedule: '6am' is not a cron expression, e.g. '0 6 * * *'"
    assert expected in result.output
    assert not db.exists()


def test_existing_archive_untouched_by_a_bad_seed(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "x.toml").write_text('name = "X"\nstart_urls = ["http://127.0.0.1:9/"]\nfoo = 1\n', encoding="utf-8")
    db = tmp_path / "archive.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table keep (x)")
    conn.close()
    before = db.read_bytes()
    result = invoke("crawl", "--all", "--seeds", str(seeds), "--db", str(db))
    assert result.exit_code == 1
    assert "x.toml: unknown key 'foo'" in result.output
    assert db.read_bytes() == before


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke("crawl").exit_code == 2
    assert invoke("crawl", "x", "--set", "NOEQUALS").exit_code == 2
    assert invoke("search", "x", "--limit", "0").exit_code == 2
    assert invoke("nosuchcommand").exit_code == 2


def test_unknown_site_is_named(tmp_path: Path) -> None:
    result = invoke(
        "crawl", "nosuch", "--seeds", str(Path(__file__).parent.parent / "seeds"), "--db", str(tmp_path / "a.db")
    )
    assert result.exit_code == 1
    assert "nosuch.toml: no such site; known: baolangson" in result.output


def test_sites_lists_the_seeds() -> None:
    result = invoke("sites", "--seeds", str(Path(__file__).parent.parent / "seeds"))
    assert result.exit_code == 0
    assert "langson-mirror" in result.output and "(disabled)" in result.output
    assert "baolangson           Báo Lạng Sơn — https://baolangson.vn/" in result.output


def test_every_command_has_help_with_an_example() -> None:
    for name in cli.commands:
        result = invoke(name, "--help")
        assert result.exit_code == 0
        assert "Example" in result.output, name
