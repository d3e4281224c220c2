from __future__ import annotations

import pytest
import torch

from catalogue import Catalogue, get_catalogue


@pytest.fixture(scope="session", autouse=True)
def one_thread() -> None:
    # The test machine is shared: one intra-op thread avoids thrashing against other jobs.
    torch.set_num_threads(1)


@pytest.fixture
def catalogue() -> Catalogue:
    return get_catalogue()
