"""Errors of the crawler package.

::

    CrawlerError
     ├── SeedError          a seed file is missing, unreadable or invalid
     ├── ExtractionError    a page could not be turned into an article
     └── TLSError           an https fetch refused by the TLS checks (never retried)
          ├── UntrustedCertificate   self-signed, or signed by a CA not trusted here
          ├── ExpiredCertificate     expired, or not valid yet
          ├── WrongHostCertificate   valid, but for another host
          └── LegacyTLSRefused       the server speaks only old TLS: TLS 1.0/1.1, weak
                                     ciphers or keys, no secure renegotiation

Every message names the place (file, key or URL) and, where there is one, the fix.
"""

from __future__ import annotations


class CrawlerError(Exception):
    """Base of every error raised by :mod:`crawler`."""


class SeedError(CrawlerError):
    """A seed file is missing, unreadable or holds a bad value."""


class ExtractionError(CrawlerError):
    """A page could not be turned into an article."""


class TLSError(CrawlerError):
    """An https fetch failed the TLS checks: a bad certificate, or no TLS both sides accept."""


class UntrustedCertificate(TLSError):
    """The certificate is self-signed, or its issuer is not trusted (system store or ``ca_file``)."""


class ExpiredCertificate(TLSError):
    """The certificate has expired, or is not valid yet."""


class WrongHostCertificate(TLSError):
    """The certificate is valid, but names another host."""


class LegacyTLSRefused(TLSError):
    """The server offers only what is refused by default: TLS 1.0/1.1, weak ciphers or keys,
    renegotiation without RFC 5746."""
