"""What the model-code sandbox costs: a sandboxed job against the same model trained in-process.

Both jobs train Caser on the smoke learning-to-rank data for the same epochs and runs; the
sandboxed one loads Caser as free-level model code, so it runs in bubblewrap with the
supervisor evaluating through the meter. Prints each job's wall time, the ratio, and the
sandboxed job's time in its runs (its MLLOG run_start to run_stop) beside its set-up.

    .venv/bin/python benchmarks/sandbox_overhead.py [--epochs 5] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalogue import get_catalogue  # noqa: E402
from runners.harness import run_job, validate_config  # noqa: E402

MODEL_CODE = """
from runners.harness.networks import Caser


def build_model(num_users, num_items, sequence_length):
    return Caser(num_users, num_items, sequence_length)
"""


def job(folder: Path, epochs: int, sandboxed: bool) -> tuple[float, float]:
    """(wall seconds, seconds inside the runs) of one job."""
    raw = {
        "suite": "aibench-training", "benchmark": "learning-to-rank", "profile": "smoke", "device": "cpu",
        "runs": 1, "max_epochs": epochs, "hyperparameters": {"opt_base_learning_rate": 0.01},
        "level": "free",
    }  # fmt: skip
    if sandboxed:
        code = folder / "model.py"
        code.write_text(MODEL_CODE)
        raw["model_code"] = str(code)
    else:
        raw["model"] = "caser"
    config, errors = validate_config(raw, get_catalogue())
    assert config is not None, errors
    started = time.perf_counter()
    archive = run_job(config, folder / ("sandboxed" if sandboxed else "local"))
    wall = time.perf_counter() - started
    log = archive.parent / archive.name.removesuffix(".tar.gz") / "logs" / "run_1.log"
    events = {e["key"]: e["time_ms"] for e in (json.loads(line[9:]) for line in log.read_text().splitlines())}
    return wall, (events["run_stop"] - events["run_start"]) / 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    ratios: list[float] = []
    for round_ in range(args.rounds):
        with tempfile.TemporaryDirectory() as scratch:
            order = (False, True) if round_ % 2 == 0 else (True, False)  # a busy machine slows both alike
            result = {sandboxed: job(Path(scratch), args.epochs, sandboxed) for sandboxed in order}
        (local_wall, local_runs), (boxed_wall, boxed_runs) = result[False], result[True]
        ratios.append(boxed_wall / local_wall)
        setup = boxed_wall - boxed_runs
        print(
            f"round {round_ + 1}: in-process {local_wall:.1f} s (runs {local_runs:.1f} s), "
            f"sandboxed {boxed_wall:.1f} s (runs {boxed_runs:.1f} s, set-up {setup:.1f} s), "
            f"ratio {boxed_wall / local_wall:.2f}"
        )
    span = f"range {min(ratios):.2f}-{max(ratios):.2f}, {args.epochs} epochs, {args.rounds} rounds"
    print(f"median sandboxed/in-process wall-time ratio: {statistics.median(ratios):.2f} ({span})")


if __name__ == "__main__":
    main()
