"""Faults: kill the validation worker, the broker, a runner mid-job; restart PostgreSQL mid-intake.

    .venv/bin/python benchmarks/fault_injection.py              # every fault
    .venv/bin/python benchmarks/fault_injection.py --skip-runner  # without the PyTorch runner

Everything runs privately on loopback: a PostgreSQL cluster made by initdb in a temporary
folder (restarted with pg_ctl), a redis-server on a free port (SIGKILLed and started again),
gunicorn with the production configuration, a Celery worker (SIGKILLed mid-validation) and,
unless --skip-runner, a runner worker (SIGKILLed mid-job). The shared Redis and PostgreSQL of
the machine are never touched.

Clients upload with an Idempotency-Key and retry with the same key until they get an answer,
as benchcouncil's CLI does. Recovery uses the service's own repairs: the stuck-submission
sweep (submissions.sweeps, run here with a few seconds' threshold instead of beat's minutes)
and the lost-job sweep (runners.services.job_sweep_lost, with a short heartbeat timeout).

Afterwards every accepted submission must have completed validation or failed visibly with a
reason, its bundle intact on disk, once: no upload lost, none stored twice. Exit 1 otherwise.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tarfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import reliability_stack as rs

SWEEP_AFTER_S = 3.0


@dataclass
class Uploads:
    """What the clients did: attempts, the answers they got, the submissions they were given."""

    bundles: int = 0
    attempts: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    accepted: dict[str, str] = field(default_factory=dict)  # idempotency key -> submission id
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, port: int, token: str, bundles: list[tuple[str, bytes]], pause: float = 0.3) -> None:
        for name, data in bundles:
            key = uuid.uuid4().hex
            with self.lock:
                self.bundles += 1
            for _ in range(120):  # about a minute of retries with the same key
                with self.lock:
                    self.attempts += 1
                try:
                    status, body = rs.upload(port, token, name, data, key=key)
                except OSError as exc:
                    status, body = 0, {"error": type(exc).__name__}
                if status in (200, 202):
                    with self.lock:
                        self.accepted[key] = body["id"]
                    break
                with self.lock:
                    label = str(status or body.get("error"))
                    self.failures[label] = self.failures.get(label, 0) + 1
                time.sleep(0.5)
            time.sleep(pause)


def slow_bundle(lines: int) -> tuple[str, bytes]:
    """A valid bundle whose logs carry `lines` lines of framework output each: seconds to check."""
    source = rs.EXAMPLES / "aibench-image-classification-hardware.tar.gz"
    rng = random.Random(7)  # noqa: S311 - filler text, not secrets
    with tarfile.open(source, "r:gz") as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
    filler = "".join(f"step {i} loss {rng.random():.6f}\n" for i in range(lines)).encode()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=1) as tar:
        for name, body in files.items():
            body = filler + body if name.startswith("logs/") else body
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return "slow.tar.gz", raw.getvalue()


class Faults:
    def __init__(self, args: argparse.Namespace, st: rs.Stack) -> None:
        self.args, self.st = args, st
        self.pg, self.redis = rs.PrivatePostgres(st), rs.PrivateRedis(st)
        self.pg.init()
        self.redis.start()
        self.env = rs.service_env(st, self.pg.url, self.redis.url)
        rs.prepare(self.env)
        self.token = rs.seed_users(self.env, 1)["tokens"][0]
        self.port = rs.start_web(st, self.env, workers=2)
        self.worker = rs.start_worker(st, self.env)
        self.media = Path(self.env["BENCHCOUNCIL_VAR_DIR"]) / "media"
        self.results: dict[str, Any] = {}

    # --- helpers

    def states(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        return rs.submissions_state(self.pg.url, ids)

    def recover(self, ids: list[str], since: float, timeout: float = 300) -> float:
        """Sweep until every submission is final; the seconds from the fault until then."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.states(ids)
            if len(rows) == len(ids) and all(r["status"] in rs.FINAL for r in rows.values()):
                return time.monotonic() - since
            time.sleep(SWEEP_AFTER_S)
            try:
                rs.sweep_stuck(self.env, older_than_s=SWEEP_AFTER_S)
            except RuntimeError as exc:  # the database may still be coming back
                print(f"  sweep failed, retrying: {str(exc).splitlines()[-1][:120]}", flush=True)
        return float("nan")

    def account(self, name: str, uploads: Uploads, recovery_s: float, **extra: Any) -> None:
        ids = list(uploads.accepted.values())
        rows = self.states(ids)
        statuses: dict[str, int] = {}
        for row in rows.values():
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
        stored = rs.count_rows(self.pg.url, "SELECT count(*) FROM submissions_submission")
        figures = {
            "submitted": uploads.bundles or len(ids),
            "attempts": uploads.attempts,
            "failed_attempts": uploads.failures,
            "accepted": len(ids),
            "completed": sum(r["status"] in rs.FINAL for r in rows.values()),
            "final_statuses": statuses,
            "failed_visibly": sum(r["status"] == "invalid" and bool(r["reason"]) for r in rows.values()),
            "lost": len(set(ids) - set(rows))
            + sum(not rs.bundle_intact(self.media, r) for r in rows.values()),
            "duplicated": len(ids) - len(set(ids)),
            "rows_in_database": stored,
            "recovery_s": round(recovery_s, 1),
            **extra,
        }
        self.results[name] = figures
        print(f"{name}: {json.dumps(figures)}", flush=True)

    # --- the faults

    def worker_killed_mid_validation(self) -> None:
        name, data = slow_bundle(self.args.slow_lines)
        uploads = Uploads()
        uploads.run(self.port, self.token, [(name, data)] * 3, pause=0)
        ids = list(uploads.accepted.values())
        rs.wait_for(
            lambda: any(r["status"] == "validating" for r in self.states(ids).values()), 120, "validating"
        )
        caught = [i for i, r in self.states(ids).items() if r["status"] == "validating"]
        fault = time.monotonic()
        self.worker.kill()
        print(f"worker SIGKILLed while validating {caught}", flush=True)
        self.worker = rs.start_worker(self.st, self.env)
        self.account("worker_sigkill", uploads, self.recover(ids, fault), killed_mid_validation=len(caught))

    def during_uploads(self, case: str, inject: Callable[[float], None]) -> None:
        """Upload the examples three times over, inject a fault once two are in, account."""
        uploads = Uploads()
        bundles = [b for b in rs.example_bundles()] * 3
        thread = threading.Thread(target=uploads.run, args=(self.port, self.token, bundles))
        thread.start()
        rs.wait_for(lambda: len(uploads.accepted) >= 2, 60, "first uploads")
        fault = time.monotonic()
        inject(fault)
        thread.join()
        ids = list(uploads.accepted.values())
        self.account(case, uploads, self.recover(ids, fault))

    def broker_killed(self) -> None:
        def kill_redis(fault: float) -> None:
            self.redis.kill()
            print("redis-server SIGKILLed", flush=True)
            time.sleep(self.args.outage)
            self.redis.start()
            print(f"redis-server back after {time.monotonic() - fault:.1f} s", flush=True)

        self.during_uploads("broker_sigkill", kill_redis)

    def postgres_restarted(self) -> None:
        def restart_postgres(fault: float) -> None:
            self.pg.restart()
            print(f"PostgreSQL restarted in {time.monotonic() - fault:.1f} s", flush=True)

        self.during_uploads("postgres_restart", restart_postgres)

    def runner_killed_mid_job(self) -> None:
        host_token = rs.shell(
            self.env,
            "import json; from runners.services import runner_host_register; "
            "print(json.dumps(runner_host_register(name='fault-host', pool='default')[1]))",
        )
        runner_env = {
            **self.env,
            "RUNNER_SERVICE_URL": f"http://127.0.0.1:{self.port}",
            "RUNNER_HOST_TOKEN": host_token,
            "RUNNER_BROKER_URL": self.redis.url,
            "RUNNER_HEARTBEAT_INTERVAL_S": "1",
            "RUNNER_WORK_DIR": str(self.st.workdir),
        }
        command = [str(rs.BIN / "celery"), "-A", "runners.worker.celery", "worker", "-Q", "runner.default"]
        command += [
            "-c",
            "1",
            "-n",
            f"runner-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        runner = self.st.spawn("runner", command, runner_env)
        body = {"suite": "aibench-training", "benchmark": "learning-to-rank", "level": "hardware"}
        body.update({"organization": "load-org", "max_epochs": 2})
        job_id = self._post_job(body)
        sql = "SELECT status, attempt, submission_id::text, failure_reason FROM runners_job WHERE id = %s"

        def job() -> tuple[Any, ...]:
            import psycopg

            with psycopg.connect(self.pg.url) as conn:
                return conn.execute(sql, (job_id,)).fetchone()

        rs.wait_for(lambda: job()[0] == "running", 300, "the job to run")
        time.sleep(2)  # well into training
        fault = time.monotonic()
        runner.kill()
        print("runner SIGKILLed mid-job", flush=True)
        time.sleep(4)  # longer than the heartbeat timeout the sweep is given below
        sweep_env = {**self.env, "RUNNER_HEARTBEAT_TIMEOUT_S": "3"}
        swept = rs.shell(
            sweep_env,
            "import json; from runners.services import job_sweep_lost; "
            "print(json.dumps(len(job_sweep_lost())))",
        )
        self.st.spawn("runner2", command, runner_env)
        status, attempt, submission_id, reason = rs.wait_for(
            lambda: (row := job())[0] in ("finished", "failed") and row, 600, "the re-queued job"
        )
        ids = [submission_id] if submission_id else []
        recovery = self.recover(ids, fault) if ids else time.monotonic() - fault
        uploads = Uploads(accepted={"job": submission_id} if submission_id else {})
        job_figures = {"job_status": status, "job_attempts": attempt, "lost_jobs_swept": swept}
        self.account("runner_sigkill", uploads, recovery, **job_figures, job_failure_reason=reason or None)

    def _post_job(self, body: dict[str, Any]) -> str:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        conn.request("POST", "/api/v1/model-submissions/", body=json.dumps(body), headers=headers)
        response = conn.getresponse()
        answer = json.loads(response.read())
        if response.status not in (200, 201, 202):
            raise RuntimeError(f"model submission refused: {response.status} {answer}")
        return str(answer["id"])


def main() -> int:
    args = parse_args()
    print(f"load average at start: {rs.load_average()}", flush=True)
    with rs.stack(keep=args.keep) as st:
        faults = Faults(args, st)
        faults.worker_killed_mid_validation()
        faults.broker_killed()
        faults.postgres_restarted()
        if not args.skip_runner:
            faults.runner_killed_mid_job()
        results = faults.results
    results["load_average_after"] = rs.load_average()
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    phases = [v for v in results.values() if isinstance(v, dict)]
    ok = all(p["lost"] == 0 and p["duplicated"] == 0 and p["completed"] == p["accepted"] for p in phases)
    print("RESULT:", "nothing lost or duplicated; every submission final" if ok else "FAILED", flush=True)
    return 0 if ok else 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skip-runner", action="store_true", help="leave out the runner (PyTorch) fault")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds the broker stays down")
    parser.add_argument(
        "--slow-lines", type=int, default=800_000, help="filler lines per log of the slow bundle"
    )
    parser.add_argument("--output", default=str(rs.ROOT / "benchmarks" / "results" / "fault_injection.json"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs) afterwards")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
