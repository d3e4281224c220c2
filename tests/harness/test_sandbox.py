"""The bubblewrap sandbox: what a sandboxed process sees, may do, and how it ends.

These run the real bwrap (Debian's bubblewrap, installed by `make test`); a host without a
working one fails here rather than skipping, since free-level model code depends on it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from catalogue import Catalogue
from runners.harness import run_job, validate_config
from runners.harness import sandbox as sandbox_module
from runners.harness.compliance import check_log
from runners.harness.config import JobConfig
from runners.harness.sandbox import Limits, SandboxError, SandboxUnavailable, run_sandboxed, sandbox_problem
from tests.support.hostile_model_code import DOT_MODEL
from tests.support.mllog import read_mllog

pytestmark = pytest.mark.torch


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _run(code: str, scratch: Path, **kwargs: Any) -> tuple[Any, list[str]]:
    lines: list[str] = []
    result = run_sandboxed(_python(code), scratch=scratch, time_limit_s=60, on_line=lines.append, **kwargs)
    return result, lines


def _model_code_job(catalogue: Catalogue, tmp_path: Path, source: str, **settings: Any) -> JobConfig:
    """A checked free-level smoke job on the CPU whose model code is ``source``."""
    code = tmp_path / "model.py"
    code.write_text(source)
    raw = {
        "suite": "aibench-training", "benchmark": "learning-to-rank", "level": "free", "profile": "smoke",
        "device": "cpu", "model_code": str(code), **settings,
    }  # fmt: skip
    config, errors = validate_config(raw, catalogue)
    assert errors == [] and config is not None, errors
    return config


def test_the_host_has_a_working_sandbox() -> None:
    assert sandbox_problem() is None


def test_it_scrubs_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SECRET_KEY", "s3cret")
    monkeypatch.setenv("RUNNER_HOST_TOKEN", "bcrh_s3cret")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    result, lines = _run("import json, os; print(json.dumps(dict(os.environ)))", tmp_path)
    env = json.loads(lines[-1])
    assert result.returncode == 0
    assert "DJANGO_SECRET_KEY" not in env and "RUNNER_HOST_TOKEN" not in env
    assert env["HOME"] == "/scratch" and env["CUDA_VISIBLE_DEVICES"] == "0"
    assert not {k for k in env if "SECRET" in k or "TOKEN" in k or "PASSWORD" in k}


def test_it_sets_resource_limits(tmp_path: Path) -> None:
    code = (
        "import resource as r; print([r.getrlimit(k)[0] for k in "
        "(r.RLIMIT_CORE, r.RLIMIT_FSIZE, r.RLIMIT_NOFILE, r.RLIMIT_AS, r.RLIMIT_CPU)])"
    )
    limits = Limits(address_space_bytes=2**33, cpu_seconds=100, file_size_bytes=2**20, open_files=64)
    _, lines = _run(code, tmp_path, limits=limits)
    assert json.loads(lines[-1]) == [0, 2**20, 64, 2**33, 100]


def test_it_gives_its_own_user_pid_and_network_namespaces_and_a_read_only_system(tmp_path: Path) -> None:
    code = (
        "import json, os, socket\n"
        "def write(path):\n"
        "    try:\n"
        "        open(path, 'w').write('x'); return 'written'\n"
        "    except OSError as e: return e.strerror\n"
        "pids = sorted(p for p in os.listdir('/proc') if p.isdigit())\n"
        "print(json.dumps({'uid': os.getuid(), 'pids': pids,\n"
        "  'interfaces': [n for _, n in socket.if_nameindex()], 'root': sorted(os.listdir('/')),\n"
        f"  'usr': write('/usr/x'), 'outside': write({str(tmp_path.parent / 'outside.txt')!r}),\n"
        "  'scratch': write('/scratch/inside.txt'), 'tmp': write('/tmp/x')}))\n"
    )
    _, lines = _run(code, tmp_path)
    seen = json.loads(lines[-1])
    assert seen["uid"] == 65534 and len(seen["pids"]) <= 3  # bwrap's init and this process
    assert seen["interfaces"] == ["lo"]
    assert "home" not in seen["root"] and "var" not in seen["root"]
    assert seen["usr"] == "Read-only file system" and seen["outside"] == "No such file or directory"
    assert seen["scratch"] == "written" and (tmp_path / "inside.txt").exists()
    assert not (tmp_path.parent / "outside.txt").exists()


def test_it_kills_every_process_of_the_sandbox_at_the_time_limit(tmp_path: Path) -> None:
    marker = f"sleeper-{os.getpid()}-{time.monotonic_ns()}"
    code = (
        "import subprocess, sys, time; "
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', {marker!r}]); time.sleep(60)"
    )
    started = time.monotonic()
    result = run_sandboxed(_python(code), scratch=tmp_path, time_limit_s=3)
    assert result.timed_out and result.returncode != 0
    assert time.monotonic() - started < 20
    time.sleep(0.5)
    alive = [p for p in Path("/proc").glob("[0-9]*/cmdline") if marker.encode() in _read(p)]
    assert alive == []


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_it_refuses_model_code_where_bubblewrap_is_missing(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(sandbox_module.BWRAP_ENV, str(tmp_path / "no-bwrap"))
    source = "def build_model(num_users, num_items, sequence_length):\n    raise SystemExit\n"
    config = _model_code_job(catalogue, tmp_path, source, runs=1, max_epochs=1)
    with pytest.raises(SandboxUnavailable, match="runs only inside the sandbox.*bwrap.*not installed"):
        run_job(config, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_it_runs_free_level_model_code_in_the_sandbox(catalogue: Catalogue, tmp_path: Path) -> None:
    source = (
        "import os\n"
        "from runners.harness.networks import Caser\n"
        "def build_model(num_users, num_items, sequence_length):\n"
        "    assert os.environ['HOME'] == '/scratch'\n"
        "    return Caser(num_users, num_items, sequence_length, dims=16)\n"
    )
    hyper = {"opt_base_learning_rate": 0.01}
    config = _model_code_job(catalogue, tmp_path, source, runs=1, max_epochs=1, hyperparameters=hyper)
    events: list[dict[str, Any]] = []
    archive = run_job(config, tmp_path / "out", on_progress=events.append)
    bundle = archive.parent / archive.name.removesuffix(".tar.gz")
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["model"] == "model code model.py" and manifest["per_sample_training_flops"] > 0
    assert len(manifest["model_code_sha256"]) == 64
    assert [e["key"] for e in read_mllog(bundle / "logs" / "run_1.log")][-1] == "run_stop"
    assert events and events[-1]["state"] == "finished"  # measured and reported by this process
    # The trusted side writes the log as for a registered model: MLPerf's checker passes it.
    [verdict] = check_log(bundle / "logs" / "run_1.log")
    assert verdict.passed, verdict.messages


def test_a_cancelled_model_code_job_ends_its_sandboxes_and_keeps_the_measured_runs(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sandboxes' scratch directories under tmp_path: their bwrap command lines name it.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    source = (
        "from runners.harness.networks import Caser\n"
        "def build_model(num_users, num_items, sequence_length):\n"
        "    return Caser(num_users, num_items, sequence_length, dims=8)\n"
    )
    config = _model_code_job(catalogue, tmp_path, source, runs=2, max_epochs=5)
    events: list[dict[str, Any]] = []
    running: list[Path] = []

    def on_progress(event: dict[str, Any]) -> None:
        events.append(event)
        running.extend(_processes_naming(tmp_path))  # the sandboxes, while the job runs

    archive = run_job(config, tmp_path / "out", on_progress=on_progress, should_stop=lambda: bool(events))
    bundle = archive.parent / archive.name.removesuffix(".tar.gz")
    log = read_mllog(bundle / "logs" / "run_1.log")
    assert [e["key"] for e in log].count("eval_accuracy") == 1
    assert log[-1]["key"] == "run_stop" and log[-1]["metadata"]["status"] == "aborted"
    assert not (bundle / "logs" / "run_2.log").exists() and events[-1]["state"] == "cancelled"
    time.sleep(0.5)
    assert running and _processes_naming(tmp_path) == []


def _processes_naming(path: Path) -> list[Path]:
    return [p for p in Path("/proc").glob("[0-9]*/cmdline") if str(path).encode() in _read(p)]


SWAPPING_MODEL = (
    DOT_MODEL
    + """

# Hand over a model with many FLOPs first (the job's figure), then the small one it trains.
_script, _handovers = torch.jit.script, []


def _swapping(model, *args, **kwargs):
    if isinstance(model, Dot):
        _handovers.append(model)
        if len(_handovers) == 1:
            model = Dot(model.users.num_embeddings, model.items.num_embeddings - 1, 512)
    return _script(model, *args, **kwargs)


torch.jit.script = _swapping


def build_model(num_users, num_items, sequence_length):
    return Dot(num_users, num_items, 8)
"""
)


def test_a_model_swapped_between_handovers_fails_the_job(catalogue: Catalogue, tmp_path: Path) -> None:
    config = _model_code_job(catalogue, tmp_path, SWAPPING_MODEL, runs=1, max_epochs=2)
    with pytest.raises(SandboxError, match="the handed-over model changed"):
        run_job(config, tmp_path / "out")
