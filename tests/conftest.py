"""Shared fixtures: the offline mirror served on 127.0.0.1, seeds pointing at it."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.demo.mirror import MirrorServer

PROJECT = Path(__file__).parent.parent
MIRROR_DIR = PROJECT / "seeds" / "mirror"
SEED_TEXT = PROJECT / "seeds" / "000_4af8925a5ba6af40.txt"


@pytest.fixture(scope="session")
def mirror_data() -> dict:
    """The mirror's site.toml: its layout and every article (the gold of the crawl tests)."""
    return tomllib.loads((MIRROR_DIR / "site.toml").read_text(encoding="utf-8"))


@pytest.fixture
def mirror() -> Iterator[MirrorServer]:
    """The bundled offline mirror, served on a free port of 127.0.0.1."""
    with MirrorServer(MIRROR_DIR, port=0) as server:
        yield server


@pytest.fixture
def seeds_dir(tmp_path: Path, mirror: MirrorServer) -> Path:
    """A seeds folder whose langson-mirror seed points at the running mirror."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "langson-mirror.toml").write_text(
        f'name = "Đảng ủy Khối các cơ quan tỉnh Lạng Sơn (offline mirror)"\n'
        f'start_urls = ["{mirror.url}/"]\ndownload_delay = 0.0\nautothrottle = false\n',
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


def seed_paragraphs() -> list[str]:
    """The five body paragraphs of the seed page (its only lines of real length)."""
    lines = SEED_TEXT.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if len(line) > 200]


def article_path(data: dict, article: dict) -> str:
    return str(data["site"]["article_path"]).format(**article)


# ----------------------------------------------------------------- the fixture web (tests/zoo/)

from zoo import FixtureWeb, fixture_sites, vietnam_today  # noqa: E402


@pytest.fixture
def fixture_web() -> Iterator[FixtureWeb]:
    """The four fixture sites (agency, newspaper, sharepoint, wordpress), each served on its own
    free port of 127.0.0.1, on day 1; ``fixture_web.switch_to_day(2)`` moves them all to day 2."""
    with FixtureWeb(fixture_sites(vietnam_today())) as web:
        yield web


@pytest.fixture
def fixture_seeds(tmp_path: Path, fixture_web: FixtureWeb) -> Path:
    """A seeds folder with one seed per fixture site: only name, start_urls, no delay, no AutoThrottle."""
    return fixture_web.write_seeds(tmp_path / "fixture-seeds")
