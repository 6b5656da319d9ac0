"""Site definitions: one TOML file per site in ``seeds/``, its stem the site id.

A seed needs only ``name`` and ``start_urls``; everything else has a polite default::

    name = "Báo Lạng Sơn"
    start_urls = ["https://baolangson.vn/"]
    # optional
    schedule = "0 */6 * * *"        # cron, or: every = "6h"
    download_delay = 3.0            # seconds between requests to a host
    allowed_hosts = ["baolangson.vn"]
    ca_file = "certs/site-ca.pem"   # a CA to trust for this site, besides the system's
    insecure_tls = false            # true: this site's bad certificates and old TLS accepted

An unknown key or a bad value raises :class:`~crawler.errors.SeedError` naming the
file, the key and the fix.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.errors import SeedError

SITE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Seed:
    """One site, as its seed file defines it (defaults filled in)."""

    id: str
    name: str
    start_urls: tuple[str, ...]
    path: Path | None = None
    description: str = ""
    enabled: bool = True
    allowed_hosts: tuple[str, ...] = ()
    schedule: str | None = None
    every: int | None = None
    timeout: int = 30 * 60
    download_delay: float = 3.0
    concurrent_requests_per_host: int = 1
    obey_robots: bool = True
    autothrottle: bool = True
    max_pages: int = 2000
    max_depth: int = 8
    article_pattern: str | None = None
    listing_pattern: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    ca_file: str | None = None
    insecure_tls: bool = False

    @property
    def home_url(self) -> str:
        return self.start_urls[0]

    @functools.cached_property
    def hosts(self) -> tuple[str, ...]:
        """Hosts the crawl may fetch from: ``allowed_hosts``, else the start URLs' hosts."""
        if self.allowed_hosts:
            return self.allowed_hosts
        seen: dict[str, None] = {}
        for url in self.start_urls:
            seen[(urlsplit(url).hostname or "").lower()] = None
        return tuple(seen)

    @property
    def interval_seconds(self) -> int | None:
        """Seconds between runs when no cron schedule is set (default: every 6 hours)."""
        if self.schedule:
            return None
        return self.every or 6 * 3600


def load_seeds(directory: str | Path) -> dict[str, Seed]:
    """Load every ``*.toml`` in ``directory``, keyed and sorted by site id."""
    folder = Path(directory)
    if not folder.is_dir():
        raise SeedError(f"{folder}: no such seeds folder; pass --seeds DIR or set PROVNEWS_SEEDS")
    return {seed.id: seed for seed in map(load_seed, sorted(folder.glob("*.toml")))}


def load_seed(path: str | Path) -> Seed:
    """Read and validate one seed file."""
    file = Path(path)
    site_id = file.stem
    if not SITE_ID.match(site_id):
        raise SeedError(
            f"{file}: the file name is the site id and must be lower-case letters, digits,"
            " '-' or '_', e.g. 'langson-portal.toml'"
        )
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"{file}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SeedError(f"{file}: not UTF-8 text ({exc.reason}); save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{file}: not valid TOML: {exc}") from exc
    return parse_seed(site_id, data, file)


def parse_seed(site_id: str, data: dict[str, Any], path: Path | None = None) -> Seed:
    """Validate a seed's raw TOML table; ``path`` only names the file in errors."""
    where = str(path) if path else site_id
    known = {f.name for f in fields(Seed)} - {"id", "path"}
    for key in data:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(sorted(known))}"
            raise SeedError(f"{where}: unknown key '{key}'{hint}")
    for key in ("name", "start_urls"):
        if key not in data:
            raise SeedError(f"{where}: {key}: missing; a seed needs at least 'name' and 'start_urls'")
    values: dict[str, Any] = {}
    for key, raw in data.items():
        values[key] = VALIDATORS[key](where, key, raw)
    if values.get("schedule") and values.get("every"):
        raise SeedError(f"{where}: schedule: set either 'schedule' (cron) or 'every', not both")
    if "ca_file" in values:
        values["ca_file"] = _ca_file_path(where, values["ca_file"], path)
    return Seed(id=site_id, path=path, **values)


def _fail(where: str, key: str, raw: Any, expected: str) -> SeedError:
    return SeedError(f"{where}: {key}: {raw!r} is not {expected}")


def _text(where: str, key: str, raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise _fail(where, key, raw, 'a non-empty string, e.g. "Báo Lạng Sơn"')
    return raw.strip()


def _bool(where: str, key: str, raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise _fail(where, key, raw, "true or false")
    return raw


def _url(where: str, key: str, raw: Any) -> str:
    parts = urlsplit(raw) if isinstance(raw, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(where, key, raw, 'an http(s) URL, e.g. "https://baolangson.vn/"')
    return str(raw)


def _urls(where: str, key: str, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or (key == "start_urls" and not raw):
        raise _fail(where, key, raw, 'a list of URLs, e.g. ["https://baolangson.vn/"]')
    return tuple(_url(where, key, item) for item in raw)


def _hosts(where: str, key: str, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(h, str) and h and "/" not in h for h in raw):
        raise _fail(where, key, raw, 'a list of host names, e.g. ["baolangson.vn"]')
    return tuple(h.lower() for h in raw)


def _number(low: float, high: float, kind: type, example: str) -> Callable[[str, str, Any], Any]:
    def check(where: str, key: str, raw: Any) -> Any:
        ok = isinstance(raw, (int, float)) and not isinstance(raw, bool)
        if not ok or (kind is int and not isinstance(raw, int)) or not low <= raw <= high:
            raise _fail(where, key, raw, f"a number from {low:g} to {high:g}, e.g. {example}")
        return kind(raw)

    return check


def _duration(where: str, key: str, raw: Any) -> int:
    match = DURATION.match(raw) if isinstance(raw, str) else None
    if not match or int(match.group(1)) == 0:
        raise _fail(where, key, raw, 'a duration such as "30m", "6h" or "1d"')
    return int(match.group(1)) * DURATION_UNITS[match.group(2)]


def _cron(where: str, key: str, raw: Any) -> str:
    from apscheduler.triggers.cron import CronTrigger

    if isinstance(raw, str) and len(raw.split()) == 5:
        try:
            CronTrigger.from_crontab(raw)
            return raw
        except ValueError:
            pass
    raise _fail(where, key, raw, "a cron expression, e.g. '0 6 * * *'")


def _ca_file_path(where: str, raw: str, seed_path: Path | None) -> str:
    """``ca_file`` as an absolute path (relative to the seed's folder), once it is seen to hold a certificate."""
    file = Path(raw).expanduser()
    if not file.is_absolute() and seed_path is not None:
        file = seed_path.parent / file
    try:
        pem = file.read_bytes()
    except OSError as exc:
        raise SeedError(
            f"{where}: ca_file: cannot read {file} ({exc.strerror}); give the path of the CA's PEM file,"
            " relative to the seed's folder"
        ) from exc
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise SeedError(f"{where}: ca_file: {file} holds no PEM certificate ('-----BEGIN CERTIFICATE-----')")
    return str(file.resolve())


def _regex(where: str, key: str, raw: Any) -> str:
    try:
        re.compile(raw)
    except (re.error, TypeError) as exc:
        raise _fail(where, key, raw, f"a regular expression ({exc})") from exc
    return str(raw)


VALIDATORS: dict[str, Callable[[str, str, Any], Any]] = {
    "name": _text,
    "description": _text,
    "start_urls": _urls,
    "enabled": _bool,
    "allowed_hosts": _hosts,
    "schedule": _cron,
    "every": _duration,
    "timeout": _duration,
    "download_delay": _number(0, 600, float, "3.0"),
    "concurrent_requests_per_host": _number(1, 8, int, "1"),
    "obey_robots": _bool,
    "autothrottle": _bool,
    "max_pages": _number(1, 1_000_000, int, "2000"),
    "max_depth": _number(1, 100, int, "8"),
    "article_pattern": _regex,
    "listing_pattern": _regex,
    "feeds": _urls,
    "sitemaps": _urls,
    "ca_file": _text,
    "insecure_tls": _bool,
}
