"""Let mmtrack's train script run distributed on machines without CUDA.

``torchrun ... tools/train.py CONFIG --launcher pytorch`` on GPUs needs
nothing from us. Without CUDA (a CPU-only torch build, or no visible GPU),
mmengine 0.10 fails twice before the first iteration:

* ``mmengine.dist.init_dist`` calls ``torch.cuda.set_device(LOCAL_RANK)``
  before creating the process group, which raises without CUDA;
* ``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]`` to
  ``DistributedDataParallel``, which rejects device ids for a CPU model.

:func:`cpu_distributed_argv` works around both from the outside, keeping
mmengine's own launcher and training loop: it creates the gloo process group
from the environment torchrun sets (the Runner then skips ``init_dist``,
because a group exists), and adds ``--cfg-options`` that give
``DistributedDataParallel`` no device ids.
"""
import os
from typing import Dict, List, Sequence

import torch
import torch.distributed as torch_dist

from .mmtrack_tools import normalise_tool_argv

__all__ = ['launcher_of', 'cpu_distributed_argv']

# What torchrun (and torch.distributed.launch) export to every process.
TORCHRUN_ENV = ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')


def launcher_of(argv: Sequence[str]) -> str:
    """The ``--launcher`` value of a train command line.

    Args:
        argv (Sequence[str]): Arguments after the script name.

    Returns:
        str: ``'none'`` when the option is absent, as in mmtrack's script.
    """
    args = list(argv)
    launcher = 'none'
    for i, arg in enumerate(args):
        if arg == '--launcher' and i + 1 < len(args):
            launcher = args[i + 1]
        elif arg.startswith('--launcher='):
            launcher = arg.split('=', 1)[1]
    return launcher


def _user_cfg_keys(argv: Sequence[str]) -> List[str]:
    """Keys the user sets with ``--cfg-options``; theirs win over ours."""
    keys = []
    in_options = False
    for arg in argv:
        if arg == '--cfg-options':
            in_options = True
        elif arg.startswith('-'):
            in_options = False
        elif in_options and '=' in arg:
            keys.append(arg.split('=', 1)[0])
    return keys


def _wrapper_options(config_path: str) -> Dict[str, str]:
    """``--cfg-options`` that build DistributedDataParallel for a CPU model.

    Without ``model_wrapper_cfg``, the Runner builds
    ``MMDistributedDataParallel(broadcast_buffers=False,
    find_unused_parameters=cfg.find_unused_parameters)``; we spell out the
    same wrapper, without device ids. With one, only the device ids change.
    """
    from mmengine.config import Config
    cfg = Config.fromfile(config_path)
    options = {'model_wrapper_cfg.device_ids': 'None'}
    if cfg.get('model_wrapper_cfg', None) is None:
        options.update({
            'model_wrapper_cfg.type': 'MMDistributedDataParallel',
            'model_wrapper_cfg.broadcast_buffers': 'False',
            'model_wrapper_cfg.find_unused_parameters':
            str(bool(cfg.get('find_unused_parameters', False))),
        })
    return options


def cpu_distributed_argv(argv: Sequence[str]) -> List[str]:
    """Prepare a distributed CPU run of mmtrack's train script.

    Does nothing (returns ``argv`` unchanged) for ``--launcher none`` and
    whenever CUDA is available. Otherwise, for ``--launcher pytorch``, it
    creates the gloo process group (mmengine's ``dist_cfg.backend`` default,
    nccl, needs GPUs; ``dist_cfg.timeout`` is not applied) and returns
    ``argv`` with ``--cfg-options`` that build DDP without device ids
    (``model_wrapper_cfg...`` keys the user sets are left to the user).

    Args:
        argv (Sequence[str]): Arguments after the script name.

    Returns:
        list[str]: The arguments to hand to mmtrack's train script.

    Raises:
        SystemExit: For ``slurm`` or ``mpi`` without CUDA, which mmengine
            cannot start on CPU, or when the torchrun environment is missing.
    """
    launcher = launcher_of(argv)
    if launcher == 'none' or torch.cuda.is_available():
        return list(argv)
    if launcher != 'pytorch':
        raise SystemExit(
            f'train.py: --launcher {launcher} needs CUDA (mmengine pins each '
            'process to a GPU); on CPU, start the processes with torchrun '
            '(bash tools/dist_train.sh CONFIG NPROC) and --launcher pytorch')
    missing = [name for name in TORCHRUN_ENV if name not in os.environ]
    if missing:
        raise SystemExit(
            f'train.py: --launcher pytorch but {", ".join(missing)} not set; '
            'start it with torchrun (bash tools/dist_train.sh CONFIG NPROC '
            'or python -m torch.distributed.run --nproc_per_node N ...)')
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend='gloo')
    config_path = normalise_tool_argv('train', argv)[0]
    taken = set(_user_cfg_keys(argv))
    extra = [
        f'{key}={value}'
        for key, value in _wrapper_options(config_path).items()
        if key not in taken
    ]
    if not extra:
        return list(argv)
    return list(argv) + ['--cfg-options'] + extra
