"""The production shape holds slow clients: nginx in front of gunicorn, as in docker/compose.yaml.

Sixteen clients send a request one byte every 1.5 s (half of them their headers, half a body).
Straight at gunicorn (the web image's configuration, with one worker of its four threads, so
that which worker accepts which connection leaves nothing to chance) they hold every thread
and /healthz goes unanswered; through nginx, run from the compose file's own template on
loopback, /healthz answers every probe while the same clients are still sending.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import string
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.e2e_processes import ROOT, Stack, free_port

pytestmark = pytest.mark.proxy

SLOW_CLIENTS = 16
BYTE_EVERY_S = 1.5
PROBES = 6
PROBE_TIMEOUT_S = 2.0
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TEMPLATE = ROOT / "docker" / "nginx.conf.template"


class SlowClients:
    """Connections that each send a request a byte at a time until stopped."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sockets: list[socket.socket] = []
        self.alive: list[bool] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)

    def start(self) -> SlowClients:
        for i in range(SLOW_CLIENTS):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            if i % 2:  # a body that never ends
                head = "POST /api/v1/submissions/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n"
                sock.sendall(f"{head}Content-Type: application/octet-stream\r\n\r\nx".encode())
            else:  # headers that never end
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: x")
            self.sockets.append(sock)
            self.alive.append(True)
        self.thread.start()
        return self

    def _trickle(self) -> None:
        while not self.stop.wait(BYTE_EVERY_S):
            for i, sock in enumerate(self.sockets):
                try:
                    sock.sendall(b"x")
                except OSError:
                    self.alive[i] = False

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def _probe(port: int) -> bool:
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S) as answer:  # noqa: S310 - loopback
            return answer.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _probes(port: int) -> list[bool]:
    results = []
    for _ in range(PROBES):
        results.append(_probe(port))
        time.sleep(0.3)
    return results


def render_nginx_conf(run_dir: Path, *, listen: int, upstream: str, limit: int) -> Path:
    """The compose file's template with this run's values, as the nginx image's envsubst fills it."""
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / folder).mkdir(parents=True, exist_ok=True)
        (run_dir / folder).chmod(0o777)  # nginx's workers drop root, as in the image
    values = {
        "NGINX_RUN_DIR": str(run_dir),
        "NGINX_LISTEN": f"127.0.0.1:{listen}",
        "NGINX_UPSTREAM": upstream,
        "UPLOAD_HARD_LIMIT_BYTES": str(limit),
    }
    conf = run_dir / "nginx.conf"
    conf.write_text(string.Template(TEMPLATE.read_text()).safe_substitute(values))
    return conf


def _web_env(tmp: Path) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "PYTHONPATH")
    return {
        **{k: v for k, v in os.environ.items() if k in keep},
        "DJANGO_SETTINGS_MODULE": "benchcouncil.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "BENCHCOUNCIL_VAR_DIR": str(tmp / "var"),
        "STATIC_ROOT": str(tmp / "static"),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "NUM_PROXIES": "1",
    }


def _wait_for(port: int, stack: Stack) -> None:
    stack.wait_until(f"port {port} to answer /healthz", lambda: _probe(port) or None, timeout=60)


@pytest.fixture
def shape(tmp_path) -> Iterator[tuple[int, int]]:
    """gunicorn as the web image runs it, and nginx in front of it: (gunicorn's port, nginx's)."""
    (tmp_path / "var").mkdir()
    (tmp_path / "static").mkdir()
    stack = Stack(workdir=tmp_path)
    web_port, proxy_port = free_port(), free_port()
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "docker/gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{web_port}",
    ]
    conf = render_nginx_conf(
        tmp_path / "nginx", listen=proxy_port, upstream=f"127.0.0.1:{web_port}", limit=2**29
    )
    try:
        stack.start_long_running("web", [*gunicorn, "benchcouncil.wsgi:application"], _web_env(tmp_path))
        _wait_for(web_port, stack)
        stack.start_long_running(
            "nginx", [NGINX, "-c", str(conf), "-g", "daemon off;"], {"PATH": "/usr/sbin:/usr/bin"}
        )
        _wait_for(proxy_port, stack)
        yield web_port, proxy_port
    finally:
        stack.stop()


def test_slow_clients_starve_gunicorn_alone_but_not_behind_nginx(shape) -> None:
    web_port, proxy_port = shape

    direct = SlowClients(web_port).start()
    try:
        time.sleep(1.0)
        unproxied = _probes(web_port)
    finally:
        direct.close()
    # The threads are held: gunicorn alone cannot serve the probe.
    assert unproxied == [False] * PROBES, unproxied
    time.sleep(2.0)  # the dropped connections free gunicorn's threads again
    assert _probe(web_port)

    slow = SlowClients(proxy_port).start()
    try:
        time.sleep(1.0)
        proxied = _probes(proxy_port)
        held = sum(slow.alive[1::2])
    finally:
        slow.close()
    print(f"/healthz: {unproxied.count(True)}/{PROBES} straight, {proxied.count(True)}/{PROBES} via nginx")
    assert proxied == [True] * PROBES, proxied
    # ...while nginx still holds every slow upload open, buffering it.
    assert held == SLOW_CLIENTS // 2
