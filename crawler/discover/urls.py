"""URL identity: one page, one URL. ``canonical_url`` is the one normaliser.

Every URL a crawl meets goes through :func:`canonical_url` before anything is decided
about it: links, ``rel=canonical`` and ``og:url`` targets, feed and sitemap entries, the
URL a response came from and every hop of a redirect chain. It:

- lower-cases scheme and host, drops default ports, the fragment, session ids
  (``;jsessionid=…``, ``PHPSESSID``, ``sid``) and tracking parameters (``utm_*``,
  ``fbclid`` …);
- writes the path in one percent-encoding: non-ASCII characters as UTF-8 escapes
  (``/tin-tức`` and ``/tin-t%E1%BB%A9c`` are one URL), escapes in upper case, unreserved
  characters unescaped; the query as ``urlencode`` writes a form (``+`` for a space, every
  reserved character escaped); escapes that are not UTF-8 (a windows-1258 portal's
  ``%E0``) are kept byte for byte;
- writes ``?a`` and ``?a=`` alike, keeps the order of the query (on many portals it is
  meaningful), drops an empty query;
- applies what a host taught about its URLs (:class:`HostRules`, learned by
  :mod:`crawler.discover.identity`): a case-insensitive server's paths and parameter names
  lower-cased, parameters that do not change its pages (back-links, portlet state) dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, quote_plus, unquote_to_bytes, urlsplit, urlunsplit

TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|zarsrc|_ga|_gl|mc_cid|mc_eid|igshid|"
    r"ref|ref_src|from|src|source|share|spm)$",
    re.IGNORECASE,
)
SESSION = re.compile(r"^(phpsessid|jsessionid|sid|sessionid|session_id|aspsessionid\w*|cfid|cftoken)$", re.I)
PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
DEFAULT_PORTS = {"http": 80, "https": 443}
DIGIT_RUN = re.compile(r"\d+")
ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
PATH_SAFE = "/:@!$&'()*+,;=-._~%"
CACHED = 8192


@dataclass(frozen=True)
class HostRules:
    """What one host taught about its URLs: ``case_insensitive`` paths (an IIS server answers
    ``/Pages/A.aspx`` and ``/pages/a.aspx`` alike), ``ignored`` parameters (lower-cased names)
    that do not change the page: ``redirect`` on every path of the host, ``cateid@/pages/x.aspx``
    on the paths of that pattern only (see :func:`path_pattern`)."""

    case_insensitive: bool = False
    ignored: frozenset[str] = field(default_factory=frozenset)


NO_RULES = HostRules()


def canonical_url(url: str, rules: Mapping[str, HostRules] | None = None) -> str:
    """The one form of ``url`` under which it is known (see the module docstring); ``rules``
    maps host names to what they taught."""
    base = _canonical(url.strip())
    if not rules:
        return base
    host_rules = rules.get(urlsplit(base).hostname or "")
    return _apply(base, host_rules) if host_rules is not None and host_rules != NO_RULES else base


def normalize_url(url: str) -> str:
    """:func:`canonical_url` with no host rules (the form links leave a page reader in)."""
    return _canonical(url.strip())


@lru_cache(maxsize=CACHED)
def _canonical(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = _encode(PATH_SESSION.sub("", parts.path), PATH_SAFE) or "/"
    query = [(k, v) for k, v in _pairs(parts.query) if not TRACKING.match(k) and not SESSION.match(k)]
    return urlunsplit((scheme, netloc, path, _join(query), ""))


@lru_cache(maxsize=CACHED)
def _apply(url: str, rules: HostRules) -> str:
    parts = urlsplit(url)
    path = _lower_keep_escapes(parts.path) if rules.case_insensitive else parts.path
    pattern = path_pattern(parts.path)
    query = [
        (_lower_keep_escapes(k) if rules.case_insensitive else k, v)
        for k, v in _pairs(parts.query)
        if k.lower() not in rules.ignored and f"{k.lower()}@{pattern}" not in rules.ignored
    ]
    return urlunsplit((parts.scheme, parts.netloc, path, _join(query), ""))


@lru_cache(maxsize=CACHED)
def path_pattern(path: str) -> str:
    """The pages a path stands for: its digit runs as ``#``, a last segment that is a slug
    (``/tin-tuc/khai-mac-hoi-nghi-123.html``) as ``*``, lower-cased. A parameter learned as
    meaningless on an article of ``/web/guest/tin/-/asset_publisher/x/content/*`` is no less
    meaningful on the listing ``/web/guest/tin``."""
    head, _, last = path.lower().rpartition("/")
    if last.count("-") >= 2:
        last = "*"
    return DIGIT_RUN.sub("#", head + "/" + last)


def _pairs(query: str) -> list[tuple[str, str]]:
    """Query pairs, each name and value written in the form-encoding of ``urlencode``
    (``+`` for a space, everything but unreserved characters escaped), byte for byte: a
    value that is not UTF-8 keeps its bytes."""
    pairs = []
    for chunk in query.split("&") if query else ():
        if not chunk:
            continue
        name, _, value = chunk.partition("=")
        pairs.append((_form(name), _form(value)))
    return pairs


@lru_cache(maxsize=CACHED)
def _form(text: str) -> str:
    return quote_plus(unquote_to_bytes(text.replace("+", " ")), safe="")


def _join(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{k}={v}" for k, v in pairs)


def _encode(text: str, safe: str) -> str:
    """``text`` percent-encoded once: non-ASCII as UTF-8, existing escapes upper-cased (and
    decoded where they stand for an unreserved character), bytes that are not UTF-8 kept."""
    if text.isascii() and "%" not in text and not any(c in text for c in ' "<>\\^`{|}'):
        return text
    text = ESCAPE.sub(_escape, text)
    return quote(text, safe=safe, encoding="utf-8", errors="strict")


def _escape(match: re.Match[str]) -> str:
    byte = int(match.group(1), 16)
    return chr(byte) if byte in UNRESERVED else "%" + match.group(1).upper()


def _lower_keep_escapes(text: str) -> str:
    return ESCAPE.sub(lambda m: "%" + m.group(1).upper(), text.lower())


def same_site(url: str, hosts: tuple[str, ...]) -> bool:
    """True when ``url`` is http(s) on one of ``hosts`` (or a subdomain of one)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    return any(host == h or host.endswith("." + h) for h in hosts)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
