"""Fixtures shared by every model test."""
from typing import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def single_thread() -> Iterator[None]:
    """Run each model test on one intra-op thread.

    These tiny convolutions gain nothing from threads, and on a shared 2-core
    machine OpenMP's waiting threads fight other processes: the DLA training
    test took 22 s with 2 threads next to another pytest, 0.5 s with one.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
