"""The sandboxed trainer: free-level model code trains here, and only trains.

`python -m runners.harness.sandboxed_train` runs inside bubblewrap (runners.harness.sandbox),
started by runners.harness.supervisor. It reads scratch/job.json (the training set's location,
the model's build arguments, the hyper-parameters), then waits for the supervisor's requests:

    {"op": "begin", "seed": S}     build the model with seed S; hand it over; answer "ready"
    {"op": "epoch", "epoch": E}    train one epoch; hand the model over; answer "trained"

"Hand over" writes the model as TorchScript to scratch/handover/model.pt. Everything here,
model code included, is untrusted: the supervisor keeps the clock, evaluates the handed-over
model itself on data this process never sees, and counts its FLOPs itself.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset, TensorDataset

from .distributed import World
from .messages import HANDOVER_DIR, HANDOVER_FILE, reply, requests
from .networks import load_model_code
from .trainer import Loop, make_loop, train_epoch
from .workloads import Workload, training_step_of

SCRATCH = Path(os.environ.get("HOME", "/scratch"))


class Samples(Dataset):
    """A training set handed over as a list of samples."""

    def __init__(self, samples: list[Any]) -> None:
        self.samples = samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> Any:
        return self.samples[index]


def training_set(source: dict[str, Any]) -> Dataset:
    if source["kind"] == "tensors":
        return TensorDataset(*torch.load(SCRATCH / source["file"], weights_only=True))
    if source["kind"] == "samples":
        return Samples(torch.load(SCRATCH / source["file"], weights_only=True))
    if source["kind"] == "imagenet":
        from .data.images import image_folder

        return image_folder(Path(source["root"]), train=True)
    if source["kind"] == "extreme-weather":
        from .data.detection import WeatherNpz

        return WeatherNpz(Path(source["root"]))
    raise ValueError(f"unknown training set kind {source['kind']!r}")


def hand_over(model: torch.nn.Module) -> None:
    folder = SCRATCH / HANDOVER_DIR
    folder.mkdir(exist_ok=True)
    partial = folder / (HANDOVER_FILE + ".partial")
    torch.jit.save(torch.jit.script(model), str(partial))
    partial.replace(folder / HANDOVER_FILE)


def main() -> int:
    job = json.loads((SCRATCH / "job.json").read_text())
    step = training_step_of(job["family"], job["model_kwargs"])
    build = load_model_code(SCRATCH / job["model_code"])
    workload = Workload(
        model_label="",
        make_model=lambda: build(**job["model_kwargs"]),
        train_set=training_set(job["train_set"]),
        eval_set=TensorDataset(),
        train_loss=step.loss,
        evaluate=lambda *a: None,
        flops_batch=lambda: None,
        smoke_epochs=0,
        collate=step.collate,
        num_workers=int(job["num_workers"]),
    )
    world = World(rank=0, world_size=1, device=torch.device(job["device"]))
    loop: Loop | None = None
    for request in requests():
        try:
            if request["op"] == "begin":
                loop = make_loop(
                    workload, job["hyperparameters"], int(request["seed"]), job["epochs"], world, _never
                )
                hand_over(loop.model)
                reply("ready")
            elif request["op"] == "epoch" and loop is not None:
                train_epoch(loop, int(request["epoch"]))
                hand_over(loop.model)
                reply("trained", epoch=int(request["epoch"]))
        except Exception as exc:  # noqa: BLE001 - the model code's error is the job's failure reason
            traceback.print_exc()
            reply("error", message=f"{type(exc).__name__}: {exc}"[:2000])
    return 0


def _never() -> str | None:
    return None  # the supervisor stops this process; it never stops itself


if __name__ == "__main__":
    sys.exit(main())
