"""Caser sequential recommendation, scored by precision@10 (nDCG@10 logged beside it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.utils.data import Dataset

from ..data.sequences import Interactions, gowalla, last_items, synthetic, windows
from ..metrics import ndcg_at_k, precision_at_k
from ..networks import Caser
from .base import Context, Quality, StopCheck, Workload, require_data_root

L, T, NEGATIVES, K = 5, 3, 3, 10  # Caser's reference window, targets, negatives; the metric's k
EVAL_SCORES_PER_CHUNK = 2_000_000  # users x items scored at once, to bound evaluation memory


class UserHistories(Dataset):
    """The evaluation set: one entry per user (its length is the eval_samples figure)."""

    def __init__(self, data: Interactions):
        self.data = data
        self.inputs = last_items(data, L)
        # Each user's training items (as score columns), to mask them out of the ranking.
        seen = [(user, item - 1) for user, sequence in enumerate(data.train) for item in set(sequence)]
        self.seen = torch.tensor(seen, dtype=torch.int64).reshape(-1, 2)

    def __len__(self) -> int:
        return self.data.num_users

    def __getitem__(self, user: int) -> tuple[torch.Tensor, set[int]]:
        return self.inputs[user], self.data.test[user]


def build(context: Context) -> Workload:
    if context.smoke:
        seed = context.smoke_seeds()[0]
        data = synthetic(users=600, clusters=10, cluster_size=20, train_len=12, test_len=5, seed=seed)
    else:
        data = gowalla(require_data_root(context, "gowalla") / "loc-gowalla_totalCheckins.txt")

    model_kwargs = {"num_users": data.num_users, "num_items": data.num_items, "sequence_length": L}

    def flops_batch() -> tuple[torch.Tensor, ...]:
        return torch.tensor([0, 1]), torch.ones(2, L, dtype=torch.int64), torch.ones(2, T, dtype=torch.int64)

    return Workload(
        model_label=context.model_label,
        make_model=context.model_maker(
            model_kwargs, lambda: Caser(data.num_users, data.num_items, sequence_length=L)
        ),
        train_set=windows(data, L, T),
        eval_set=UserHistories(data),
        train_loss=make_train_loss(data.num_items),
        evaluate=_evaluate,
        flops_batch=flops_batch,
        smoke_epochs=30,
        model_kwargs=model_kwargs,
    )


def make_train_loss(num_items: int) -> Callable[[nn.Module, Any, torch.device], tuple[torch.Tensor, int]]:
    def train_loss(model: nn.Module, batch: Any, device: torch.device) -> tuple[torch.Tensor, int]:
        users, inputs, targets = (part.to(device, non_blocking=True) for part in batch)
        # Uniform negatives, as Caser samples them; a rare clash with a positive is tolerated.
        negatives = torch.randint(1, num_items + 1, (len(users), NEGATIVES), device=device)
        scores = model(inputs, users, torch.cat([targets, negatives], 1))
        positive, negative = scores[:, :T], scores[:, T:]
        loss = -nn.functional.logsigmoid(positive).mean() - nn.functional.logsigmoid(-negative).mean()
        return loss, len(users)

    return train_loss


@torch.no_grad()
def _evaluate(model: nn.Module, histories: Dataset, device: torch.device, stop: StopCheck) -> Quality | None:
    assert isinstance(histories, UserHistories)
    data = histories.data
    items = torch.arange(1, data.num_items + 1, device=device)
    chunk = max(1, EVAL_SCORES_PER_CHUNK // data.num_items)
    precision = ndcg = 0.0
    for first in range(0, data.num_users, chunk):
        if stop():
            return None
        users = torch.arange(first, min(first + chunk, data.num_users), device=device)
        scores = model(histories.inputs[users.cpu()].to(device), users, items.expand(len(users), -1)).cpu()
        seen = histories.seen[(histories.seen[:, 0] >= first) & (histories.seen[:, 0] < first + len(users))]
        scores[seen[:, 0] - first, seen[:, 1]] = -torch.inf  # history items are not recommended again
        for user, ranked in zip(users.tolist(), (scores.topk(K, dim=1).indices + 1).tolist(), strict=True):
            precision += precision_at_k(ranked, data.test[user], K)
            ndcg += ndcg_at_k(ranked, data.test[user], K)
    return Quality(precision / data.num_users, {"ndcg_at_10": ndcg / data.num_users})
