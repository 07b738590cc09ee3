"""Let mmengine 0.10.7 read its own checkpoints under torch >= 2.6.

torch 2.6 changed ``torch.load``'s default to ``weights_only=True``. mmengine 0.10.7
(the last release, and the one mmtrack 1.0.0rc1 runs on) calls ``torch.load`` without
the argument, and every checkpoint its runner saves holds the message hub's
``HistoryBuffer`` objects, which pickle bound methods through ``getattr``: no
allowlist of safe globals can admit them without admitting ``getattr`` itself. So
``mim test``, ``load_from`` and ``resume`` all fail on a checkpoint that mmengine
has just written.

We re-register mmengine's loader for local paths with ``weights_only=False``,
which is what mmengine was written against. As with any OpenMMLab checkpoint,
only load files you trust. Remote schemes (http, s3, ...) are untouched.
"""
import os.path as osp
from typing import Any, Callable, Optional, Union

import torch
from mmengine.runner.checkpoint import CheckpointLoader

MapLocation = Optional[Union[str, torch.device, Callable]]


def load_from_local(filename: str, map_location: MapLocation = None) -> Any:
    """Load a checkpoint file written by mmengine's runner.

    The name matters: mmengine logs "Loads checkpoint by <name minus
    'load_from_'> backend", so this one reads "by local backend" as
    mmengine's own does.

    Args:
        filename (str): Local path of the checkpoint.
        map_location (str | torch.device | Callable, optional): Passed to
            ``torch.load``.

    Returns:
        The unpickled checkpoint (usually a dict with ``state_dict``).

    Raises:
        FileNotFoundError: If ``filename`` is not a file (named in the message).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)


# mmengine dispatches on the longest matching prefix; '' is its local-path scheme.
CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local)
