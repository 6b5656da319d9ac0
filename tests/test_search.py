"""`provnews search` on a crawled archive: filters by site and day, JSON, and hostile queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from archive_samples import HOSTILE_QUERIES, SEED_TITLE, SITE, crawled_archive
from click.testing import CliRunner, Result

from scheduler.cli import cli

pytestmark = pytest.mark.slow


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawled_archive(tmp_path_factory.mktemp("search"))


def hits(db: Path, *args: str) -> list[dict]:
    result = invoke("search", *args, "--db", str(db), "--json", "--limit", "100")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_ranked_hits_with_snippets(crawled: Path) -> None:
    found = hits(crawled, "dan van")
    assert found[0]["title"] == SEED_TITLE  # the title match ranks first
    assert [hit["rank"] for hit in found] == sorted(hit["rank"] for hit in found)
    assert any("[dân]" in hit["snippet"] or "[dân vận]" in hit["snippet"] for hit in found)
    text = invoke("search", "dan van", "--db", str(crawled), "--limit", "2")
    assert text.exit_code == 0 and "2022-08-23  langson-mirror  " + SEED_TITLE in text.stdout
    assert "2 results for 'dan van'" in text.stderr


def test_site_and_day_filters(crawled: Path) -> None:
    everything = hits(crawled, "dang uy")
    assert len(everything) >= 20
    assert hits(crawled, "dang uy", "--site", SITE) == everything
    assert hits(crawled, "dang uy", "--site", "nosuch") == []
    on_day = hits(crawled, "dan van", "--since", "2022-08-23", "--until", "2022-08-23")
    assert SEED_TITLE in {hit["title"] for hit in on_day}
    assert all(hit["published"].startswith("2022-08-23") for hit in on_day)
    later = hits(crawled, "dan van", "--since", "2022-08-24")
    assert all(hit["published"] >= "2022-08-24" for hit in later)
    assert SEED_TITLE not in {hit["title"] for hit in later}


def test_bad_arguments_exit_2(crawled: Path) -> None:
    for args in (
        ["--since", "yesterday"],
        ["--until", "2022-13-01"],
        ["--since", "2022-09-01", "--until", "2022-08-01"],
    ):
        result = invoke("search", "dan van", "--db", str(crawled), *args)
        assert result.exit_code == 2, args
        assert "Error: Invalid value" in result.output


def test_fifty_hostile_queries_give_results_or_a_message(crawled: Path) -> None:
    assert len(HOSTILE_QUERIES) == 50
    for hostile in HOSTILE_QUERIES:
        result = invoke("search", "--db", str(crawled), "--", hostile)  # an exception would propagate here
        assert result.exit_code in (0, 1), (hostile[:40], result.output[-300:])
        assert "Traceback" not in result.output
        if result.exit_code == 1:
            assert result.output.startswith("Error: ") and "sqlite" not in result.output.lower()
