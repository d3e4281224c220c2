"""Which addresses a webhook may reach, and that a delivery connects to the checked address."""

from __future__ import annotations

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from submissions.webhook_network import (
    Destination,
    DestinationRefused,
    address_allowed,
    destination_resolve,
    pinned_session,
)

REFUSED = [
    # IPv4 special-purpose blocks
    "0.0.0.0",  # noqa: S104 - an address under test, not a binding
    "10.1.2.3", "100.64.0.1", "127.0.0.1", "169.254.169.254", "172.16.0.1", "192.0.0.8",
    "192.0.0.9", "192.0.0.170", "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1",
    "198.51.100.1", "203.0.113.1", "224.0.0.1", "240.0.0.1", "255.255.255.255",
    # IPv6 special-purpose blocks
    "::", "::1", "100::1", "2001:db8::1", "fc00::1", "fd12::1", "fe80::1", "fec0::1", "ff02::1",
    "3fff::1", "5f00::1", "2001:2::1",
    # IPv6 forms that carry an internal IPv4 address
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",
    "::127.0.0.1", "::10.0.0.1", "::8.8.8.8",  # IPv4-compatible, deprecated: refused whatever it carries
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::c000:8",  # NAT64 of internal ones
    "64:ff9b:1::a00:1", "64:ff9b:1::808:808",  # local-use NAT64
    "2002:7f00:1::1", "2002:c0a8:101::1", "2002:a9fe:a9fe::",  # 6to4
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    "2001:0:7f00:1:8000:63bf:f7f7:f7f7",  # Teredo, server 127.0.0.1, client 8.8.8.8
]  # fmt: skip
ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "64:ff9b::808:808",
    "2002:808:808::1",
    "::ffff:8.8.8.8",
]


@pytest.mark.parametrize("address", REFUSED)
def test_it_refuses_every_special_purpose_and_embedded_internal_address(address):
    assert not address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_it_allows_public_addresses_and_translations_of_them(address):
    assert address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "[64:ff9b::7f00:1]"]
)
def test_it_refuses_a_url_whose_host_is_internal(host):
    with pytest.raises(DestinationRefused, match="non-public"):
        destination_resolve(f"http://{host}:8080/hook", allow_private=False)


@pytest.fixture
def receiver():
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append({"host": self.headers["Host"], "path": self.path})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_it_connects_to_the_checked_address_and_sends_the_original_host(receiver):
    # The host name does not resolve at all: the connection cannot have looked it up again.
    port, seen = receiver
    destination = Destination("http", "hooks.example.invalid", port, "/h?x=1", "127.0.0.1")

    with pinned_session(destination, user_agent="test") as http:
        headers = {"Content-Type": "application/json"}
        answer = http.post(destination.url, data=b"{}", headers=headers, timeout=5)
    assert answer.status_code == 204

    assert seen == [{"host": f"hooks.example.invalid:{port}", "path": "/h?x=1"}]


def test_it_resolves_the_name_once(receiver, monkeypatch):
    port, seen = receiver
    lookups: list[str] = []
    real = socket.getaddrinfo

    def counting(host, *args, **kwargs):
        lookups.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    destination = destination_resolve(f"http://localhost:{port}/h", allow_private=True)
    with pinned_session(destination, user_agent="test") as http:
        assert http.post(destination.url, data=b"{}", timeout=5).status_code == 204

    assert lookups == ["localhost"]
    assert seen[0]["host"] == f"localhost:{port}"
