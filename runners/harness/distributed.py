"""Process groups: NCCL across GPUs, gloo for a single CPU process.

A job either starts its own workers (torch.multiprocessing, one per GPU) or finds itself
started by torchrun, whose RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR variables it honours.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class World:
    rank: int
    world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def resolve_device(requested: str) -> str:
    """'auto' picks a GPU when torch sees one; asking for 'cuda' without one is an error."""
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' was asked for but torch sees no GPU on this host")
    return requested


def launched_by_torchrun() -> bool:
    return "WORLD_SIZE" in os.environ and "MASTER_ADDR" in os.environ


def init_world(kind: str, rank: int, world_size: int, rendezvous: Path) -> World:
    """Join (or create) the process group; a rendezvous file avoids picking a TCP port."""
    if kind == "cuda":
        local_rank = int(os.environ.get("LOCAL_RANK", rank))
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    if not dist.is_initialized():
        backend = "nccl" if kind == "cuda" else "gloo"
        init = "env://" if launched_by_torchrun() else f"file://{rendezvous}"
        dist.init_process_group(backend, init_method=init, rank=rank, world_size=world_size)
    return World(rank=dist.get_rank(), world_size=dist.get_world_size(), device=device)


def close_world() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def largest(value: int, world: World) -> int:
    """The largest of every rank's ``value``, on every rank."""
    if world.world_size == 1:
        return value
    tensor = torch.tensor([value], device=world.device, dtype=torch.int64)
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return int(tensor.item())


def total(value: int, world: World) -> int:
    if world.world_size == 1:
        return value
    tensor = torch.tensor([value], device=world.device, dtype=torch.int64)
    dist.all_reduce(tensor)
    return int(tensor.item())


def from_main(value: float, world: World) -> float:
    """Rank 0's value on every rank (it alone evaluates)."""
    if world.world_size == 1:
        return value
    tensor = torch.tensor([value], device=world.device, dtype=torch.float64)
    dist.broadcast(tensor, src=0)
    return float(tensor.item())
