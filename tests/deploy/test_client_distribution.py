"""The client alone, as docs/ci.md installs it: a fresh virtual environment, `pip install ./client`,
none of the service's dependencies, and the documented workflow's steps run as written against a
live server."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tarfile

import pytest

from submissions.models import Membership, Organization
from tests.support.doc_commands import ROOT, block_with, workflow_steps

CI = "docs/ci.md"
SERVER_PACKAGES = ("django", "celery", "boto3", "psycopg", "djangorestframework", "gunicorn")

pytestmark = pytest.mark.django_db(transaction=True)


def run(script: str, cwd, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    # As GitHub Actions runs a step: bash, stopping at the first failing command.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def client_venv(tmp_path_factory):
    """A fresh venv with the client installed by the documented line, from the repository's root."""
    venv = tmp_path_factory.mktemp("client") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    install = block_with(CI, "pip install")
    assert install == "pip install ./client"
    installed = run(install, ROOT, env)
    assert installed.returncode == 0, installed.stderr[-3000:]
    return venv, env


def test_it_installs_without_the_services_dependencies(client_venv):
    venv, env = client_venv
    listed = run("pip list --format=json", ROOT, env)
    names = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert "benchcouncil-client" in names
    assert not names & set(SERVER_PACKAGES), names & set(SERVER_PACKAGES)
    helped = run("benchcouncil --help", "/", env)
    assert helped.returncode == 0 and "review" in helped.stdout, helped.stderr
    assert (venv / "bin" / "benchcouncil").exists()


def test_the_workflows_steps_run_as_written(client_venv, live_server, owner, token, tmp_path):
    _, env = client_venv
    lab = Organization.objects.create(name="My Lab", slug="my-lab")
    Membership.objects.create(organization=lab, user=owner)
    workspace = tmp_path / "workspace"
    (workspace / "results").mkdir(parents=True)
    with tarfile.open(ROOT / "examples" / "hpc-ai500-image-classification-system.tar.gz") as bundle:
        bundle.extractall(workspace / "results", filter="data")
    # The workflow checks the service's repository out beside the job's own files.
    (workspace / "benchcouncil-rankings").symlink_to(ROOT)
    outputs = tmp_path / "github_output"
    outputs.touch()
    env = {
        **env,
        "BENCHCOUNCIL_URL": live_server.url,
        "BENCHCOUNCIL_TOKEN": token,
        "GITHUB_OUTPUT": str(outputs),
    }

    steps = [step for step in workflow_steps(CI) if "run" in step and "if" not in step]
    install = [step["run"] for step in steps if step["run"].startswith("pip install")]
    assert install == ["pip install ./benchcouncil-rankings/client"]  # the folder installed above
    for step in steps:
        if step["run"].startswith("pip install"):
            continue
        done = run(step["run"], workspace, env)
        assert done.returncode == 0, (step, done.stdout[-2000:], done.stderr[-2000:])

    submission = json.loads((workspace / "submission.json").read_text())
    assert submission["status"] == "awaiting_review" and submission["organization"] == "my-lab"
    assert "exit_code=0" in outputs.read_text()
    board = list(csv.reader(io.StringIO((workspace / "board.csv").read_text())))
    assert board and "rank" in board[0]
