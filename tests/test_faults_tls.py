"""Old or broken TLS (RELIABILITY.md N6): https fault sites on 127.0.0.1 with certificates made
for the test (tests/tlsserver.py).

Certificates are verified by default: a self-signed, expired or wrong-host certificate, or a
server that speaks only TLS 1.0, ends the crawl with a named TLS error in ``crawls.errors``
(``failure tls: ExpiredCertificate 1``) and nothing archived. ``insecure_tls = true`` in a
seed lets that one site through, and only that one; ``ca_file`` trusts a site's own CA with
verification still on.

Legacy renegotiation cannot be served here: an OpenSSL server always answers with RFC 5746's
``renegotiation_info`` extension, and neither OpenSSL nor Python's ``ssl`` has a switch to
leave it out, so a server that lacks secure renegotiation cannot be made with the local
OpenSSL. :func:`test_only_the_opt_in_allows_legacy_renegotiation_and_old_protocols` checks the
client contexts instead: ``OP_LEGACY_SERVER_CONNECT`` and TLS 1.0 only in the opt-in's.
"""

from __future__ import annotations

import json
import sqlite3
import ssl
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from faultserver import FAST, write_seed
from OpenSSL import SSL
from OpenSSL.crypto import X509, X509StoreContext
from scrapy.exceptions import DownloadFailedError
from tlsserver import Certificates, ServerCertificate, TLSFaultSite, server_context, tls10_server_possible
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed, ResponseNeverReceived

from crawler.errors import ExpiredCertificate, LegacyTLSRefused, TLSError
from crawler.net.tls import legacy_context, tls_error, verifying_context
from scheduler.runner import CrawlReport, run_crawl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates(tmp_path_factory.mktemp("certs"))


def crawl_site(site: TLSFaultSite, tmp_path: Path, site_id: str, extra: str = "") -> CrawlReport:
    seeds = write_seed(tmp_path / "seeds", site.url, site_id=site_id, extra=extra)
    return run_crawl(site_id, seeds=seeds, db=tmp_path / "archive.db", overrides=FAST, timeout=120)


def crawl_row(db: Path, site_id: str) -> tuple[str, list[str], int]:
    conn = sqlite3.connect(db)
    try:
        outcome, errors = conn.execute(
            "select outcome, errors from crawls where site = ? order by id desc", (site_id,)
        ).fetchone()
        (articles,) = conn.execute("select count(*) from articles where site = ?", (site_id,)).fetchone()
    finally:
        conn.close()
    return outcome, json.loads(errors), articles


def tls10_case() -> object:
    reason = "this Python's OpenSSL cannot serve TLS 1.0, so the old-protocol case cannot be made here"
    skip = pytest.mark.skipif(not tls10_server_possible(), reason=reason)
    return pytest.param("tls10", "LegacyTLSRefused", marks=skip)


def server_for(certificates: Certificates, case: str) -> tuple[ServerCertificate, bool, bool]:
    """The server certificate, TLS 1.0 only or not, and whether the seed names the test CA."""
    return {
        "self_signed": (certificates.self_signed, False, False),
        "expired": (certificates.expired, False, True),  # CA-signed: expiry is the only fault
        "wrong_host": (certificates.wrong_host, False, True),  # CA-signed, for tin-tuc.example.org
        "tls10": (certificates.trusted, True, True),  # a good certificate, but TLS 1.0 only
    }[case]


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("self_signed", "UntrustedCertificate"),
        ("expired", "ExpiredCertificate"),
        ("wrong_host", "WrongHostCertificate"),
        tls10_case(),
    ],
)
def test_a_broken_certificate_or_old_tls_is_a_named_error_unless_that_site_opts_in(
    tmp_path: Path, certificates: Certificates, case: str, error: str
) -> None:
    certificate, tls10, names_ca = server_for(certificates, case)
    ca = f'ca_file = "{certificates.ca_file}"\n' if names_ca else ""
    with TLSFaultSite(server_context(certificate, tls10)) as site:
        strict = crawl_site(site, tmp_path, "strict", extra=ca)
        tried = list(site.handshakes)
        opted_in = crawl_site(site, tmp_path, "opted-in", extra=ca + "insecure_tls = true\n")
        served = site.paths()
    assert tried and not any(h.startswith("ok") for h in tried), tried  # the crawl tried, and was refused
    outcome, errors, articles = crawl_row(tmp_path / "archive.db", "strict")
    assert (strict.outcome, outcome, articles) == ("failed", "failed", 0), errors
    assert f"failure tls: {error} 1" in errors, errors
    assert f"downloader/exception_type_count/crawler.errors.{error}: 1" in errors, errors
    assert not any(e.startswith(("failure connection_lost", "retries_exhausted")) for e in errors), errors
    # The same server, for a site whose seed opts in: archived. The strict site stays refused.
    assert opted_in.ok, opted_in.log_tail
    assert crawl_row(tmp_path / "archive.db", "opted-in") == ("ok", [], 2)
    assert {"/bai-1.html", "/bai-2.html"} <= set(served)


def test_a_site_ca_named_in_the_seed_is_trusted_with_verification_on(
    tmp_path: Path, certificates: Certificates
) -> None:
    with TLSFaultSite(server_context(certificates.trusted)) as site:
        unknown_ca = crawl_site(site, tmp_path, "without-ca")
        trusted = crawl_site(site, tmp_path, "with-ca", extra=f'ca_file = "{certificates.ca_file}"\n')
        handshakes = list(site.handshakes)
    # Verification is on: without the CA the very same server is refused...
    assert unknown_ca.outcome == "failed"
    assert "failure tls: UntrustedCertificate 1" in crawl_row(tmp_path / "archive.db", "without-ca")[1]
    # ...and with it, trusted: the chain and the host (127.0.0.1, an IP SAN) both check out.
    assert trusted.ok, trusted.log_tail
    assert crawl_row(tmp_path / "archive.db", "with-ca") == ("ok", [], 2)
    assert handshakes[-1] in ("ok TLSv1.3", "ok TLSv1.2"), handshakes


def test_only_the_opt_in_allows_legacy_renegotiation_and_old_protocols(certificates: Certificates) -> None:
    strict, legacy = verifying_context(certificates.ca_file), legacy_context()
    # set_options(0) changes nothing and answers the options in force.
    assert not strict.set_options(0) & SSL.OP_LEGACY_SERVER_CONNECT
    assert legacy.set_options(0) & SSL.OP_LEGACY_SERVER_CONNECT
    assert strict.get_verify_mode() & SSL.VERIFY_PEER
    assert legacy.get_verify_mode() == SSL.VERIFY_NONE


def test_the_default_policy_trusts_the_system_trust_store() -> None:
    """A real site's chain ends at a CA of the system's store: the verifying context must find them."""
    now = datetime.now(UTC)
    valid = []
    for der in ssl.create_default_context().get_ca_certs(binary_form=True):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a few old roots break RFC 5280 (a negative serial): not those
            try:
                root = x509.load_der_x509_certificate(der)
            except (ValueError, Warning):
                continue
        if root.not_valid_before_utc <= now <= root.not_valid_after_utc:
            valid.append(root)
    if not valid:
        pytest.skip("this system keeps its CAs in a folder only, which the ssl module does not list")
    context = verifying_context()  # kept in a variable: the store lives inside it
    store = context.get_cert_store()
    assert store is not None
    for root in valid[:3]:
        X509StoreContext(store, X509.from_cryptography(root)).verify_certificate()


def failed_download(wrapper: type[ResponseFailed], reason: BaseException) -> DownloadFailedError:
    """What Scrapy's HTTP/1.1 handler raises when Twisted reports ``reason`` (its wrapping)."""
    try:
        raise DownloadFailedError("download failed") from wrapper([Failure(reason)])
    except DownloadFailedError as error:
        return error


def openssl(reason: str) -> SSL.Error:
    return SSL.Error([("SSL routines", "", reason)])


def test_tls_failures_are_named_and_other_broken_connections_are_left_alone() -> None:
    expired = failed_download(ResponseNeverReceived, ExpiredCertificate("h: the certificate has expired"))
    assert isinstance(tls_error(expired, "h"), ExpiredCertificate)
    old = tls_error(failed_download(ResponseNeverReceived, openssl("unsupported protocol")), "h")
    assert isinstance(old, LegacyTLSRefused) and "insecure_tls" in str(old)
    renegotiation = failed_download(ResponseNeverReceived, openssl("unsafe legacy renegotiation disabled"))
    assert isinstance(tls_error(renegotiation, "h"), LegacyTLSRefused)
    alert = tls_error(failed_download(ResponseNeverReceived, openssl("tlsv1 alert internal error")), "h")
    assert type(alert) is TLSError
    # A connection that broke (mid-body or not) is no TLS verdict: retried and counted as before.
    assert tls_error(failed_download(ResponseFailed, openssl("unexpected eof while reading")), "h") is None
    assert tls_error(failed_download(ResponseFailed, openssl("decryption failed or bad record mac")), "h") is None
    assert tls_error(failed_download(ResponseNeverReceived, ConnectionLost()), "h") is None
