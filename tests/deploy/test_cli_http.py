"""The client's HTTP behaviour around redirects: uploads never turn into GETs, tokens stay home."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from benchcouncil.client.http import ApiClient
from tests.support.deploy_examples import VALID_BUNDLE

TOKEN = "0123456789abcdef"  # noqa: S105 - sent only to the test's own servers


@contextmanager
def _server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_token_is_not_sent_to_another_host_a_redirect_points_at():
    seen: list[str | None] = []

    class Elsewhere(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            seen.append(self.headers.get("Authorization"))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    with _server(Elsewhere) as elsewhere:

        class Redirecting(Elsewhere):
            def do_GET(self) -> None:  # noqa: N802
                seen.append(self.headers.get("Authorization"))
                self.send_response(302)
                self.send_header("Location", f"{elsewhere}/moved")
                self.end_headers()

        with _server(Redirecting) as service:
            client = ApiClient(service, token=TOKEN)
            assert client.get_json("api/v1/thing/") == {}
    assert seen == [f"Token {TOKEN}", None]


def test_links_from_answers_are_kept_on_the_configured_host():
    client = ApiClient("https://rankings.example.org")
    link = "http://web:8000/api/v1/leaderboards/a/b/c/?page=2"
    assert client.same_origin(link) == "https://rankings.example.org/api/v1/leaderboards/a/b/c/?page=2"
    assert client.same_origin("https://evil.example.com/x?y=1") == "https://rankings.example.org/x?y=1"


def test_an_upload_redirected_to_https_stops_with_the_address_to_use(cli):
    requests: list[str] = []

    class ToHttps(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            requests.append(self.command)
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(301)
            self.send_header("Location", "https://rankings.example.org/api/v1/submissions/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    with _server(ToHttps) as service:
        result = cli("submit", str(VALID_BUNDLE), "--url", service)
    assert result.code == 2
    assert "redirected to https://rankings.example.org/api/v1/submissions/" in result.err
    # Not followed as a GET without its body (urllib's default), nor retried.
    assert requests == ["POST"]
