"""Names for test crawls from a hosts table, never from the network.

A test crawl loads :class:`HostsResolver` as Scrapy's DNS resolver, with its table in a
setting (the child needs ``tests/`` on its ``PYTHONPATH``)::

    TWISTED_DNS_RESOLVER = "fakedns.HostsResolver"       # DNS_RESOLVER before Scrapy 2.19
    PROVNEWS_TEST_HOSTS = "tin-tuc.provnews.test=127.0.0.1"
    PROVNEWS_TEST_LOOKUP_LOG = "/tmp/.../lookups.log"

A name in the table resolves to its address; an address resolves to itself; any other
name fails at once as Twisted's ``DNSLookupError`` (NXDOMAIN), without asking anyone.
The crawl process's ``socket.getaddrinfo``, ``gethostbyname`` and ``gethostbyname_ex``
are replaced too: a name outside the table is refused there as well and written to the
lookup log, so a test can assert that nothing asked the system resolver, and so no DNS
query can leave the machine.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scrapy.settings import default_settings as scrapy_defaults
from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer


def hosts_overrides(hosts: dict[str, str], log: Path) -> dict[str, str]:
    """The Scrapy settings of a crawl that resolves names from ``hosts`` only."""
    # Scrapy 2.19 renamed DNS_RESOLVER (still read, with a deprecation warning) to TWISTED_DNS_RESOLVER.
    setting = "TWISTED_DNS_RESOLVER" if hasattr(scrapy_defaults, "TWISTED_DNS_RESOLVER") else "DNS_RESOLVER"
    return {
        setting: "fakedns.HostsResolver",
        "PROVNEWS_TEST_HOSTS": ",".join(f"{name}={address}" for name, address in hosts.items()),
        "PROVNEWS_TEST_LOOKUP_LOG": str(log),
    }


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@implementer(IResolverSimple)
class HostsResolver:
    """Scrapy's ``TWISTED_DNS_RESOLVER`` for tests: the hosts table, or NXDOMAIN."""

    def __init__(self, reactor: Any, hosts: dict[str, str], log: Path | None) -> None:
        self.reactor = reactor
        self.hosts = {name.lower(): address for name, address in hosts.items()}
        self.log = log

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> HostsResolver:
        spec = str(crawler.settings.get("PROVNEWS_TEST_HOSTS", ""))
        hosts = dict(pair.split("=", 1) for pair in spec.split(",") if "=" in pair)
        log = crawler.settings.get("PROVNEWS_TEST_LOOKUP_LOG")
        return cls(reactor, hosts, Path(log) if log else None)

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)
        self.guard_system_resolver()

    def address(self, name: str) -> str | None:
        name = name.lower().rstrip(".")
        return name if _is_address(name) else self.hosts.get(name)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:  # noqa: N802
        address = self.address(name)
        if address is None:
            return defer.fail(DNSLookupError(f"{name}: no such host (the test's hosts table)"))
        return defer.succeed(address)

    def refused(self, name: object) -> socket.gaierror:
        if self.log is not None:
            with self.log.open("a", encoding="utf-8") as file:
                file.write(f"{name!r}\n")
        return socket.gaierror(socket.EAI_NONAME, f"{name}: not in the test's hosts table")

    def guard_system_resolver(self) -> None:
        original_getaddrinfo = socket.getaddrinfo

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode("idna") if isinstance(host, bytes) else host
            address = self.address(name) if isinstance(name, str) else None
            if address is None and name is not None:
                raise self.refused(name)
            return original_getaddrinfo(address, *args, **kwargs)

        def gethostbyname(name: str) -> str:
            address = self.address(name)
            if address is None:
                raise self.refused(name)
            return address

        def gethostbyname_ex(name: str) -> tuple[str, list[str], list[str]]:
            return name, [], [gethostbyname(name)]

        socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
        socket.gethostbyname = gethostbyname
        socket.gethostbyname_ex = gethostbyname_ex
