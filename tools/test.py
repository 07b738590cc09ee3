"""Test (evaluate) a model with mmtrack's own test script.

Usage::

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--cfg-options ...]
    python tools/test.py CONFIG --checkpoint CHECKPOINT ...

Unlike mmtrack 1.0.0rc1's ``tools/test.py``, the checkpoint may be given
positionally, which is how ``mim test`` passes it.
"""
from mmtrack_smallobj.utils import run_mmtrack_tool

if __name__ == '__main__':
    run_mmtrack_tool('test')
