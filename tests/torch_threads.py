"""One torch thread for tiny models.

On a shared 2-core machine OpenMP's waiting threads fight other processes:
tiny convolutions gain nothing from threads and run many times slower with
them (the DLA training test took 22 s with 2 threads next to another
pytest, 0.5 s with one)."""
import contextlib
import os
from typing import Dict, Iterator

import torch


@contextlib.contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run the block on one intra-op thread; restore the count after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def one_thread_env(**extra: str) -> Dict[str, str]:
    """This process's environment for a subprocess that runs torch on one
    OpenMP thread, with ``extra`` variables set."""
    return dict(os.environ, OMP_NUM_THREADS='1', **extra)
