"""What a site's hosts teach about their URLs, learned while crawling and kept in the archive.

One page should cost one fetch and make one row, however many URLs lead to it. Some of
that is known before any fetch (:func:`~crawler.discover.urls.canonical_url`: session ids,
tracking parameters, percent-encoding, and back-link parameters: a ``redirect``,
``returnurl`` or ``Source`` whose value is a URL). The rest each host teaches:

- **case**: a server that says it is IIS / ASP.NET (``Server: Microsoft-IIS``,
  ``X-Powered-By: ASP.NET``, ``X-AspNet-Version``), or that serves ASP.NET pages
  (``.aspx``), answers every casing of a path with the same page; so does a server that
  answered two URLs differing only in case with the same article. Its paths (and
  parameter names) are compared lower-cased;
- **parameters that do not change the page** (portlet state, view counters, menu ids):
  two fetched URLs that differ only in some parameters and gave the same article, or an
  article whose ``rel=canonical`` is its own URL without them, teach that those parameters
  do not matter on the paths of that pattern (:func:`~crawler.discover.urls.path_pattern`:
  the host's other pages, its listings, may need them). A parameter that ever told two
  articles apart (the rest of their URLs the same) is never learned as ignorable, and a
  canonical URL shared by different pages teaches nothing.

:class:`SiteIdentity` holds the rules and says when they changed, so that the frontier
can re-key what it already knows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import unquote, urlsplit

from crawler.discover.urls import NO_RULES, HostRules, canonical_url, host_of, path_pattern

logger = logging.getLogger(__name__)

IIS = re.compile(r"microsoft-iis|asp\.net", re.IGNORECASE)
ASP_NET = re.compile(r"^[^?#]*\.(?:aspx|asp|ashx|asmx)(?:[?#]|$)", re.IGNORECASE)
BACK_LINK_NAME = re.compile(
    r"(?:^|_)(?:redirect|redirect_?url|return_?url|return_?to|returnurl|back_?url|backurl|back|source|referr?er)$",
    re.IGNORECASE,
)


def back_link_params(url: str, site_hosts: tuple[str, ...]) -> set[str]:
    """Parameters of ``url`` that carry a back-link: a ``redirect``-like name whose value is a
    URL or a path (``?redirect=%2Fweb%2Fguest%2Ftin-tuc%3Fp_p_id…``, ``&Source=/Pages/…``)."""
    found = set()
    for pair in urlsplit(url).query.split("&"):
        name, _, value = pair.partition("=")
        if not BACK_LINK_NAME.search(name):
            continue
        target = unquote(value.replace("+", " ")).strip()
        if (
            target.startswith("/")
            or (host := host_of(target))
            and any(host == h or host.endswith("." + h) for h in site_hosts)
        ):
            found.add(name.lower())
    return found


class SiteIdentity:
    """The URL rules of one site's hosts (see the module docstring)."""

    def __init__(self, hosts: tuple[str, ...], rules: Mapping[str, HostRules] | None = None) -> None:
        self.hosts = hosts
        self.rules: dict[str, HostRules] = dict(rules or {})
        self.version = 0  # grows with every rule learned
        self.learned: list[str] = []  # what was learned this run, for the crawl's notes
        self._content: dict[str, tuple[str, str]] = {}  # article digest -> (a URL it was fetched at, its host)
        # (host, path, the query but for one parameter, that parameter) -> {its value: the article's digest}
        self._siblings: dict[tuple[str, str, str, str], dict[str, str]] = {}
        self._identifying: set[tuple[str, str]] = set()  # (host, param): told two articles apart

    def canonical(self, url: str) -> str:
        """``url`` as this site knows it: :func:`canonical_url` with the hosts' rules."""
        if ASP_NET.search(url):
            host = host_of(url)
            if not self.rules.get(host, NO_RULES).case_insensitive:
                self._learn(host, case_insensitive=True, why="ASP.NET pages (.aspx), served by IIS")
        url = canonical_url(url, self.rules)
        back = back_link_params(url, self.hosts) if "=" in url else set()
        if back:
            host = host_of(url)
            self._learn(host, ignored=back, why=f"back-link parameters {', '.join(sorted(back))}")
            url = canonical_url(url, self.rules)
        return url

    def written(self, url: str) -> str:
        """``url`` in the form it is archived under: its canonical form (:meth:`canonical`) but
        in the letter case the site wrote it, since a case-insensitive host's canonical form is
        lower-cased only to compare URLs."""
        found = self.canonical(url)
        rules = self.rules.get(host_of(found), NO_RULES)
        if not rules.case_insensitive:
            return found
        return canonical_url(url, {host_of(found): replace(rules, case_insensitive=False)})

    def observe_headers(self, url: str, headers: Mapping[str, str]) -> None:
        """A response's headers: an IIS / ASP.NET server is case-insensitive."""
        host = host_of(url)
        rules = self.rules.get(host)
        if rules is not None and rules.case_insensitive:
            return
        said = " ".join(headers.get(name, "") for name in ("server", "x-powered-by", "x-aspnet-version"))
        if IIS.search(said) or headers.get("x-aspnet-version"):
            self._learn(host, case_insensitive=True, why="an IIS / ASP.NET server")

    def observe_article(self, url: str, digest: str) -> str | None:
        """An article read at ``url`` (canonical) with content ``digest``: when the same article
        was read at another URL of the site, learn what made them differ and return that URL."""
        earlier = self._content.get(digest)
        if earlier is None:
            self._content[digest] = (url, host_of(url))
            self._note_values(url, digest)
            return None
        other, host = earlier
        if other == url or host != host_of(url):
            return other if other != url else None
        a, b = urlsplit(other), urlsplit(url)
        if a.path != b.path and a.path.lower() == b.path.lower():
            self._learn(host, case_insensitive=True, why=f"{other} and {url} are one page")
        differing = _differing_params(a.query, b.query)
        learnable = {name for name in differing if not self._tells_pages_apart(host, name)}
        if a.path.lower() == b.path.lower() and learnable and learnable == differing:
            scoped = {f"{name}@{path_pattern(b.path)}" for name in learnable}
            self._learn(host, ignored=scoped, why=f"{other} and {url} are one page")
        return other

    def observe_canonical(self, fetched: str, canonical: str, confirmed: bool) -> None:
        """An article at ``fetched`` names ``canonical`` as its URL: when they share the path,
        the parameters ``fetched`` has beyond it do not matter on that host. ``confirmed``:
        another article has already shown that canonical URLs of this site are page-specific."""
        a, b = urlsplit(fetched), urlsplit(canonical)
        if not confirmed or a.netloc != b.netloc or a.path.lower() != b.path.lower():
            return
        extra = _differing_params(a.query, b.query) - {pair.partition("=")[0].lower() for pair in b.query.split("&")}
        learnable = {name for name in extra if not self._tells_pages_apart(b.hostname or "", name)}
        if learnable and learnable == extra:
            scoped = {f"{name}@{path_pattern(a.path)}" for name in learnable}
            self._learn(b.hostname or "", ignored=scoped, why=f"rel=canonical of {fetched}")

    def _note_values(self, url: str, digest: str) -> None:
        """Remember, for each parameter of an article's URL, which article its value gave
        with the rest of the URL fixed: two values giving two articles (``?id=5``, ``?id=6``)
        make the parameter one that identifies pages, never ignorable on that host."""
        parts = urlsplit(url)
        host, pairs = (parts.hostname or "").lower(), [pair for pair in parts.query.split("&") if pair]
        for index, pair in enumerate(pairs):
            name, _, value = pair.partition("=")
            rest = "&".join(pairs[:index] + pairs[index + 1 :])
            values = self._siblings.setdefault((host, parts.path.lower(), rest, name.lower()), {})
            values.setdefault(value, digest)
            if len(set(values.values())) > 1:
                self._identifying.add((host, name.lower()))

    def _tells_pages_apart(self, host: str, name: str) -> bool:
        return (host, name.lower()) in self._identifying

    def _learn(self, host: str, *, case_insensitive: bool = False, ignored: set[str] | None = None, why: str) -> None:
        rules = self.rules.get(host, HostRules())
        new = replace(
            rules,
            case_insensitive=rules.case_insensitive or case_insensitive,
            ignored=rules.ignored | frozenset(ignored or ()),
        )
        if new == rules:
            return
        self.rules[host] = new
        self.version += 1
        what = "case-insensitive paths" if case_insensitive else f"ignores {', '.join(sorted(ignored or ()))}"
        self.learned.append(f"{host}: {what} ({why})")
        logger.info("%s learned: %s (%s)", host, what, why)


def _differing_params(a: str, b: str) -> set[str]:
    """Names of the parameters two queries do not share with the same value (lower-cased)."""
    pa = {pair.partition("=")[0].lower(): pair.partition("=")[2] for pair in a.split("&") if pair}
    pb = {pair.partition("=")[0].lower(): pair.partition("=")[2] for pair in b.split("&") if pair}
    return {name for name in pa.keys() | pb.keys() if pa.get(name) != pb.get(name)}
