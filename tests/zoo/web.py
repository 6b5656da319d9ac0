"""The zoo served: every family found, its sites built, served on 127.0.0.1, seeds written.

Families are found by listing ``tests/zoo/families/``: a module there defining a
:class:`~zoo.family.Family` subclass with a ``name`` is a family; nothing here names one.
One :class:`~scheduler.demo.mirror.MirrorServer` per site (its own port), all behind one
:class:`FixtureWeb`.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType

from scheduler.demo.mirror import MirrorServer
from zoo import families as families_package
from zoo.family import Family, FixtureSite
from zoo.stories import VN, corpus, make_states

LEGACY = ("agency", "newspaper", "sharepoint", "wordpress")  # the four sites most tests crawl


def families() -> dict[str, type[Family]]:
    """Every family of ``tests/zoo/families/``, by name."""
    found: dict[str, type[Family]] = {}
    for module_info in sorted(pkgutil.iter_modules(families_package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{families_package.__name__}.{module_info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Family) and value.__module__ == module.__name__ and value.name:
                if value.name in found:
                    raise ValueError(f"two families are named {value.name!r}")
                found[value.name] = value
    return found


def vietnam_today() -> date:
    """Today's date in Vietnam, the natural ``today`` of the sites."""
    return datetime.now(VN).date()


def build_site(
    family: type[Family],
    variant: str,
    today: date,
    site_id: str = "",
    count: int | None = None,
    used: set[str] | None = None,
) -> FixtureSite:
    """One site of ``family`` in ``variant``: its stories written, its two days rendered lazily."""
    instance = family(variant, site_id)
    cfg = instance.cfg if count is None else {**instance.cfg, "count": count}
    instance.cfg = cfg
    states = make_states(
        instance.site_id, cfg, corpus(), today, set() if used is None else used, unlimited=count is not None
    )
    return instance.fixture_site(states, today)


def fixture_sites(today: date, count: int | None = None, sites: int = 4) -> list[FixtureSite]:
    """The four sites most tests crawl (the first variant of the agency portal, newspaper,
    SharePoint and WordPress families), with the family's name as site id.

    For benchmarks: ``count`` sets every site's number of day-1 articles (default: its
    ``count`` in site.toml; at least 6). The corpus holds a few hundred distinct titles
    and paragraphs, so with ``count`` given a title already taken comes back as
    ``… (đợt 2)`` and two articles may share a paragraph (never a title, slug or URL).
    ``sites`` other than 4 cycles over the four, the second round named ``agency-2``,
    ``newspaper-2``, … and written with random seeds of their own.
    """
    if count is not None and count < 6:
        raise ValueError(f"count must be at least 6 (recent, edited and deleted articles), not {count}")
    known, used = families(), set[str]()
    made = []
    for index in range(sites):
        name = LEGACY[index % len(LEGACY)]
        rounds = index // len(LEGACY)
        site_id = name if rounds == 0 else f"{name}-{rounds + 1}"
        family = known[name]
        made.append(build_site(family, family.variants[0], today, site_id, count, used))
    return made


def zoo_sites(
    today: date, names: Iterable[str] | None = None, count: int | None = None, held_out: bool | None = None
) -> list[FixtureSite]:
    """Every variant of every family (or of the families ``names``), ids ``<family>-<variant>``;
    ``held_out``: only the families written after the rules were settled (True) or only the
    others (False)."""
    known = families()
    chosen = list(names) if names is not None else sorted(known)
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise ValueError(f"no zoo family {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return [
        build_site(known[name], variant, today, count=count)
        for name in chosen
        if held_out is None or known[name].held_out == held_out
        for variant in known[name].variants
    ]


class FixtureWeb:
    """Zoo sites served on 127.0.0.1, one :class:`MirrorServer` each, starting on day 1.

    ``web.url("wordpress", "/feed/")`` gives a URL, ``web.servers["wordpress"].requests`` the
    request log, ``web.switch_to_day(2)`` moves every site to day 2 at the same address.
    """

    def __init__(self, sites: Sequence[FixtureSite]) -> None:
        self.sites = {site.id: site for site in sites}
        self.servers: dict[str, MirrorServer] = {}
        self.day = 1

    def start(self) -> FixtureWeb:
        try:
            for site in self.sites.values():
                self.servers[site.id] = MirrorServer(render=site.render(1), port=0).start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> FixtureWeb:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __iter__(self) -> Iterator[tuple[FixtureSite, MirrorServer]]:
        return ((site, self.servers[site.id]) for site in self.sites.values())

    def url(self, site_id: str, path: str = "/") -> str:
        return self.servers[site_id].url + path

    def switch_to_day(self, day: int) -> None:
        for site_id, server in self.servers.items():
            server.replace_site(self.sites[site_id].render(day))
        self.day = day

    def write_seeds(self, folder: Path) -> Path:
        """One seed per site, pointing at its server (see :func:`write_minimal_seeds`)."""
        return write_minimal_seeds(
            folder,
            {site.id: self.url(site.id, site.home_path) for site in self.sites.values()},
            {site.id: site.name for site in self.sites.values()},
        )


def write_minimal_seeds(folder: Path, start_urls: Mapping[str, str], names: Mapping[str, str]) -> Path:
    """A seeds folder with one ``<site id>.toml`` per site holding only ``name`` and ``start_urls``
    (the home page), plus ``download_delay = 0.0`` and ``autothrottle = false``: all a crawler gets."""
    folder.mkdir(parents=True, exist_ok=True)
    for site_id, url in start_urls.items():
        (folder / f"{site_id}.toml").write_text(
            f"name = {json.dumps(names[site_id], ensure_ascii=False)}\n"
            f"start_urls = [{json.dumps(url)}]\n"
            "download_delay = 0.0\nautothrottle = false\n",
            encoding="utf-8",
        )
    return folder


def age_archive(db: Path, days: int) -> None:
    """Let ``days`` pass for the archive: every time it recorded moves back that much."""
    conn = sqlite3.connect(db)
    with conn:
        for table, columns in {
            "articles": ("first_seen", "last_checked", "last_changed"),
            "urls": ("first_seen", "last_fetched"),
        }.items():
            sets = ", ".join(f"{c} = strftime('%Y-%m-%dT%H:%M:%S+00:00', {c}, '-{days} days')" for c in columns)
            conn.execute(f"UPDATE {table} SET {sets}")
    conn.close()
