"""Fault sites over TLS on 127.0.0.1: certificates made at test time with ``cryptography``.

:class:`Certificates` makes, in a folder, a test certificate authority and server
certificates for 127.0.0.1: one the CA signed (``trusted``), one that expired
(``expired``, CA-signed), one for another host (``wrong_host``, CA-signed) and one
signed by nobody (``self_signed``). :class:`TLSFaultSite` is a :class:`FaultSite`
whose connections are wrapped in TLS with one of them, optionally TLS 1.0 only (with
``@SECLEVEL=0``, which OpenSSL 3 needs to speak TLS 1.0 at all). Nothing binds off
loopback; nothing is read from or written to the system's trust store.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import warnings
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from faultserver import FaultSite

LOOPBACK = ipaddress.ip_address("127.0.0.1")
HANDSHAKE_SECONDS = 5


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "provnews tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


@dataclass(frozen=True)
class ServerCertificate:
    cert: Path
    key: Path


class Certificates:
    """A test CA and the server certificates of every case, written under ``folder``."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        now = dt.datetime.now(dt.UTC)
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca_name = _name("provnews test CA")
        ca = (
            x509.CertificateBuilder()
            .subject_name(self.ca_name)
            .issuer_name(self.ca_name)
            .public_key(self.ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.ca_key.public_key()), critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )
        self.ca_cert = ca
        self.ca_file = folder / "test-ca.pem"
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        self.trusted = self.server("trusted", "127.0.0.1")
        self.expired = self.server("expired", "127.0.0.1", days=(-60, -30))
        self.wrong_host = self.server("wrong-host", "tin-tuc.example.org")
        self.self_signed = self.server("self-signed", "127.0.0.1", signed=False)

    def server(self, stem: str, host: str, days: tuple[int, int] = (-1, 30), signed: bool = True) -> ServerCertificate:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        subject = _name(host)
        try:
            alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            alt = x509.DNSName(host)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.ca_name if signed else subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=days[0]))
            .not_valid_after(now + dt.timedelta(days=days[1]))
            .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        )
        if signed:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()), critical=False
            )
        cert = builder.sign(self.ca_key if signed else key, hashes.SHA256())
        paths = ServerCertificate(self.folder / f"{stem}.pem", self.folder / f"{stem}.key")
        paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key, paths.key)
        return paths


def _tls10_only(context: ssl.SSLContext) -> None:
    with warnings.catch_warnings():  # "ssl.TLSVersion.TLSv1 is deprecated": the very point here
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 speaks TLS 1.0 only at security level 0


def server_context(certificate: ServerCertificate, tls10_only: bool = False) -> ssl.SSLContext:
    """A server context with ``certificate``; ``tls10_only``: TLS 1.0 and nothing newer."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate.cert, certificate.key)
    if tls10_only:
        _tls10_only(context)
    return context


def tls10_server_possible() -> bool:
    """Whether this Python's OpenSSL can serve TLS 1.0 at all (some builds leave it out)."""
    if not ssl.HAS_TLSv1:
        return False
    try:
        _tls10_only(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    except (ValueError, ssl.SSLError):
        return False
    return True


class TLSFaultSite(FaultSite):
    """A :class:`FaultSite` on https: every accepted connection is wrapped in TLS with ``context``.

    ``handshakes`` records each handshake: ``"ok TLSv1.3"`` or the server's error.
    """

    def __init__(self, context: ssl.SSLContext, links: tuple[int, ...] = (1, 2)) -> None:
        super().__init__("127.0.0.1", links)
        self.context = context
        self.handshakes: list[str] = []

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> TLSFaultSite:
        super().__enter__()
        return self

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = self.socket.accept()
        sock.settimeout(HANDSHAKE_SECONDS)
        try:
            wrapped = self.context.wrap_socket(sock, server_side=True)
        except (ssl.SSLError, OSError) as error:
            self.handshakes.append(f"failed: {error}")
            sock.close()
            raise OSError(f"TLS handshake failed: {error}") from None
        self.handshakes.append(f"ok {wrapped.version()}")
        wrapped.settimeout(None)
        return wrapped, address
