"""The meter: runs a handed-over TorchScript model for the supervisor, and counts its FLOPs.

`python -m runners.harness.meter DEVICE` runs inside bubblewrap, in a scratch directory of its
own. It runs harness code and the TorchScript graph only (no submitted Python), and it sees
only what the supervisor copies in: the model, and the model's inputs (never labels, never the
evaluation set's ground truth). Requests:

    {"op": "load", "file": F}        load scratch/F (TorchScript) as the current model
    {"op": "call", "file": F}        run the model (eval mode) on the arguments in scratch/F;
                                      write its outputs to scratch/F.out; answer "called"
    {"op": "flops", "file": F}       count the FLOPs of one training step on those arguments
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

import torch
import torchvision  # noqa: F401 - registers the ops scripted detectors call (nms, roi_align)

from .flops import output_sum, training_flops
from .messages import reply, requests

SCRATCH = Path(os.environ.get("HOME", "/scratch"))


def move(value: Any, device: torch.device) -> Any:
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, dict):
        return {k: move(v, device) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(move(v, device) for v in value)
    return value


def detections(output: Any) -> Any:
    # A scripted torchvision detector answers (losses, detections); the eager one, detections.
    if isinstance(output, tuple) and len(output) == 2 and isinstance(output[0], dict):
        return output[1]
    return output


def count_flops(model: torch.jit.ScriptModule, arguments: tuple[Any, ...]) -> float:
    model.train()
    return training_flops(lambda: output_sum(model(*arguments)))


def main() -> int:
    device = torch.device(sys.argv[1] if len(sys.argv) > 1 else "cpu")
    model: torch.jit.ScriptModule | None = None
    for request in requests():
        try:
            path = SCRATCH / Path(str(request["file"])).name
            if request["op"] == "load":
                model = torch.jit.load(str(path), map_location=device)
                reply("loaded")
            elif request["op"] == "call" and model is not None:
                model.eval()
                with torch.no_grad():
                    output = detections(model(*move(torch.load(path, weights_only=True), device)))
                torch.save(move(output, torch.device("cpu")), path.with_suffix(".out"))
                reply("called")
            elif request["op"] == "flops" and model is not None:
                reply("counted", flops=count_flops(model, move(torch.load(path, weights_only=True), device)))
        except Exception as exc:  # noqa: BLE001 - a model that fails here fails its job, with the reason
            traceback.print_exc()
            reply("error", message=f"{type(exc).__name__}: {exc}"[:2000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
