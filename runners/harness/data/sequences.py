"""Sequential recommendation data: a learnable synthetic rule (smoke) and Gowalla check-ins (full).

Items count from 1; 0 pads histories shorter than the model's window.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import TensorDataset

TEST_SHARE = 0.2  # the ranking-distillation reference holds out each user's last 20%


@dataclass(frozen=True)
class Interactions:
    num_users: int
    num_items: int
    train: list[list[int]]  # per user, in time order
    test: list[set[int]]  # per user, the held-out items a ranking should find


def synthetic(
    users: int, clusters: int, cluster_size: int, train_len: int, test_len: int, seed: int
) -> Interactions:
    """Each user walks through one cluster of items with a fixed stride, never repeating.

    The held-out items are the walk's next steps: unseen in training, in the user's cluster.
    A model that learns which cluster a history belongs to ranks them first.
    """
    if train_len + test_len > cluster_size:
        raise ValueError("a walk must not revisit items: train_len + test_len > cluster_size")
    gen = torch.Generator().manual_seed(seed)
    strides = [s for s in range(1, cluster_size) if _coprime(s, cluster_size)]
    train, test = [], []
    for _ in range(users):
        cluster = int(torch.randint(0, clusters, (1,), generator=gen))
        start = int(torch.randint(0, cluster_size, (1,), generator=gen))
        stride = strides[int(torch.randint(0, len(strides), (1,), generator=gen))]
        walk = [
            1 + cluster * cluster_size + (start + k * stride) % cluster_size
            for k in range(train_len + test_len)
        ]
        train.append(walk[:train_len])
        test.append(set(walk[train_len:]))
    return Interactions(users, clusters * cluster_size, train, test)


def gowalla(path: Path, min_item_count: int = 5, min_user_count: int = 10) -> Interactions:
    """SNAP's loc-gowalla_totalCheckins.txt: user, ISO time, latitude, longitude, location (TSV).

    Locations with few check-ins and users with few left are dropped (reading of the reference
    preprocessing); each user's last 20% of check-ins, in time order, are held out.
    """
    rows: list[tuple[str, str, str]] = []
    with path.open(newline="") as handle:
        for record in csv.reader(handle, delimiter="\t"):
            if len(record) >= 5:
                rows.append((record[0], record[1], record[4]))
    counts = Counter(location for _, _, location in rows)
    by_user: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for user, when, location in rows:
        if counts[location] >= min_item_count:
            by_user[user].append((when, location))
    kept = {u: [loc for _, loc in sorted(v)] for u, v in by_user.items() if len(v) >= min_user_count}
    items = {loc: n for n, loc in enumerate(sorted({loc for seq in kept.values() for loc in seq}), start=1)}
    train, test = [], []
    for user in sorted(kept):
        sequence = [items[loc] for loc in kept[user]]
        cut = len(sequence) - max(1, int(len(sequence) * TEST_SHARE))
        train.append(sequence[:cut])
        test.append(set(sequence[cut:]))
    return Interactions(len(train), len(items), train, test)


def windows(data: Interactions, length: int, targets: int) -> TensorDataset:
    """Caser's training samples: (user, L items, the T items that follow), sliding over each history."""
    users, inputs, outputs = [], [], []
    span = length + targets
    for user, sequence in enumerate(data.train):
        padded = [0] * max(span - len(sequence), 0) + sequence
        for end in range(span, len(padded) + 1):
            users.append(user)
            inputs.append(padded[end - span : end - targets])
            outputs.append(padded[end - targets : end])
    return TensorDataset(torch.tensor(users), torch.tensor(inputs), torch.tensor(outputs))


def last_items(data: Interactions, length: int) -> torch.Tensor:
    """Each user's most recent `length` training items, left-padded: the evaluation input."""
    rows = [([0] * length + seq)[-length:] for seq in data.train]
    return torch.tensor(rows, dtype=torch.int64)


def _coprime(a: int, b: int) -> bool:
    while b:
        a, b = b, a % b
    return a == 1
