"""TLS for every https fetch: certificates are verified unless the site's own seed opts out.

Scrapy's default context factory accepts any certificate (``DOWNLOAD_VERIFY_CERTIFICATES``
is off by default). provnews selects :class:`SitePolicy` instead
(``DOWNLOADER_CLIENTCONTEXTFACTORY``), which by default requires:

- a chain to a CA of the system's trust store, or of the seed's ``ca_file`` (a CA the
  site uses that the system does not trust, e.g. a government CA);
- a certificate that names the host (or the IP address) asked for;
- TLS 1.2 or newer, OpenSSL's default ciphers and security level, and secure
  renegotiation (RFC 5746): legacy renegotiation is refused.

A seed with ``insecure_tls = true`` lifts that for its one site: any certificate
(self-signed, expired, another host's), TLS 1.0 and 1.1, ``@SECLEVEL=0`` ciphers and keys,
and servers without secure renegotiation (``OP_LEGACY_SERVER_CONNECT``). Every crawl of
such a site says so in a warning. There is no global switch: the policy reads the flag
from the seed being crawled, never from a setting.

:class:`TLSErrorMiddleware` names what went wrong. Twisted reports a failed handshake as
a response never received (Scrapy's ``DownloadFailedError``, counted as a lost
connection); the middleware finds the TLS cause and raises the matching
:class:`~crawler.errors.TLSError` instead (``UntrustedCertificate``,
``ExpiredCertificate``, ``WrongHostCertificate``, ``LegacyTLSRefused``), counted as a
downloader exception, so that the crawl's ``errors`` read ``failure tls:
ExpiredCertificate 1``. It is not retried: a certificate does not mend in a second.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from OpenSSL import SSL
from OpenSSL.crypto import X509
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.utils.httpobj import urlparse_cached
from service_identity import CertificateError, VerificationError
from service_identity.cryptography import verify_certificate_hostname, verify_certificate_ip_address
from twisted.internet.interfaces import IOpenSSLClientConnectionCreator
from twisted.python.failure import Failure
from twisted.web.iweb import IPolicyForHTTPS
from zope.interface import implementer

from crawler.errors import (
    ExpiredCertificate,
    LegacyTLSRefused,
    TLSError,
    UntrustedCertificate,
    WrongHostCertificate,
)

logger = logging.getLogger(__name__)

# X509_V_ERR_* codes OpenSSL hands the verify callback, and what they mean here.
VERIFY_ERRORS: dict[int, tuple[type[TLSError], str]] = {
    2: (UntrustedCertificate, "its issuer's certificate is unknown"),
    9: (ExpiredCertificate, "the certificate is not valid yet"),
    10: (ExpiredCertificate, "the certificate has expired"),
    18: (UntrustedCertificate, "the certificate is self-signed"),
    19: (UntrustedCertificate, "a self-signed certificate in the chain is not trusted"),
    20: (UntrustedCertificate, "its issuer is not a CA trusted here"),
    21: (UntrustedCertificate, "the certificate's signature cannot be verified"),
}
# OpenSSL reasons of a handshake that failed for want of something only old servers lack.
LEGACY_REASONS = (
    "unsupported protocol",
    "protocol version",
    "no protocols available",
    "unsafe legacy renegotiation",
    "key too small",
    "md too weak",
    "no shared cipher",
    "no cipher",
    "handshake failure",
    "insufficient security",
    "legacy sigalg",
    "no suitable signature algorithm",
)
# Other handshake failures, named TLSError. Any other OpenSSL error (an unexpected EOF, a bad
# record mid-body) is a connection that broke: left to the ordinary retry and counting.
HANDSHAKE_REASONS = ("certificate", "alert", "handshake", "wrong version number")
FIX_CERTIFICATE = "name the site's CA in its seed (ca_file), or, if you must, set insecure_tls = true there"
FIX_LEGACY = "if you must fetch it, set insecure_tls = true in the site's seed"


def verifying_context(ca_file: str | Path | None = None) -> SSL.Context:
    """Client context of the default policy: TLS 1.2+, the system's CAs and ``ca_file``."""
    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    context.set_min_proto_version(SSL.TLS1_2_VERSION)
    context.set_options(SSL.OP_NO_COMPRESSION)
    context.set_default_verify_paths()
    if ca_file:
        context.load_verify_locations(str(ca_file))
    context.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT)
    return context


def legacy_context() -> SSL.Context:
    """Client context of a site with ``insecure_tls``: no verification, old TLS accepted."""
    context = SSL.Context(SSL.TLS_CLIENT_METHOD)
    context.set_min_proto_version(SSL.TLS1_VERSION)
    context.set_cipher_list(b"DEFAULT:@SECLEVEL=0")
    context.set_options(SSL.OP_NO_COMPRESSION | SSL.OP_LEGACY_SERVER_CONNECT)
    context.set_verify(SSL.VERIFY_NONE)
    return context


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _subject(cert: X509) -> str:
    try:
        return cert.to_cryptography().subject.rfc4514_string()
    except ValueError:
        return "unreadable subject"


def certificate_problem(host: str, cert: X509, errno: int, depth: int, ok: bool) -> TLSError | None:
    """What is wrong with the certificate OpenSSL is checking (None: nothing)."""
    if not ok:
        kind, reason = VERIFY_ERRORS.get(errno, (UntrustedCertificate, f"OpenSSL verify error {errno}"))
        return kind(f"{host}: {reason} ({_subject(cert)}, depth {depth}); {FIX_CERTIFICATE}")
    if depth > 0:
        return None
    try:
        if _is_ip(host):
            verify_certificate_ip_address(cert.to_cryptography(), host)
        else:
            verify_certificate_hostname(cert.to_cryptography(), host)
    except (CertificateError, VerificationError, ValueError) as error:
        return WrongHostCertificate(f"{host}: the certificate is for another host ({_subject(cert)}: {error})")
    return None


@implementer(IOpenSSLClientConnectionCreator)
class SiteConnectionCreator:
    """One TLS connection to ``host``: SNI, and the certificate checked unless ``verify`` is off."""

    def __init__(self, context: SSL.Context, host: str, verify: bool) -> None:
        self.context = context
        self.host = host
        self.verify = verify

    def clientConnectionForTLS(self, tls_protocol: Any) -> SSL.Connection:  # noqa: N802 (Twisted's name)
        connection = SSL.Connection(self.context, None)
        connection.set_app_data(tls_protocol)
        if not _is_ip(self.host):
            connection.set_tlsext_host_name(self.host.encode("ascii"))
        if self.verify:
            connection.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, self.verifier(tls_protocol))
        return connection

    def verifier(self, tls_protocol: Any) -> Callable[[SSL.Connection, X509, int, int, int], bool]:
        def verify(connection: SSL.Connection, cert: X509, errno: int, depth: int, ok: int) -> bool:
            try:
                problem = certificate_problem(self.host, cert, errno, depth, bool(ok))
            except Exception as error:  # an exception here would be lost inside OpenSSL: fail closed
                problem = TLSError(f"{self.host}: the certificate could not be checked ({error!r})")
            if problem is None:
                return True
            tls_protocol.failVerification(Failure(problem))  # the reason the connection reports
            return False

        return verify


@implementer(IPolicyForHTTPS)
class SitePolicy:
    """The ``DOWNLOADER_CLIENTCONTEXTFACTORY`` of provnews: verify, unless the seed says otherwise."""

    def __init__(self, insecure: bool = False, ca_file: str | Path | None = None) -> None:
        self.insecure = insecure
        self.context = legacy_context() if insecure else verifying_context(ca_file)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SitePolicy:
        """Scrapy passes ``method`` (``DOWNLOADER_CLIENT_TLS_METHOD``): the policy sets its own versions."""
        seed = getattr(crawler.spider, "seed", None)
        insecure = bool(getattr(seed, "insecure_tls", False))
        if insecure:
            logger.warning(
                "%s: insecure_tls is set: its certificates are not checked and old TLS (1.0, 1.1, weak ciphers, "
                "legacy renegotiation) is accepted",
                getattr(seed, "id", "?"),
            )
        return cls(insecure, getattr(seed, "ca_file", None))

    def creatorForNetloc(self, hostname: bytes, port: int) -> SiteConnectionCreator:  # noqa: N802 (Twisted's name)
        return SiteConnectionCreator(self.context, hostname.decode("ascii"), verify=not self.insecure)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error``, what it was raised from, and the reasons Twisted wrapped in it, depth first."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(reason.value for reason in getattr(current, "reasons", ()) if isinstance(reason, Failure))
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def _openssl_reason(error: SSL.Error) -> str:
    """``'certificate verify failed'`` from ``Error([('SSL routines', '', 'certificate verify failed')])``."""
    parts = [str(item[-1]) for item in (error.args[0] if error.args and isinstance(error.args[0], list) else [])]
    return "; ".join(part for part in parts if part) or str(error)


def tls_error(error: BaseException, host: str) -> TLSError | None:
    """The named TLS error behind a failed download, or None when TLS is not what failed."""
    for cause in _causes(error):
        if isinstance(cause, TLSError):
            return type(cause)(*cause.args)
        if isinstance(cause, SSL.Error):
            reason = _openssl_reason(cause)
            lowered = reason.lower()
            if any(r in lowered for r in LEGACY_REASONS):
                return LegacyTLSRefused(f"{host}: no TLS both sides accept ({reason}); {FIX_LEGACY}")
            if any(r in lowered for r in HANDSHAKE_REASONS):
                return TLSError(f"{host}: TLS handshake failed ({reason})")
    return None


class TLSErrorMiddleware:
    """Turn a download that failed in TLS into its named :class:`~crawler.errors.TLSError`.

    Registered nearer the downloader than ``DownloaderStats`` (850) and the retry middleware
    (550), so a download's exception reaches it first: it counts the named exception as
    ``DownloaderStats`` would have counted the anonymous one, and raising it ends the
    exception's way through the middlewares, so the request is not retried.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TLSErrorMiddleware:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        parts = urlparse_cached(request)
        if parts.scheme != "https":
            return None
        named = tls_error(exception, parts.netloc)
        if named is None:
            return None
        stats = self.crawler.stats
        if stats:
            stats.inc_value("downloader/exception_count")
            stats.inc_value(f"downloader/exception_type_count/{type(named).__module__}.{type(named).__name__}")
        raise named from exception
