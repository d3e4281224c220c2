"""Load: 200 concurrent readers on the leaderboards while bundles are being submitted.

    .venv/bin/python benchmarks/load_test.py                 # 5 minutes, 200 clients
    .venv/bin/python benchmarks/load_test.py --duration 60   # a one-minute run

The site runs as production does (gunicorn with docker/gunicorn.conf.py, DEBUG off) on a
scratch database of the PostgreSQL server --database-url names (created and dropped here),
with a private redis-server as the broker and one Celery worker validating the uploads.
Readers (threads, one keep-alive connection each) cycle through the home page, the boards'
pages, their JSON and CSV, and the benchmark list; submitters upload the example bundles
(valid and invalid ones). At the end every accepted upload must exist with its bundle
(sha256 checked on disk) and have reached a final validation status, and no request may
have failed: the script exits 1 otherwise. Figures are printed and written as JSON.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import reliability_stack as rs

BOARDS = [
    "hpc-ai500/image-classification/system",
    "hpc-ai500/extreme-weather/free",
    "aibench-training/image-classification/hardware",
]
READS = ["/", "/api/v1/benchmarks/"] + [
    path for board in BOARDS for path in (f"/leaderboards/{board}/", f"/api/v1/leaderboards/{board}/")
]
READS.append(f"/api/v1/leaderboards/{BOARDS[0]}/csv/")


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def add(self, kind: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors.append(error)


def reader(port: int, stop: threading.Event, tally: Tally, offset: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for path in itertools.islice(itertools.cycle(READS), offset, None):
        if stop.is_set():
            break
        started = time.perf_counter()
        try:
            status, _ = rs.get(port, path, conn)
            error = None if status == 200 else f"{status} {path}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__} {path}"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        kind = "csv" if path.endswith("csv/") else "api" if path.startswith("/api/") else "page"
        tally.add(kind, time.perf_counter() - started, error)
    conn.close()


def submitter(
    port: int, token: str, stop: threading.Event, tally: Tally, accepted: list[str], pause: float
) -> None:
    for name, data in itertools.cycle(rs.example_bundles()):
        if stop.is_set():
            break
        started = time.perf_counter()
        try:
            status, body = rs.upload(port, token, name, data, key=uuid.uuid4().hex)
        except (OSError, http.client.HTTPException) as exc:
            tally.add("upload", time.perf_counter() - started, f"{type(exc).__name__} upload")
            continue
        tally.add("upload", time.perf_counter() - started, None if status == 202 else f"{status} upload")
        if status == 202:
            with tally.lock:
                accepted.append(body["id"])
        stop.wait(pause)


def publish_seed(env: dict[str, str], port: int, token: str) -> None:
    """Give the boards rows: upload each valid example, let it validate, approve it."""
    ids = []
    for name, data in rs.example_bundles():
        status, body = rs.upload(port, token, name, data)
        assert status == 202, body
        ids.append(body["id"])
    database = env["DATABASE_URL"]
    rs.wait_for(
        lambda: all(r["status"] in rs.FINAL for r in rs.submissions_state(database, ids).values()),
        120,
        "seed",
    )
    rs.shell(
        env,
        "import json; from django.contrib.auth.models import User; "
        "from submissions.models import Submission; from submissions.review.services import review_decide; "
        "admin = User.objects.get(username='load-admin'); n = 0\n"
        "for s in Submission.objects.filter(status='awaiting_review'):\n"
        "    review_decide(submission=s, decision='approve', actor=admin, reason='Load test seed.'); n += 1\n"
        "print(json.dumps(n))",
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


def main() -> int:
    args = parse_args()
    print(f"load average at start: {rs.load_average()}", flush=True)
    with rs.stack(keep=args.keep) as st:
        redis = rs.PrivateRedis(st)
        redis.start()
        database = rs.scratch_database(args.database_url, f"benchcouncil_load_{uuid.uuid4().hex[:8]}", st)
        env = rs.service_env(st, database, redis.url)
        rs.prepare(env)
        seeded = rs.seed_users(env, args.submitters + 1)
        port = rs.start_web(st, env, args.workers)
        rs.start_worker(st, env)
        publish_seed(env, port, seeded["tokens"][-1])
        print(f"serving on 127.0.0.1:{port}; {args.clients} readers, {args.submitters} submitters, "
              f"{args.duration} s", flush=True)  # fmt: skip
        tally, accepted, stop = Tally(), [], threading.Event()
        threads = [threading.Thread(target=reader, args=(port, stop, tally, i)) for i in range(args.clients)]
        threads += [
            threading.Thread(target=submitter, args=(port, token, stop, tally, accepted, args.upload_pause))
            for token in seeded["tokens"][: args.submitters]
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.duration)
        load_during = rs.load_average()
        stop.set()
        for thread in threads:
            thread.join(timeout=180)
        elapsed = time.monotonic() - started
        figures = verify(env, st, accepted, args.settle)
        figures.update(summarise(tally, elapsed, load_during, args))
    print(json.dumps(figures, indent=2))
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(figures, indent=2) + "\n")
    ok = figures["errors"] == 0 and figures["lost"] == 0 and figures["not_final"] == 0
    print("RESULT:", "zero errors, zero lost submissions" if ok else "FAILED", flush=True)
    return 0 if ok else 1


def verify(env: dict[str, str], st: rs.Stack, accepted: list[str], settle: float) -> dict[str, object]:
    database, media = env["DATABASE_URL"], Path(env["BENCHCOUNCIL_VAR_DIR"]) / "media"
    waited = time.monotonic()
    try:
        rs.wait_for(
            lambda: all(r["status"] in rs.FINAL for r in rs.submissions_state(database, accepted).values()),
            settle,
            "validation of every accepted upload",
            every=1,
        )
    except RuntimeError as exc:
        print(exc, flush=True)
    rows = rs.submissions_state(database, accepted)
    statuses = defaultdict(int)
    for row in rows.values():
        statuses[row["status"]] += 1
    return {
        "uploads_accepted": len(accepted),
        "uploads_stored_with_intact_bundle": sum(rs.bundle_intact(media, r) for r in rows.values()),
        "lost": len(set(accepted) - set(rows)) + sum(not rs.bundle_intact(media, r) for r in rows.values()),
        "not_final": sum(r["status"] not in rs.FINAL for r in rows.values()),
        "final_statuses": dict(statuses),
        "drain_after_load_s": round(time.monotonic() - waited, 1),
    }


def summarise(tally: Tally, elapsed: float, load_during: str, args: argparse.Namespace) -> dict[str, object]:
    reads = [s for kind in ("page", "api", "csv") for s in tally.latencies[kind]]
    per_kind = {
        kind: {
            "requests": len(values),
            "p50_ms": round(pct(values, 0.5) * 1000, 1),
            "p99_ms": round(pct(values, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else None,
        }
        for kind, values in sorted(tally.latencies.items())
    }
    return {
        "clients": args.clients,
        "submitters": args.submitters,
        "duration_s": round(elapsed, 1),
        "read_requests": len(reads),
        "read_throughput_rps": round(len(reads) / elapsed, 1),
        "read_p50_ms": round(pct(reads, 0.5) * 1000, 1),
        "read_p99_ms": round(pct(reads, 0.99) * 1000, 1),
        "per_kind": per_kind,
        "errors": len(tally.errors),
        "error_samples": sorted(set(tally.errors))[:10],
        "load_average_during": load_during,
        "load_average_after": rs.load_average(),
        "cpus": __import__("os").cpu_count(),
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=300, help="seconds of load (default 300)")
    parser.add_argument("--clients", type=int, default=200, help="concurrent readers (default 200)")
    parser.add_argument("--submitters", type=int, default=2, help="concurrent uploaders (default 2)")
    parser.add_argument(
        "--upload-pause", type=float, default=1.0, help="seconds between one submitter's uploads"
    )
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the image's)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--settle", type=float, default=300, help="seconds to wait for validation to drain")
    parser.add_argument("--output", default=str(rs.ROOT / "benchmarks" / "results" / "load_test.json"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs) afterwards")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
