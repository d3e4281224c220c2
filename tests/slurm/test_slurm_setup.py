"""Where Slurm cannot run, the Slurm tests say why (and CI, with CI=true, fails instead)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import slurm_cluster

ROOT = Path(__file__).resolve().parents[2]


def test_it_names_the_missing_packages(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))

    reason = slurm_cluster.why_unavailable()

    assert reason is not None
    assert reason.startswith("Slurm is not installed (munged, mungekey, slurmctld, slurmd, sbatch")
    assert "install the Debian packages slurm-wlm munge (`make slurm`)" in reason


def run_slurm_tests(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    """The Slurm tests in a pytest of their own, on a machine whose PATH has no Slurm."""
    bare = tmp_path / "bin"
    bare.mkdir(exist_ok=True)
    env = {**os.environ, "PATH": str(bare), "CI": ci, "PYTHONPATH": str(ROOT)}
    test = (
        "tests/slurm/test_slurm_states.py::test_it_reads_a_real_scontrol_answer_and_knows_a_job_slurm_forgot"
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", test]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
    )


def test_it_skips_with_the_reason_outside_ci_and_fails_in_ci(tmp_path):
    local = run_slurm_tests(tmp_path, "")
    ci = run_slurm_tests(tmp_path, "true")

    assert local.returncode == 0 and "1 skipped" in local.stdout, local.stdout[-2000:]
    assert "Slurm runner tests not run: Slurm is not installed" in local.stdout
    assert ci.returncode == 1 and "1 error" in ci.stdout, ci.stdout[-2000:]
    assert "CI must run the Slurm runner tests, but Slurm is not installed" in ci.stdout
