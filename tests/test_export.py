"""`provnews export`: JSON lines and CSV of a crawled archive, streamed in constant memory."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_samples import SEED_TITLE, SITE, crawled_archive
from click.testing import CliRunner, Result

from scheduler.cli import cli
from storage.archive import Archive
from storage.errors import ArchiveError
from storage.exports import EXPORT_COLUMNS, export_articles
from storage.records import Article, FetchedPage, Site


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return crawled_archive(tmp_path_factory.mktemp("export"))


@pytest.mark.slow
def test_jsonl_has_every_article_in_nfc(crawled: Path) -> None:
    result = invoke("export", "--db", str(crawled))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    with Archive(crawled) as archive:
        assert len(records) == archive.count_articles() >= 22
    assert list(records[0]) == list(EXPORT_COLUMNS)
    seed = next(r for r in records if r["title"] == SEED_TITLE)
    assert seed["published"] == "2022-08-23T16:13:00+07:00" and seed["source"] == "Baolangson.vn"
    assert isinstance(seed["captions"], list) and len(seed["captions"]) == 3
    assert all(unicodedata.is_normalized("NFC", r["text"]) for r in records)
    published = [r["published"] for r in records if r["published"]]
    assert published == sorted(published)
    assert f"exported {len(records)} articles to stdout" in result.stderr


@pytest.mark.slow
def test_csv_to_a_file_with_filters(crawled: Path, tmp_path: Path) -> None:
    out = tmp_path / "august.csv"
    result = invoke(
        "export", "--db", str(crawled), "--site", SITE, "--since", "2022-08-23", "--until", "2022-08-23",
        "--format", "csv", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert table and all(row["published"].startswith("2022-08-23") for row in table)
    assert SEED_TITLE in {row["title"] for row in table}
    assert "\n" in next(row["text"] for row in table if row["title"] == SEED_TITLE)  # paragraphs survive CSV
    assert invoke("export", "--db", str(crawled), "--site", "nosuch").stdout == ""


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Archive(db).close()
    for args in (["--format", "xml"], ["--since", "23/08/2022"], ["--since", "2022-09-01", "--until", "2022-08-01"]):
        result = invoke("export", "--db", str(db), *args)
        assert result.exit_code == 2, args
        assert "Error: Invalid value" in result.output
    missing = invoke("export", "--db", str(tmp_path / "none.db"))
    assert missing.exit_code == 1 and "no archive here yet" in missing.output


def synthetic(count: int) -> Iterator[tuple[FetchedPage, Article]]:
    paragraph = "Ủy ban nhân dân tỉnh Lạng Sơn triển khai công tác dân vận ở Đồng Đăng và Đà Nẵng. " * 12
    for number in range(count):
        url = f"http://127.0.0.1/tin/{number}.html"
        text = f"{paragraph}\n{number}"
        page = FetchedPage(url, 200, f"<html><p>{text}</p></html>".encode(), {"etag": f'"{number}"'})
        yield page, Article(url, f"Tin số {number}", text, f"2024-01-{number % 28 + 1:02d}")


def export_peak(db: Path, count: int) -> int:
    with Archive(db) as archive:
        archive.upsert_site(Site("tinh", "Tỉnh", "http://127.0.0.1/"))
        assert archive.save_fetched_articles("tinh", synthetic(count), batch_size=200) == {
            "new": count,
            "changed": 0,
            "unchanged": 0,
        }
        tracemalloc.start()
        try:
            with (db.parent / "out.jsonl").open("w", encoding="utf-8") as out:
                assert export_articles(archive, out) == count
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_export_memory_does_not_grow_with_the_archive(tmp_path: Path) -> None:
    (tmp_path / "small").mkdir()
    (tmp_path / "large").mkdir()
    small = export_peak(tmp_path / "small" / "a.db", 100)
    large = export_peak(tmp_path / "large" / "a.db", 2_000)  # 20 times the articles, about 2 MB of text
    assert large < small * 2 + 64 * 1024, (small, large)


def test_bulk_path_is_idempotent(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        archive.upsert_site(Site("tinh", "Tỉnh", "http://127.0.0.1/"))
        assert archive.save_fetched_articles("tinh", synthetic(30), batch_size=7)["new"] == 30
        again = archive.save_fetched_articles("tinh", synthetic(30), batch_size=7)
        assert again == {"new": 0, "changed": 0, "unchanged": 30}
        assert archive.count_articles() == 30
        assert archive.search("dan van dong dang", limit=50)[0].site == "tinh"
        with pytest.raises(ArchiveError, match="is not one of jsonl, csv"):
            export_articles(archive, io.StringIO(), fmt="xml")
