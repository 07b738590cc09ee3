"""Fixtures shared by every model test."""
from typing import Iterator

import pytest
from torch_threads import one_torch_thread


@pytest.fixture(autouse=True)
def single_thread() -> Iterator[None]:
    """Run each model test on one intra-op thread (see torch_threads)."""
    with one_torch_thread():
        yield
