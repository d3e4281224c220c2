"""A site as its public readers find it: several boards with results of every availability
category, a free-level result whose FLOPs the submitter declared, a time-to-quality board and
a CPU-only smoke board. Built through the real publishing path (factories.publish), so the
boards are ranked as in production.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User

from submissions.models import Organization, Submission
from tests.support.factories import RunSpec, benchmark, level, publish, submission_with_runs

SAMPLES = 1281167 * 90
LONG_ORGANIZATION = "National Supercomputing Centre for Artificial Intelligence Research"
LONG_SYSTEM = "Sunway OceanLight accelerated partition with an unusually long system name"


@dataclass
class World:
    results: dict[str, Submission] = field(default_factory=dict)


def _curve(time_s: float, top: float) -> list[dict[str, float]]:
    return [{"epoch": e, "time_s": time_s * e / 6, "quality": top * (0.4 + 0.1 * e)} for e in range(1, 7)]


def _runs(time_s: float, quality: float = 0.765, ttq_s: float | None = None) -> list[RunSpec]:
    return [
        RunSpec(
            quality=quality, time_s=time_s + i, samples=SAMPLES, ttq_s=ttq_s, curve=_curve(time_s, quality)
        )
        for i in range(5)
    ]


def _organization(name: str) -> Organization:
    slug = name.lower().replace(" ", "-")[:50]
    return Organization.objects.get_or_create(name=name, defaults={"slug": slug})[0]


def build_world(owner: User) -> World:
    world = World()
    hpc, aib = (
        benchmark("hpc-ai500", "image-classification"),
        benchmark("aibench-training", "image-classification"),
    )
    system, free = level("system"), level("free")
    specs = [
        # key, benchmark, level, organization, system, accelerator, per node, nodes, time, availability
        (
            "alpha",
            hpc,
            system,
            "Alpha Computing",
            "Alpha Cluster",
            "NVIDIA H100-SXM5-80GB",
            8,
            4,
            1800.0,
            "available",
        ),
        (
            "long",
            hpc,
            system,
            LONG_ORGANIZATION,
            LONG_SYSTEM,
            "NVIDIA A100-SXM4-80GB",
            8,
            16,
            2400.0,
            "available",
        ),
        ("gamma", hpc, system, "Gamma Lab", "Gamma Box", "AMD Instinct MI300X", 8, 1, 7200.0, "available"),
        (
            "preview",
            hpc,
            system,
            "Preview Corp",
            "Next-gen Pod",
            "Preview Accelerator X",
            8,
            8,
            900.0,
            "preview",
        ),
        (
            "research",
            hpc,
            system,
            "Research Institute",
            "Lab Prototype",
            "FPGA Array",
            4,
            2,
            5000.0,
            "research",
        ),
        (
            "alpha_aib",
            aib,
            system,
            "Alpha Computing",
            "Alpha Cluster",
            "NVIDIA H100-SXM5-80GB",
            8,
            4,
            3000.0,
            "available",
        ),
        (
            "gamma_aib",
            aib,
            system,
            "Gamma Lab",
            "Gamma Box",
            "AMD Instinct MI300X",
            8,
            1,
            9000.0,
            "available",
        ),
    ]
    for key, bench, lvl, org, name, accelerator, per_node, nodes, time_s, availability in specs:
        quality = bench.target_quality + 0.002
        world.results[key] = _make(
            owner, bench, lvl, org, name, accelerator, per_node, nodes, _runs(time_s, quality), availability
        )
    world.results["free"] = _make(
        owner, hpc, free, "Open Model Lab", "Open Cluster", "NVIDIA H100-SXM5-80GB", 8, 2,
        _runs(2000.0, 0.77), "available", per_sample_training_flops=3.1e10,
    )  # fmt: skip
    world.results["cpu"] = _make(
        owner, hpc, system, "Smoke Tests", "vm", "none", 0, 1, _runs(600.0, 0.77), "available",
        profile="smoke", cores=32, processors=2, per_sample_training_flops=1.889e8,
    )  # fmt: skip
    for submission in world.results.values():
        publish(submission)  # transactional test: the after-commit signal ranks it at once
    return world


def _make(
    owner: User,
    bench,
    lvl,
    org: str,
    name: str,
    accelerator: str,
    per_node: int,
    nodes: int,
    runs: list[RunSpec],
    availability: str,
    *,
    per_sample_training_flops: float | None = None,
    profile: str = "full",
    cores: int = 0,
    processors: int = 0,
) -> Submission:
    organization = _organization(org)
    submission = submission_with_runs(
        owner=owner,
        bench=bench,
        lvl=lvl,
        runs=runs,
        organization=organization,
        system_name=name,
        accelerator=accelerator,
        accelerators_per_node=per_node,
        nodes=nodes,
        availability=availability,
        profile=profile,
        per_sample_training_flops=per_sample_training_flops,
    )
    description = dict(submission.system_description or {})
    if cores:
        description.update(host_processor_core_count=cores, host_processors_per_node=processors)
    submission.system_description = description
    submission.manifest = {
        "suite": bench.suite.slug,
        "benchmark": bench.slug,
        "level": lvl.slug,
        "organization": org,
        "model": f"{bench.model} (tuned)",
        "reference": "https://example.org/paper.pdf",
    }
    submission.hyperparameters = {
        "global_batch_size": 256 * per_node * nodes or 64,
        "opt_base_learning_rate": 0.1,
    }
    submission.save(update_fields=["system_description", "manifest", "hyperparameters"])
    return submission
