"""system.json of a multi-node job, from every allocated node's own report."""

from __future__ import annotations

import json
import os

import pytest

from runners.harness.cluster import (
    ALLOCATED_ACCELERATORS_ENV,
    NODE_REPORTS_ENV,
    allocation_problems,
    job_system_description,
)
from runners.worker import slurm_node
from runners.worker.sbatch import JobFiles

GIB = 1024**3


def node(name: str, **changes) -> dict:
    report = {
        "node": name,
        "hostname": f"{name}.cluster",
        "gpu_count": 4,
        "gpu_models": ["NVIDIA H100 80GB HBM3"] * 4,
        "gpu_memory_bytes": [80 * GIB] * 4,
        "gpu_peer_access": True,
        "cpu_model": "AMD EPYC 9654",
        "cpu_sockets": 2,
        "cpu_cores": 192,
        "memory_bytes": 1536 * GIB,
        "operating_system": "Linux 6.1",
        "python": "3.11.7",
        "torch": "2.14.1",
        "networking": {"infiniband": ["mlx5_0", "mlx5_1"], "interfaces": []},
    }
    return {**report, **changes}


def write_reports(folder, reports) -> None:
    folder.mkdir(exist_ok=True)
    for report in reports:
        (folder / f"{report['node']}.json").write_text(json.dumps(report))


@pytest.fixture
def allocation(tmp_path, monkeypatch):
    def make(reports, per_node=4):
        write_reports(tmp_path / "nodes", reports)
        monkeypatch.setenv(NODE_REPORTS_ENV, str(tmp_path / "nodes"))
        monkeypatch.setenv(ALLOCATED_ACCELERATORS_ENV, str(per_node))
        return job_system_description(system_name=None, submitter="Example HPC Centre")

    return make


def test_it_describes_the_nodes_actually_allocated(allocation):
    system = allocation([node("gpu001"), node("gpu002"), node("gpu003")])

    assert system["number_of_nodes"] == 3 and system["accelerators_per_node"] == 4
    assert system["accelerator_model_name"] == "NVIDIA H100 80GB HBM3"
    assert system["host_networking"] == "InfiniBand (mlx5_0, mlx5_1)"
    assert system["heterogeneous"] is False
    assert [n["node"] for n in system["nodes"]] == ["gpu001", "gpu002", "gpu003"]
    assert system["hw_notes"].startswith("3 nodes allocated by Slurm (gpu001, gpu002, gpu003)")


def test_it_reports_a_heterogeneous_allocation_as_such(allocation):
    system = allocation([node("gpu001"), node("gpu002", gpu_models=["NVIDIA A100-SXM4-80GB"] * 4)])

    assert system["heterogeneous"] is True
    assert "HETEROGENEOUS allocation: gpu_models differs" in system["hw_notes"]


def test_it_finds_every_way_the_nodes_differ_from_the_allocation():
    reports = [node("gpu001"), node("gpu002", gpu_count=2, memory_bytes=512 * GIB)]

    problems = allocation_problems(reports, nodes=3, accelerators_per_node=4)

    assert problems == [
        "2 of the 3 allocated nodes sent a hardware report",
        "node gpu002 sees 2 accelerators, 4 were allocated",
        "memory_gib differs: 1536 on gpu001, 512 on gpu002",
        "gpu_count differs: 4 on gpu001, 2 on gpu002",
    ]


def test_it_describes_one_host_when_no_launcher_wrote_node_reports(monkeypatch):
    monkeypatch.delenv(NODE_REPORTS_ENV, raising=False)

    system = job_system_description(system_name="box", submitter="Lab")

    assert system["number_of_nodes"] == 1 and system["system_name"] == "box"
    assert system["host_processor_core_count"] == os.cpu_count()


@pytest.mark.parametrize(("policy", "code"), [("refuse", slurm_node.REFUSED), ("report", 0)])
def test_the_check_step_refuses_or_reports_a_heterogeneous_allocation(tmp_path, capsys, policy, code):
    files = JobFiles(tmp_path)
    files.spec.write_text(json.dumps({"nodes": 2, "accelerators_per_node": 4, "heterogeneous": policy}))
    write_reports(files.nodes, [node("gpu001"), node("gpu002", cpu_model="Intel Xeon 8480+")])

    assert slurm_node.main(["check", "--job-dir", str(tmp_path)]) == code
    said = capsys.readouterr()
    assert "cpu_model differs: 'AMD EPYC 9654' on gpu001, 'Intel Xeon 8480+' on gpu002" in said.err + said.out
