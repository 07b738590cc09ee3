"""Fixtures of the whole suite."""
from typing import Iterator

import pytest
from torch_threads import one_torch_thread


@pytest.fixture(scope='session', autouse=True)
def one_thread() -> Iterator[None]:
    """Every test on one torch intra-op thread (see torch_threads)."""
    with one_torch_thread():
        yield
