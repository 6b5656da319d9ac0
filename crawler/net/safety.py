"""Scope and SSRF guard: every request, and every redirect hop, is checked before it leaves.

:class:`SafetyMiddleware` is a downloader middleware that runs before robots.txt and
before any connection, so a refused request is never sent anywhere. A request passes when:

- its scheme is ``http`` or ``https`` (``file:``, ``ftp:``, ``data:``… are refused);
- its host is one of the seed's hosts (``Seed.hosts``) or a subdomain of one;
- every address its host resolves to is public: never loopback, private, link-local,
  unspecified, multicast or reserved (``::ffff:127.0.0.1``, ``2130706433`` and
  ``169.254.169.254`` included), unless the seed names that host explicitly with that
  port in its start URLs, feeds or sitemaps, or lists it in ``allowed_hosts``.

Each refusal is logged and counted in the stats under ``provnews/refused/<reason>``; the
pipeline reports the counts in the crawl's notes. A name is resolved once per crawl: a
DNS answer that changes between that check and the connection is not caught here.

Failures Scrapy drops without a stat are counted too (``provnews/failures/<category>``):
a redirect chain past ``REDIRECT_MAX_TIMES``, a body past ``DOWNLOAD_MAXSIZE`` once
decompressed (a gzip, deflate or brotli bomb), a non-HTML page where HTML was expected.
:func:`failure_categories` turns a crawl's stats into the categorised lines of its
``crawls.errors``.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

logger = logging.getLogger(__name__)

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
STATS_PREFIX = "provnews/refused/"
FAILURES_PREFIX = "provnews/failures/"
PAGE_TYPES = (b"html", b"xml", b"text/", b"json")
GZIP_MAGIC = b"\x1f\x8b"
# requests the crawl itself dropped (robots.txt, a refused address, a decompression bomb, a
# redirect loop): each is counted under its own name, not as a network failure
DELIBERATE_SKIPS = frozenset({"IgnoreRequest", "RequestRefused", "RedundantRequest"})
EXCEPTION_CATEGORIES = {
    "TimeoutError": "timeout",
    "DownloadTimeoutError": "timeout",
    "ResponseDataLossError": "data_loss",
    "DownloadCancelledError": "too_large",
    "DownloadConnectionRefusedError": "connection_refused",
    "CannotResolveHostError": "dns",
    "DownloadFailedError": "connection_lost",
    "TCPTimedOutError": "timeout",
    "ConnectionRefusedError": "connection_refused",
    "DNSLookupError": "dns",
    "ResponseFailed": "data_loss",
    "ResponseNeverReceived": "connection_lost",
    "PotentialDataLoss": "data_loss",
    "_DataLoss": "data_loss",
    "ConnectionLost": "connection_lost",
    "ConnectionDone": "connection_lost",
    "ConnectionAborted": "connection_lost",
    "CancelledError": "too_large",
    "SSLError": "tls",
    "Error": "tls",  # OpenSSL.SSL.Error
    "TLSError": "tls",  # crawler.errors.TLSError and its kinds, named by crawler.net.tls.TLSErrorMiddleware
    "UntrustedCertificate": "tls",
    "ExpiredCertificate": "tls",
    "WrongHostCertificate": "tls",
    "LegacyTLSRefused": "tls",
}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class RequestRefused(IgnoreRequest):
    """A request the crawl may not make: its ``reason`` is a short category."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver, as Twisted's connect uses)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def blocked_address(address: str) -> bool:
    """True for an address a crawler must not reach unless told to: internal or special."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
    return bool(
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_multicast
        or ip.is_reserved
        or not ip.is_global
    )


@dataclass(frozen=True)
class Scope:
    """What one seed allows: its hosts, and the internal origins it names explicitly."""

    hosts: tuple[str, ...]
    named: frozenset[tuple[str, int | None]]

    @classmethod
    def of_seed(cls, seed: Any) -> Scope:
        named: set[tuple[str, int | None]] = set()
        for url in (*seed.start_urls, *getattr(seed, "feeds", ()), *getattr(seed, "sitemaps", ())):
            parts = urlsplit(url)
            if parts.hostname:
                named.add((parts.hostname.lower(), parts.port or DEFAULT_PORTS.get(parts.scheme)))
        for entry in getattr(seed, "allowed_hosts", ()):
            host, _, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
            named.add((host.lower(), int(port) if port.isdigit() else None))
        return cls(tuple(h.lower() for h in seed.hosts), frozenset(named))

    def in_scope(self, host: str) -> bool:
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def names(self, host: str, port: int) -> bool:
        return (host, port) in self.named or (host, None) in self.named


def check_url(url: str, scope: Scope, resolver: Resolver = resolve) -> None:
    """Raise :class:`RequestRefused` unless the crawl may fetch ``url``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise RequestRefused("scheme", f"{url[:200]}: scheme {scheme or '(none)'!r} refused; only http(s) is fetched")
    try:
        host = (parts.hostname or "").lower()
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise RequestRefused("bad_url", f"{url[:200]}: unreadable host or port") from None
    if not host or "\x00" in host:
        raise RequestRefused("bad_url", f"{url[:200]}: no host")
    if not scope.in_scope(host):
        raise RequestRefused("offsite", f"{url[:200]}: host {host} is not one of the seed's {', '.join(scope.hosts)}")
    if scope.names(host, port):
        return
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError) as error:
        raise RequestRefused("dns", f"{url[:200]}: {host} does not resolve ({error})") from None
    internal = [a for a in addresses if blocked_address(a)]
    if internal or not addresses:
        raise RequestRefused(
            "internal_address",
            f"{url[:200]}: {host} resolves to {', '.join(internal) or 'nothing'}, an internal address the seed "
            "does not name; list it in the seed's start_urls or allowed_hosts to crawl it",
        )


class SafetyMiddleware:
    """Refuse out-of-scope schemes, hosts and internal addresses, on every hop."""

    def __init__(self, crawler: Crawler, resolver: Resolver = resolve) -> None:
        self.crawler = crawler
        self.resolver = resolver
        self.resolved: dict[tuple[str, int], list[str]] = {}
        self.scope: Scope | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafetyMiddleware:
        middleware = cls(crawler)
        # Checked when scheduled too (where Scrapy's own offsite filter acts), so every refusal is counted.
        crawler.signals.connect(middleware.request_scheduled, signal=signals.request_scheduled)
        return middleware

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        self.process_request(request, spider)

    def _resolve(self, host: str, port: int) -> list[str]:
        key = (host, port)
        if key not in self.resolved:
            self.resolved[key] = self.resolver(host, port)
        return self.resolved[key]

    def scope_of(self, spider: Spider | None) -> Scope | None:
        if self.scope is None:
            seed = getattr(spider or self.crawler.spider, "seed", None)
            if seed is None:
                return None
            self.scope = Scope.of_seed(seed)
        return self.scope

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        scope = self.scope_of(spider)
        if scope is None:
            return
        try:
            check_url(request.url, scope, self._resolve)
        except RequestRefused as refused:
            came_from = request.meta.get("redirect_urls") or [""]
            logger.warning("refused%s: %s", f" (redirect from {came_from[-1]})" if came_from[-1] else "", refused)
            if self.crawler.stats:
                self.crawler.stats.inc_value(STATS_PREFIX + refused.reason)
            raise

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        kind = (response.headers.get(b"Content-Type") or b"").lower()
        if request.meta.get("xml") and response.body[:2] == GZIP_MAGIC:
            return response  # a gzipped sitemap (sitemap.xml.gz), read as such by the spider
        if response.status == 200 and kind and not any(t in kind for t in PAGE_TYPES):
            logger.warning("%s: %s is not a web page: not archived", response.url, kind.decode("latin-1"))
            count_failure(self.crawler, "wrong_type")
        return response


def refusal_notes(stats: dict[str, Any]) -> Iterable[str]:
    """``refused (offsite): 2`` lines for a crawl's notes, from its stats."""
    for key, value in sorted(stats.items()):
        if key.startswith(STATS_PREFIX):
            yield f"refused ({key[len(STATS_PREFIX) :]}): {value}"


def count_failure(crawler: Crawler, category: str) -> None:
    if crawler.stats:
        crawler.stats.inc_value(FAILURES_PREFIX + category)


class CountedRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects, counting the chains cut at ``REDIRECT_MAX_TIMES`` and the hops to
    other schemes (``file:``, ``ftp:``, ``data:``), which Scrapy leaves unfollowed."""

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as error:
            if "max redirections" in str(error):
                logger.warning("%s: more than %d redirects: given up", request.url, self.max_redirect_times)
                count_failure(self.crawler, "redirect_limit")
            raise
        location = response.headers.get(b"Location")
        if result is response and location and response.status in (301, 302, 303, 307, 308):
            target = urljoin(request.url, location.decode("latin-1"))
            logger.warning("refused (redirect from %s): %s: only http(s) is followed", request.url, target[:200])
            if self.crawler.stats:
                self.crawler.stats.inc_value(STATS_PREFIX + "scheme")
        return result


class CountedCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression (capped at ``DOWNLOAD_MAXSIZE``), counting the bombs it stops."""

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            if self.stats:
                self.stats.inc_value(FAILURES_PREFIX + "decompression_cap")
            raise


def failure_categories(stats: dict[str, Any]) -> list[str]:
    """A crawl's failures by category, e.g. ``failure timeout: 3 (TCPTimedOutError)``."""
    found: dict[str, list[str]] = {}
    for key, value in sorted(stats.items()):
        if key.startswith("downloader/exception_type_count/"):
            name = key.rsplit("/", 1)[1].rsplit(".", 1)[-1]
            if name in DELIBERATE_SKIPS:
                continue
            found.setdefault(EXCEPTION_CATEGORIES.get(name, "network"), []).append(f"{name} {value}")
        elif key.startswith(FAILURES_PREFIX):
            found.setdefault(key[len(FAILURES_PREFIX) :], []).append(str(value))
        elif key == "retry/max_reached":
            found.setdefault("retries_exhausted", []).append(str(value))
        elif key.startswith("downloader/response_status_count/") and key[-3:].isdigit() and int(key[-3:]) >= 500:
            found.setdefault("http_5xx", []).append(f"{key[-3:]} {value}")
        elif key == "downloader/response_status_count/429":
            found.setdefault("rate_limited", []).append(f"429 {value}")
    return [f"failure {category}: {', '.join(parts)}" for category, parts in sorted(found.items())]
