"""A TCP relay on 127.0.0.1 in front of the live server that fails on purpose, then relays.

It stands for the network and the load balancer between a CI job and the service: it can
drop the answer to a request the server already handled (the client sees the connection
reset), or answer 503 itself as a proxy does while the service restarts. The service behind
it is the real one.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

BUSY = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@dataclass
class Relay:
    upstream: tuple[str, int]
    # One entry per connection, in order: "drop" (forward, discard the answer), "busy" (503);
    # connections past the list are relayed untouched.
    faults: list[str]
    url: str = ""
    connections: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, client: socket.socket) -> None:
        with self._lock:
            fault = self.faults[self.connections] if self.connections < len(self.faults) else ""
            self.connections += 1
        with client:
            if fault == "busy":
                _read_request(client)
                client.sendall(BUSY)
                return
            with socket.create_connection(self.upstream, timeout=30) as server:
                server.sendall(_read_request(client))
                answer = _read_all(server)
                if fault == "drop":
                    return  # the server did the work; the client never hears of it
                client.sendall(answer)


def _read_request(sock: socket.socket) -> bytes:
    """Headers, then as many body bytes as Content-Length says."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _read_all(sock: socket.socket) -> bytes:
    # The client sends `Connection: close`, so the server closes after its answer.
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


@contextmanager
def flaky_relay(upstream_url: str, faults: list[str]) -> Iterator[Relay]:
    parts = urlsplit(upstream_url)
    relay = Relay(upstream=(parts.hostname or "127.0.0.1", parts.port or 80), faults=list(faults))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    relay.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=relay.handle, args=(client,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield relay
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
