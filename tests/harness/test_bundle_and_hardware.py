from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

import jsonschema
import pytest

from runners.harness import host_report, system_description
from runners.harness.bundle import pack

pytestmark = pytest.mark.torch

SCHEMAS = Path(__file__).resolve().parents[2] / "submissions" / "bundles" / "schemas"


def test_it_packs_the_same_files_to_the_same_bytes(tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    (bundle / "logs").mkdir(parents=True)
    (bundle / "manifest.json").write_text("{}")
    (bundle / "logs" / "run_1.log").write_text(":::MLLOG {}\n")
    first = hashlib.sha256(pack(bundle, tmp_path / "one.tar.gz").read_bytes()).hexdigest()
    (bundle / "manifest.json").touch()  # a newer mtime must not change the archive
    second = hashlib.sha256(pack(bundle, tmp_path / "two.tar.gz").read_bytes()).hexdigest()
    assert first == second
    with tarfile.open(tmp_path / "one.tar.gz") as tar:
        assert tar.getnames() == ["b", "b/logs", "b/logs/run_1.log", "b/manifest.json"]
        assert all(m.mtime == 0 and m.uid == 0 and not m.issym() for m in tar.getmembers())


def test_it_reports_the_host() -> None:
    report = host_report()
    assert report["cpu_cores"] >= 1 and report["memory_bytes"] > 0
    assert report["torch"].startswith("2.") and report["gpu_count"] == len(report["gpu_models"])


def test_it_describes_the_system_as_the_schema_wants() -> None:
    system = system_description(host_report(), system_name="runner-1", submitter="BenchCouncil")
    jsonschema.validate(system, json.loads((SCHEMAS / "system.schema.json").read_text()))
    assert system["system_name"] == "runner-1" and system["number_of_nodes"] == 1


def test_it_describes_a_gpu_node() -> None:
    report = {
        **host_report(),
        "gpu_count": 2,
        "gpu_models": ["NVIDIA H100 80GB HBM3"] * 2,
        "gpu_memory_bytes": [85_000_000_000] * 2,
        "gpu_peer_access": True,
    }
    system = system_description(report)
    assert system["accelerators_per_node"] == 2
    assert system["accelerator_model_name"] == "NVIDIA H100 80GB HBM3"
    assert system["accelerator_memory_capacity"] == "79 GB"
    assert system["accelerator_interconnect"] == "peer-to-peer between all GPUs"
