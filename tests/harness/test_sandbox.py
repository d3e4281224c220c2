from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ranking.catalogue import Catalogue
from runners.harness import run_job, validate_config
from runners.harness.sandbox import Limits, run_sandboxed

from .conftest import read_mllog

pytestmark = pytest.mark.torch


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_it_scrubs_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SECRET_KEY", "s3cret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cret")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    lines: list[str] = []
    code = "import json, os; print(json.dumps(dict(os.environ)))"
    result = run_sandboxed(_python(code), workdir=tmp_path, time_limit_s=30, on_line=lines.append)
    env = json.loads(lines[-1])
    assert result.returncode == 0
    assert "DJANGO_SECRET_KEY" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert env["HOME"] == str(tmp_path) and env["CUDA_VISIBLE_DEVICES"] == "0"
    assert not {k for k in env if "SECRET" in k or "TOKEN" in k or "PASSWORD" in k}


def test_it_sets_resource_limits(tmp_path: Path) -> None:
    lines: list[str] = []
    code = (
        "import resource as r; print([r.getrlimit(k)[0] for k in "
        "(r.RLIMIT_CORE, r.RLIMIT_FSIZE, r.RLIMIT_NOFILE, r.RLIMIT_AS, r.RLIMIT_CPU)])"
    )
    limits = Limits(address_space_bytes=2**33, cpu_seconds=100, file_size_bytes=2**20, open_files=64)
    run_sandboxed(_python(code), workdir=tmp_path, time_limit_s=30, limits=limits, on_line=lines.append)
    assert json.loads(lines[-1]) == [0, 2**20, 64, 2**33, 100]


def test_it_kills_the_process_group_at_the_time_limit(tmp_path: Path) -> None:
    # The child forks a grandchild; both must be gone once the limit passes.
    pid_file = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, sys, time; "
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        f"open({str(pid_file)!r}, 'w').write(str(p.pid)); time.sleep(60)"
    )
    started = time.monotonic()
    result = run_sandboxed(_python(code), workdir=tmp_path, time_limit_s=2)
    assert result.timed_out and result.returncode != 0
    assert time.monotonic() - started < 15
    grandchild = int(pid_file.read_text())
    time.sleep(0.5)
    assert (
        not Path(f"/proc/{grandchild}").exists()
        or "Z" in Path(f"/proc/{grandchild}/stat").read_text().split()[2]
    )


def test_it_runs_free_level_model_code_in_the_sandbox(catalogue: Catalogue, tmp_path: Path) -> None:
    code = tmp_path / "model.py"
    code.write_text(
        "import os\n"
        "from runners.harness.models import Caser\n"
        "def build_model(num_users, num_items, sequence_length):\n"
        "    assert 'DJANGO_SECRET_KEY' not in os.environ\n"
        "    return Caser(num_users, num_items, sequence_length, dims=16)\n"
    )
    raw = {
        "suite": "aibench-training", "benchmark": "learning-to-rank", "level": "free", "profile": "smoke",
        "device": "cpu", "runs": 1, "max_epochs": 1, "model_code": str(code),
        "hyperparameters": {"opt_base_learning_rate": 0.01},
    }  # fmt: skip
    config, errors = validate_config(raw, catalogue)
    assert errors == [] and config is not None
    events: list[dict[str, Any]] = []
    archive = run_job(config, tmp_path / "out", on_progress=events.append)
    bundle = archive.parent / archive.name.removesuffix(".tar.gz")
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["model"] == "model code model.py" and manifest["per_sample_training_flops"] > 0
    assert [e["key"] for e in read_mllog(bundle / "logs" / "run_1.log")][-1] == "run_stop"
    assert events and events[-1]["state"] == "finished"  # progress relayed from the child
