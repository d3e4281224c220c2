"""benchcouncil_http: the retry loop and streamed uploads that the CLI, runners and webhooks share."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchcouncil_http import Retrying, StatusError, multipart_body, send, session


@contextmanager
def _server(statuses: list[int], seen: list[bytes]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen.append(self.headers.get("Content-Type", "").encode() + b"\r\n\r\n" + body)
            status = statuses.pop(0) if statuses else 200
            self.send_response(status)
            self.send_header("Retry-After", "7")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/upload"
    finally:
        server.shutdown()
        server.server_close()


def _retrying(slept: list[float], told: list[str]) -> Retrying:
    return Retrying(retries=3, backoff_s=0.01, on_retry=told.append, sleep=slept.append)


def test_it_sends_the_whole_file_again_on_each_retry_and_honours_retry_after(tmp_path: Path):
    bundle = tmp_path / "bundle.tar.gz"
    bundle.write_bytes(bytes(range(256)) * 4096)
    seen: list[bytes] = []
    slept: list[float] = []
    told: list[str] = []
    with _server([503, 503], seen) as url:
        body = multipart_body({"title": "t"}, {"bundle": bundle})
        answer = send(session("test"), "POST", url, timeout=10, retrying=_retrying(slept, told), body=body)
    assert answer.status == 200
    assert len(seen) == 3 and slept == [7.0, 7.0]
    assert told[0].endswith("HTTP 503; retry 1/3 in 7.0s")
    for raw in seen:
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + raw)
        parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
        assert parts["bundle"].get_filename() == "bundle.tar.gz"
        assert parts["bundle"].get_payload(decode=True) == bundle.read_bytes()
        assert parts["title"].get_payload(decode=True) == b"t"


def test_a_request_that_may_have_been_processed_is_not_retried_unless_idempotent():
    seen: list[bytes] = []
    with _server([500], seen) as url, pytest.raises(StatusError) as raised:
        send(session("test"), "POST", url, timeout=10, retrying=_retrying([], []), idempotent=False)
    assert raised.value.answer.status == 500 and len(seen) == 1
