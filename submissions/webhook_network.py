"""Where a webhook may be delivered, and a connection to exactly the address that was checked.

Endpoints are chosen by organization managers: without these rules an endpoint could reach
the service's own network (SSRF) and its answer would be read back in the delivery log.

- An address is allowed only if it is in no special-purpose block of the IANA IPv4 and IPv6
  registries (RFC 6890 and successors) and Python counts it as global.
- An IPv6 address that carries an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64
  64:ff9b::/96, 6to4 2002::/16, Teredo 2001::/32) is judged by that IPv4 address too; the
  local-use NAT64 prefix 64:ff9b:1::/48, whose embedding depends on the operator, and the
  deprecated IPv4-compatible form ::/96 are refused whatever they carry.
- The name is resolved once. Every address it resolves to must be allowed, and the connection
  goes to the first of them with the original host in the Host header and in TLS SNI (and
  certificate check): no second lookup, so a name cannot answer public to the check and
  private to the connection (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from benchcouncil_http import session

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4_SPECIAL = [
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24",
        "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
    )
]  # fmt: skip
_V6_SPECIAL = [
    ipaddress.IPv6Network(n)
    for n in (
        "::/96", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
        "2002::/16", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
]  # fmt: skip
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Blocks above that only carry an IPv4 address: a public embedded address is allowed.
_CARRIERS = [ipaddress.IPv6Network("2002::/16"), ipaddress.IPv6Network("::ffff:0:0/96"), _NAT64]


class DestinationRefused(Exception):
    """The endpoint resolves to an address the service must not call."""


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 address carries, by the standard embeddings."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in _NAT64 or address in _COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def address_allowed(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv4Address):
        return address.is_global and not any(address in block for block in _V4_SPECIAL)
    if address.scope_id:
        return False  # a link-local zone: never another host on the internet
    carried = embedded_ipv4(address)
    if any(not address_allowed(v4) for v4 in carried):
        return False
    if carried and any(address in block for block in _CARRIERS):
        return True  # a translation of public IPv4 addresses
    return address.is_global and not any(address in block for block in _V6_SPECIAL)


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    path: str
    address: str

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.path}"


def destination_resolve(url: str, *, allow_private: bool) -> Destination:
    """Check the URL and resolve its host once; the answer names the address to connect to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused(f"Not an http(s) URL: {url}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise OSError(f"Cannot resolve {parts.hostname}: {exc}") from exc
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise OSError(f"Cannot resolve {parts.hostname}: no address")
    if not allow_private and not all(address_allowed(a) for a in addresses):
        raise DestinationRefused(f"{parts.hostname} resolves to a non-public address.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, parts.hostname, port, path, str(addresses[0]))


def _connect(address: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to an address literal (no resolver call at all)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((address, port))
    except OSError:
        sock.close()
        raise
    return sock


class _Pinned:
    """A urllib3 connection to the checked address; Host, SNI and the certificate check use
    the host name the pool was made for."""

    port: int
    timeout: Any

    def __init__(self, *args: Any, pinned_address: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pinned_address = pinned_address

    def _new_conn(self) -> socket.socket:
        timeout = self.timeout if isinstance(self.timeout, int | float) else None
        return _connect(self.pinned_address, self.port, timeout)


class _PinnedHTTPConnection(_Pinned, urllib3.connection.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_Pinned, urllib3.connection.HTTPSConnection):
    pass


class _PinnedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class _PinnedAdapter(HTTPAdapter):
    """Every request through it goes to one address, whatever its URL's host resolves to."""

    def __init__(self, address: str) -> None:
        super().__init__(max_retries=0)
        self.address = address
        self._pools: list[urllib3.HTTPConnectionPool] = []

    def get_connection_with_tls_context(
        self, request: Any, verify: Any, proxies: Any = None, cert: Any = None
    ) -> urllib3.HTTPConnectionPool:
        host, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        pool: urllib3.HTTPConnectionPool
        if host["scheme"] == "https":
            port = host["port"] or 443
            pool = _PinnedHTTPSPool(host["host"], port, pinned_address=self.address, **pool_kwargs)
        else:
            pool = _PinnedHTTPPool(host["host"], host["port"] or 80, pinned_address=self.address)
        self._pools.append(pool)
        return pool

    def close(self) -> None:
        for pool in self._pools:
            pool.close()
        super().close()


def pinned_session(destination: Destination, *, user_agent: str) -> requests.Session:
    """A session that connects only to the checked address, through no proxy, following no
    redirect."""
    http = session(user_agent, trust_env=False, redirects=False)
    # The answer is logged as it came, not decompressed from whatever the endpoint chose.
    del http.headers["Accept-Encoding"]
    adapter = _PinnedAdapter(destination.address)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http
