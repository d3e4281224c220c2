"""A model submission's scale (nodes x accelerators per node), within what its pool offers."""

from __future__ import annotations

import pytest

from runners.capacity import pool_capacity
from runners.models import Job, RunnerHost
from tests.support.clients import api_as

pytestmark = pytest.mark.django_db

REQUEST = {"suite": "aibench-training", "benchmark": "learning-to-rank", "level": "hardware"}


@pytest.fixture
def default_pool(settings, pool) -> str:
    settings.RUNNER_DEFAULT_POOL = pool
    return pool


def host(pool: str, name: str, report: dict) -> RunnerHost:
    return RunnerHost.objects.create(
        name=name, pool=pool, token_hash=name.ljust(64, "0"), hardware_report=report
    )


def slurm_host(pool: str, name: str = "login-1", max_nodes: int = 4, gpus: int = 8) -> RunnerHost:
    report = {"gpu_count": 0, "slurm": {"max_nodes": max_nodes, "accelerators_per_node": gpus}}
    return host(pool, name, report)


def test_it_queues_a_two_node_job_on_a_slurm_pool_with_the_pools_accelerators(owner, default_pool):
    slurm_host(default_pool)

    answer = api_as(owner).post("/api/v1/model-submissions/", {**REQUEST, "nodes": 2}, format="json")

    assert answer.status_code == 201, answer.json()
    job = Job.objects.get()
    assert (job.config["nodes"], job.config["accelerators_per_node"]) == (2, 8)


def test_it_refuses_more_than_the_pool_offers(owner, default_pool):
    slurm_host(default_pool, max_nodes=4, gpus=8)

    answer = api_as(owner).post(
        "/api/v1/model-submissions/", {**REQUEST, "nodes": 5, "accelerators_per_node": 9}, format="json"
    )

    assert answer.status_code == 400
    offer = f"pool {default_pool} offers at most 4 nodes with 8 accelerators each"
    assert answer.json()["errors"] == [
        f"nodes: 5 asked for; {offer}",
        f"accelerators_per_node: 9 asked for; {offer}",
    ]
    assert not Job.objects.exists()


def test_it_offers_what_every_host_of_the_pool_offers(default_pool):
    slurm_host(default_pool, "login-1", max_nodes=64, gpus=8)
    slurm_host(default_pool, "login-2", max_nodes=16, gpus=4)

    capacity = pool_capacity(default_pool)

    assert capacity is not None
    assert (capacity.hosts, capacity.max_nodes, capacity.accelerators_per_node) == (2, 16, 4)


def test_it_runs_a_single_host_pool_on_one_node_with_all_its_gpus(owner, default_pool):
    host(default_pool, "gpu-1", {"gpu_count": 8})
    client = api_as(owner)

    two_nodes = client.post("/api/v1/model-submissions/", {**REQUEST, "nodes": 2}, format="json")
    fewer_gpus = client.post(
        "/api/v1/model-submissions/", {**REQUEST, "accelerators_per_node": 4}, format="json"
    )
    one_node = client.post("/api/v1/model-submissions/", REQUEST, format="json")

    assert two_nodes.status_code == 400 and two_nodes.json()["errors"][0].startswith("nodes: 2 asked for")
    assert fewer_gpus.json()["errors"] == [
        f"accelerators_per_node: the hosts of pool {default_pool} run every job on all their 8 accelerators"
    ]
    assert one_node.status_code == 201
    assert Job.objects.get().config["accelerators_per_node"] == 8


def test_it_takes_only_one_node_while_no_host_has_reported(owner, default_pool):
    answer = api_as(owner).post("/api/v1/model-submissions/", {**REQUEST, "nodes": 2}, format="json")

    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        f"nodes: no host of pool {default_pool} has reported its hardware yet; only 1 node can be asked for"
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"nodes": 0}, "nodes: Ensure this value is greater than or equal to 1."),
        (
            {"accelerators_per_node": -1},
            "accelerators_per_node: Ensure this value is greater than or equal to 0.",
        ),
    ],
)
def test_it_refuses_a_scale_that_is_not_a_count(owner, default_pool, body, error):
    answer = api_as(owner).post("/api/v1/model-submissions/", {**REQUEST, **body}, format="json")

    assert answer.status_code == 400 and answer.json()["errors"] == [error]


def test_it_asks_for_the_scale_in_the_form(owner, default_pool, client):
    slurm_host(default_pool)
    client.force_login(owner)
    data = {
        "benchmark": "aibench-training/learning-to-rank",
        "level": "hardware",
        "profile": "smoke",
        "availability": "research",
        "nodes": "3",
        "accelerators_per_node": "2",
    }

    page = client.get("/runners/jobs/new/").content.decode()
    answer = client.post("/runners/jobs/new/", data)

    assert 'name="nodes"' in page and 'name="accelerators_per_node"' in page
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    assert (Job.objects.get().config["nodes"], Job.objects.get().config["accelerators_per_node"]) == (3, 2)


def test_it_runs_submitted_model_code_on_one_node_only(owner, default_pool):
    slurm_host(default_pool, max_nodes=4, gpus=8)
    code = "def build_model(num_classes):\n    raise NotImplementedError\n"
    request = {"suite": "hpc-ai500", "benchmark": "image-classification", "level": "free"}

    answer = api_as(owner).post(
        "/api/v1/model-submissions/",
        {**request, "model_code": code, "nodes": 2, "accelerators_per_node": 4},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        "nodes: 2 asked for; submitted model code runs in one sandboxed process on one node "
        "(the catalogue's models run on several)",
        "accelerators_per_node: 4 asked for; submitted model code trains on one accelerator or on the CPU",
    ]
    assert not Job.objects.exists()
