"""`provnews history`: the versions of one crawled article, with a readable diff of each change."""

from __future__ import annotations

from pathlib import Path

import pytest
from archive_samples import EDITED_SENTENCE, SEED_TITLE, crawled_archive, edit_article, seed_article
from click.testing import CliRunner, Result

from scheduler.cli import cli
from storage.history import sentences

pytestmark = pytest.mark.slow


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The crawled mirror whose seed article was then edited twice (three versions)."""
    db = crawled_archive(tmp_path_factory.mktemp("history"))
    seed = seed_article(db)
    edit_article(db, seed["url"])
    edit_article(db, seed["url"], title=SEED_TITLE + " (cập nhật)")
    return {"db": db, **seed}


def test_history_by_url_shows_each_version_and_a_diff(changed: dict) -> None:
    result = invoke("history", changed["url"], "--db", str(changed["db"]))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"article {changed['id']} (langson-mirror), 3 versions"
    assert lines[1] == changed["url"]
    assert lines[2].startswith("  v1  ") and lines[2].endswith(SEED_TITLE)
    assert lines[4].startswith("  v3  ") and "now (current)" in lines[4]
    assert "=== v1 → v2" in result.output and "=== v2 → v3" in result.output
    assert f"+{EDITED_SENTENCE}" in lines  # the added sentence, on its own line
    assert f"-{SEED_TITLE}" in lines and f"+{SEED_TITLE} (cập nhật)" in lines
    changed_lines = [line for line in lines if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))]
    assert len(changed_lines) <= 4  # one sentence and one title: not whole paragraphs


def test_history_by_id_equals_history_by_url(changed: dict) -> None:
    by_id = invoke("history", str(changed["id"]), "--db", str(changed["db"]))
    by_url = invoke("history", changed["url"], "--db", str(changed["db"]))
    assert by_id.exit_code == 0 and by_id.output == by_url.output


def test_unchanged_article_and_unknown_article(changed: dict) -> None:
    other = invoke("history", "1" if changed["id"] != 1 else "2", "--db", str(changed["db"]))
    assert other.exit_code == 0 and "1 version\n" in other.output
    assert "no earlier version" in other.output
    missing = invoke("history", "https://example.invalid/x.html", "--db", str(changed["db"]))
    assert missing.exit_code == 1
    assert "no article with id or URL 'https://example.invalid/x.html'" in missing.output
    assert "provnews search" in missing.output


def test_history_usage_errors(tmp_path: Path) -> None:
    assert invoke("history").exit_code == 2
    result = invoke("history", "12", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1 and "no archive here yet" in result.output


def test_sentences_split_paragraphs_into_lines() -> None:
    text = "Câu một. Câu hai!\nĐoạn hai: có ý.  Hết…"
    assert sentences(text) == ["Câu một.", "Câu hai!", "", "Đoạn hai: có ý.", "Hết…"]
