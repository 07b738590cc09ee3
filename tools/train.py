"""Train a model with mmtrack's own train script (same arguments).

Usage::

    python tools/train.py CONFIG [--work-dir DIR] [--resume] [--amp]
                          [--launcher {none,pytorch,slurm,mpi}]
                          [--cfg-options ...]
    bash tools/dist_train.sh CONFIG NPROC [same arguments]

Under a launcher, the local rank may come as ``--local-rank N`` (how
``torch.distributed.launch`` spells it under torch 2), ``--local_rank N``
(mmtrack's spelling) or the ``LOCAL_RANK`` environment variable (torchrun).
Without CUDA, ``--launcher pytorch`` trains on CPU with the gloo backend
(see ``mmtrack_smallobj.utils.distributed`` and docs/distributed.md).
"""
import sys

from mmtrack_smallobj.utils import run_mmtrack_tool
from mmtrack_smallobj.utils.distributed import cpu_distributed_argv

if __name__ == '__main__':
    run_mmtrack_tool('train', cpu_distributed_argv(sys.argv[1:]))
