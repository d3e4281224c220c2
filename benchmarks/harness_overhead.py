"""Training throughput of the harness's epoch loop against a bare PyTorch loop.

Same model, data, batch and optimizer; the harness adds its stop checks, learning-rate
schedule and sample counting per step. Rounds alternate the two (and which goes first) so
that a busy machine slows both alike; the median of the rounds' ratios is reported, with
their range. Target: the harness within 5% (ratio >= 0.95).

    .venv/bin/python benchmarks/harness_overhead.py [--rounds 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalogue import get_catalogue  # noqa: E402
from runners.harness.distributed import World  # noqa: E402
from runners.harness.hyperparameters import build_optimizer, resolve_hyperparameters  # noqa: E402
from runners.harness.registry import WORKLOADS  # noqa: E402
from runners.harness.trainer import make_loop, train_epoch  # noqa: E402
from runners.harness.workloads import Context, Workload, build_workload  # noqa: E402

CPU = World(rank=0, world_size=1, device=torch.device("cpu"))


def workload(suite: str, slug: str) -> tuple[Workload, dict[str, Any]]:
    benchmark = get_catalogue().benchmark(suite, slug)
    assert benchmark is not None
    spec = WORKLOADS[benchmark.key]
    built = build_workload(Context(benchmark, spec, "smoke", spec.smoke_model, None, None))
    return built, resolve_hyperparameters(benchmark, {})


def harness_round(built: Workload, hp: dict[str, Any]) -> float:
    loop = make_loop(built, hp, seed=1, epochs=1, world=CPU, stop=lambda: None)
    started = time.perf_counter()
    samples, _ = train_epoch(loop, 1)
    return samples / (time.perf_counter() - started)


def bare_round(built: Workload, hp: dict[str, Any]) -> float:
    torch.manual_seed(1)
    model = built.make_model().train()
    optimizer = build_optimizer(model.parameters(), hp)
    loader = torch.utils.data.DataLoader(
        built.train_set, batch_size=hp["global_batch_size"], shuffle=True, collate_fn=built.collate
    )
    device, samples = torch.device("cpu"), 0
    started = time.perf_counter()
    for batch in loader:
        loss, count = built.train_loss(model, batch, device)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        samples += count
    return samples / (time.perf_counter() - started)


TARGET = 0.95  # the harness keeps at least 95% of the bare loop's throughput


def compare(name: str, built: Workload, hp: dict[str, Any], rounds: int) -> float:
    """Alternate the two loops; return the median of the rounds' harness/bare ratios."""
    bare_round(built, hp)  # warm-up: allocator, kernels
    harness_round(built, hp)
    harness, bare, ratios = [], [], []
    for index in range(rounds):
        # Alternate which goes first, so that neither always follows the other's cache state.
        if index % 2:
            b, h = bare_round(built, hp), harness_round(built, hp)
        else:
            h, b = harness_round(built, hp), bare_round(built, hp)
        harness.append(h)
        bare.append(b)
        ratios.append(h / b)
    ratio = statistics.median(ratios)
    print(
        f"{name:<34} harness {statistics.median(harness):9.1f} samples/s   "
        f"bare {statistics.median(bare):9.1f} samples/s   ratio {ratio:.3f} "
        f"(rounds {min(ratios):.3f}-{max(ratios):.3f})"
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), median of {args.rounds} rounds")
    built, hp = workload("hpc-ai500", "image-classification")
    ratios = [compare("resnet50 3x16x16, batch 256", built, hp, args.rounds)]
    built, hp = workload("aibench-training", "learning-to-rank")
    ratios.append(compare("caser L=5, batch 512", built, hp, args.rounds))
    worst = min(ratios)
    verdict = "met" if worst >= TARGET else "MISSED"
    print(f"target: harness within 5% of the bare loop (ratio >= {TARGET}): worst {worst:.3f}: {verdict}")
    print(f"load average now: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
