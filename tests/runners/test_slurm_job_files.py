"""A Slurm job's folder and sbatch script: the scale and limits asked for, and no secret in sight."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import pytest

from runners.worker.sbatch import job_files_prepare
from runners.worker.slurm import minutes, parse_show_job
from runners.worker.slurm_config import SlurmConfig

SECRET = "bcrj_not-for-anyone-else"  # noqa: S105 - a test's secret
HOST_TOKEN = "bcrh_this-hosts-own"  # noqa: S105 - a test's host token


@pytest.fixture
def slurm_config(tmp_path, monkeypatch) -> SlurmConfig:
    monkeypatch.setenv("RUNNER_LAUNCHER", "slurm")
    monkeypatch.setenv("RUNNER_SLURM_PARTITION", "gpu")
    monkeypatch.setenv("RUNNER_SLURM_ACCOUNT", "ai500")
    monkeypatch.setenv("RUNNER_SLURM_GPUS_PER_NODE", "4")
    monkeypatch.setenv("RUNNER_SLURM_SBATCH_OPTIONS", "--qos=bench --exclusive")
    monkeypatch.setenv("RUNNER_SLURM_JOB_DIR", str(tmp_path / "jobs"))
    monkeypatch.setenv("RUNNER_SLURM_TIME_GRACE_S", "120")
    config = SlurmConfig.from_env(tmp_path)
    assert config is not None
    return config


def prepare(config: SlurmConfig, **job):
    return job_files_prepare(
        slurm=config,
        job_id="0f7c3e1e-5d7b-4bd5-9a53-5d0bdf1d2a11",
        attempt=1,
        config={"suite": "hpc-ai500", "time_limit_s": 3600, **job},
        secret=SECRET,
        host_token=HOST_TOKEN,
        service_url="https://rankings.example.org",
        heartbeat_interval_s=20,
        model_code={"name": "../../evil.py", "source": "def build_model(): ...\n"},
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_it_keeps_the_secret_in_a_file_only_the_runner_reads(slurm_config):
    files = prepare(slurm_config, nodes=2)

    assert files.read_secret() == (SECRET, HOST_TOKEN)
    assert mode(files.secret) == 0o600 and mode(files.dir) == 0o700
    assert mode(files.spec) == 0o600 and mode(files.script) == 0o600
    for path in (files.script, files.spec):
        assert SECRET not in path.read_text() and HOST_TOKEN not in path.read_text()
    files.forget_secret()
    assert not files.secret.exists()


def test_it_asks_slurm_for_the_jobs_scale_time_and_the_hosts_options(slurm_config):
    files = prepare(slurm_config, nodes=2)
    script = files.script.read_text()

    for line in (
        "#SBATCH --nodes=2",
        "#SBATCH --ntasks-per-node=1",
        "#SBATCH --time=62",  # 3600 s and 120 s of grace, in whole minutes
        "#SBATCH --partition=gpu",
        "#SBATCH --account=ai500",
        "#SBATCH --gpus-per-node=4",
        "#SBATCH --qos=bench",
        "#SBATCH --exclusive",
        f"#SBATCH --output={files.dir}/slurm-%j.out",
        "#SBATCH --export=PATH,HOME,LANG,LC_ALL,PYTHONPATH,VIRTUAL_ENV,SLURM_CONF,BENCHCOUNCIL_DATA_ROOT",
    ):
        assert line in script.splitlines(), line
    spec = files.read_spec()
    assert (spec["nodes"], spec["accelerators_per_node"]) == (2, 4)
    # Model code is a file in the job's folder, whatever name it came with.
    assert spec["config"]["model_code"] == str(files.dir / "model_code" / "evil.py")


def test_it_runs_fewer_accelerators_per_node_when_the_job_asks(slurm_config):
    files = prepare(slurm_config, nodes=3, accelerators_per_node=2)

    assert "#SBATCH --gpus-per-node=2" in files.script.read_text().splitlines()
    assert files.read_spec()["accelerators_per_node"] == 2


def test_it_refuses_a_template_with_names_it_does_not_fill(slurm_config, tmp_path):
    template = tmp_path / "mine.sh"
    template.write_text("#!/bin/bash\n#SBATCH --nodes=$nodes\n#SBATCH --mail-user=$mail\n")

    with pytest.raises(ValueError, match="unknown name 'mail'"):
        prepare(replace(slurm_config, template=template))


def test_it_gives_slurm_whole_minutes():
    assert [minutes(s) for s in (1, 59, 60, 61, 3600)] == [1, 1, 1, 2, 60]


def test_it_reads_scontrols_one_line_answer():
    line = (
        "JobId=17 JobName=benchcouncil-0f7c3e1e UserId=runner(1001) JobState=PENDING Reason=Resources "
        "Dependency=(null) ExitCode=0:0 RunTime=00:00:00 TimeLimit=01:03:00 NodeList=(null) NumNodes=2-2"
    )

    job = parse_show_job(line)

    assert (job.job_id, job.state, job.reason, job.time_limit, job.num_nodes) == (
        "17", "PENDING", "Resources", "01:03:00", "2-2",
    )  # fmt: skip
    assert job.report()["nodes"] == "" and not job.ended
