"""The published results benchmarks/leaderboard_load.py reads: generated, loaded with COPY, ranked.

Run inside the benchmark's Django process (it imports Django models lazily, once settings
point at the scratch database).
"""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

ACCELERATORS = [
    "NVIDIA H100-SXM5-80GB",
    "NVIDIA A100-SXM4-80GB",
    "AMD Instinct MI300X",
    "Intel Gaudi 2",
    "Huawei Ascend 910B",
    "NVIDIA V100-SXM2-32GB",
]
FRAMEWORKS = ["PyTorch 2.4", "TensorFlow 2.16", "JAX 0.4.30", "MindSpore 2.3", "PaddlePaddle 2.6"]


def copy_rows(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """COPY plain rows (attname -> value) into a model's table; other columns get their default.

    Plain dicts, not model instances: at 100,000 results, building models costs more than the
    database does. JSON columns take JSON text.
    """
    from django.db import connection, models

    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([row[name] if name in row else defaults[name] for name in names])
                count += 1
    return count


def load(total: int, seed: int) -> None:
    from django.contrib.auth.models import User
    from django.db import transaction

    from catalogue.models import Benchmark, Level
    from submissions.models import Organization, Run, Submission

    rng = random.Random(seed)
    owner = User.objects.create_user("bench-owner", password=None)
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Organization {i:03d}", slug=f"org-{i:03d}") for i in range(200)
    )
    benchmarks = list(Benchmark.objects.select_related("suite"))
    levels = list(Level.objects.all())
    now = datetime.now(UTC)
    submissions: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    for i in range(total):
        bench = benchmarks[i % len(benchmarks)]
        lvl = levels[(i // len(benchmarks)) % len(levels)]
        sub, sub_runs = fake_result(rng, i, owner.pk, orgs, bench, lvl.pk, now)
        submissions.append(sub)
        runs.extend(sub_runs)
    with transaction.atomic():
        copy_rows(Submission, submissions)
        copy_rows(Run, runs)
    print(f"({len(submissions):,} submissions, {len(runs):,} runs)", end=" ")


def fake_result(
    rng: random.Random, i: int, owner_id: int, orgs: list[Any], bench: Any, level_id: int, now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    org = rng.choice(orgs)
    nodes = max(1, int(2 ** rng.uniform(0, 9)))
    per_node = rng.choice([4, 8])
    count = nodes * per_node
    published = now - timedelta(days=rng.uniform(0, 730))
    sid = uuid.UUID(int=rng.getrandbits(128), version=4)
    system = {
        "system_name": f"System {i}",
        "number_of_nodes": nodes,
        "accelerators_per_node": per_node,
        "accelerator_model_name": rng.choice(ACCELERATORS),
        "framework": rng.choice(FRAMEWORKS),
    }
    provenances = ["runner_verified", "submitter_reported", "submitter_reported", "imported_unverified"]
    submission = {
        "id": sid,
        "owner_id": owner_id,
        "organization_id": org.pk,
        "status": "published",
        "provenance": rng.choice(provenances),
        "bundle": f"bundles/{sid}/bundle.tar.gz",
        "bundle_name": "bundle.tar.gz",
        "bundle_size": rng.randint(10_000, 5_000_000),
        "bundle_sha256": f"{rng.getrandbits(256):064x}",
        "idempotency_key": None,
        "suite_id": bench.suite_id,
        "benchmark_id": bench.pk,
        "level_id": level_id,
        "availability": rng.choices(["available", "preview", "research"], [7, 2, 1])[0],
        "profile": "smoke" if rng.random() < 0.02 else "full",
        "organization_name": org.name,
        "system_name": system["system_name"],
        "manifest": json.dumps({"organization": org.name}),
        "system_description": json.dumps(system),
        "hyperparameters": "{}",
        "per_sample_training_flops": bench.per_sample_training_flops * rng.uniform(0.8, 1.2),
        "catalogue_version": bench.catalogue_version,
        "validated_at": published,
        "supersedes_id": None,
        "created_at": published,
        "updated_at": published,
        "published_at": published,
    }
    epochs = bench.epochs or 40
    samples = bench.train_samples * epochs
    # Time scales almost linearly with accelerators, with per-system noise.
    base_s = samples * bench.per_sample_training_flops / (count * 1.2e14 * rng.uniform(0.3, 1.0))
    runs = []
    for index in range(1, bench.required_runs + 1):
        time_s = base_s * rng.uniform(0.95, 1.05)
        quality = bench.target_quality * rng.uniform(0.97, 1.02)
        converged = quality >= bench.target_quality or (
            bench.ranking_metric == "time_to_quality" and rng.random() < 0.97
        )
        curve = [
            {"epoch": e, "time_s": time_s * e / 4, "quality": quality * (1 - math.exp(-1.5 * e))}
            for e in range(1, 5)
        ]
        runs.append(
            {
                "submission_id": sid,
                "index": index,
                "log_name": f"logs/run{index}.log",
                "seed": rng.getrandbits(31),
                "status": "success" if converged else "aborted",
                "converged": converged,
                "time_to_train_s": time_s,
                "time_to_quality_s": time_s * rng.uniform(0.6, 0.95) if converged else None,
                "achieved_quality": quality,
                "samples_processed": samples,
                "epochs_completed": float(epochs),
                "per_sample_flops": bench.per_sample_training_flops,
                "total_flops": bench.per_sample_training_flops * samples,
                "global_batch_size": 256,
                "hyperparameters": "{}",
                "curve": json.dumps(curve),
                "run_start_ms": None,
                "run_stop_ms": None,
            }
        )
    return submission, runs


def rank_all() -> None:
    from catalogue.models import Benchmark
    from ranking.services import PROFILES, leaderboard_recompute

    boards = 0
    for bench in Benchmark.objects.select_related("suite"):
        for lvl in bench.suite.levels.all():
            for profile in PROFILES:
                leaderboard_recompute(benchmark_id=bench.pk, level_id=lvl.pk, profile=profile)
                boards += 1
    print(f"({boards} boards)", end=" ")
