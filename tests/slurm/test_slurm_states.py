"""Slurm's own end states, from a real Slurm job, become the job's (runners/scheduler.py)."""

from __future__ import annotations

import pytest
from django.test import TestCase

from catalogue import get_catalogue
from runners.job_request import check_job_request
from runners.models import Job
from runners.scheduler import job_record_scheduler
from runners.services import job_create, job_transition
from runners.states import JobStatus
from runners.worker import slurm as slurm_commands
from tests.support.workers import wait_for

pytestmark = [pytest.mark.slurm, pytest.mark.django_db, pytest.mark.timeout(300)]


def running_job(owner) -> Job:
    spec, errors = check_job_request(
        {"suite": "aibench-training", "benchmark": "learning-to-rank", "level": "hardware"}, get_catalogue()
    )
    assert spec is not None, errors
    with TestCase.captureOnCommitCallbacks(execute=False):
        job = job_create(owner=owner, spec=spec, pool="slurm-states")
    return job_transition(job=job, to=JobStatus.RUNNING, actor=None, reason="test: started")


def test_it_fails_a_job_that_slurm_stopped_at_its_time_limit(slurm, owner, tmp_path):
    script = tmp_path / "sleep.sh"
    script.write_text(
        f"#!/bin/bash\n#SBATCH --time=1\n#SBATCH --nodes=2\n#SBATCH --output={tmp_path}/%j.out\nsleep 600\n"
    )
    slurm_id = slurm_commands.submit(script, slurm.env)
    seen = wait_for(
        lambda: (job := slurm_commands.show(slurm_id, slurm.env)) and job.ended and job,
        200,
        "Slurm's time limit",
    )
    assert seen.state == "TIMEOUT" and seen.time_limit == "00:01:00"
    job = running_job(owner)

    answer = job_record_scheduler(job=job, report=seen.report())

    job.refresh_from_db()
    assert answer == {"status": "failed", "cancel": True, "scheduler": {}}
    assert job.status == JobStatus.FAILED
    assert job.failure_reason == f"Slurm stopped job {slurm_id} at its time limit (--time 00:01:00)."
    assert job.scheduler["state"] == "TIMEOUT" and job.scheduler["nodes"] == "n[1-2]"


def test_it_reads_a_real_scontrol_answer_and_knows_a_job_slurm_forgot(slurm, tmp_path):
    script = tmp_path / "true.sh"
    script.write_text(f"#!/bin/bash\n#SBATCH --nodes=1\n#SBATCH --output={tmp_path}/%j.out\nexit 3\n")
    slurm_id = slurm_commands.submit(script, slurm.env)

    seen = wait_for(
        lambda: (job := slurm_commands.show(slurm_id, slurm.env)) and job.ended and job, 60, "the job's end"
    )

    assert (seen.job_id, seen.state, seen.exit_code, seen.num_nodes) == (slurm_id, "FAILED", "3:0", "1")
    assert slurm_commands.show("999999", slurm.env) is None
