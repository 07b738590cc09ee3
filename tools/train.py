"""Train a model with mmtrack's own train script (same arguments).

Usage::

    python tools/train.py CONFIG [--work-dir DIR] [--resume] [--cfg-options ...]

Accepts ``--local-rank`` as ``torch.distributed.launch`` spells it.
"""
from mmtrack_smallobj.utils import run_mmtrack_tool

if __name__ == '__main__':
    run_mmtrack_tool('train')
