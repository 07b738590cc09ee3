"""Run mmtrack's own ``tools/train.py`` and ``tools/test.py`` with mim's arguments.

Two mismatches between mim 0.3 and mmtrack 1.0.0rc1's tools break plain OpenMMLab
workflows, and both are argument-spelling problems, so we fix the arguments and hand
over to mmtrack's unmodified scripts rather than keeping copies of them:

* ``mim test mmtrack CONFIG --checkpoint CKPT`` calls ``test.py CONFIG CKPT``, but
  mmtrack's ``test.py`` only accepts ``--checkpoint CKPT``;
* ``torch.distributed.launch`` (used by mmtrack's ``dist_train.sh``) passes
  ``--local-rank=N``, but mmtrack's scripts declare ``--local_rank``.
"""
import os
import os.path as osp
import runpy
import sys
from typing import List, Optional, Sequence

from ..evaluation.functional.file_io import write_text_atomic

TOOL_NAMES = ('train', 'test')

# mim runs ``<pkg>/tools/test.py`` in preference to ``<pkg>/.mim/tools/test.py``,
# so a shim at the first path makes ``mim test mmtrack ... --checkpoint`` work.
_SHIM_TEXT = '''\
"""Installed by mmtrack_smallobj: mim passes the checkpoint positionally, which
mmtrack's .mim/tools/test.py rejects; this passes it on as --checkpoint."""
import sys

from mmtrack_smallobj.utils import run_mmtrack_tool

if __name__ == '__main__':
    run_mmtrack_tool('test', sys.argv[1:])
'''


def mmtrack_tool_path(name: str) -> str:
    """Path of mmtrack's own tool script, as installed with mmtrack.

    Args:
        name (str): ``'train'`` or ``'test'``.

    Returns:
        str: Absolute path of ``mmtrack/.mim/tools/<name>.py``.
    """
    if name not in TOOL_NAMES:
        raise ValueError(f'unknown mmtrack tool {name!r}; expected one of '
                         f'{TOOL_NAMES}')
    import mmtrack
    path = osp.join(
        osp.dirname(mmtrack.__file__), '.mim', 'tools', f'{name}.py')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'mmtrack tool script not found at {path}: is mmtrack installed '
            'from its wheel (which ships .mim/tools)?')
    return path


def normalise_tool_argv(name: str, argv: Sequence[str]) -> List[str]:
    """Rewrite mim/launcher arguments into the spelling mmtrack's tools accept.

    Args:
        name (str): ``'train'`` or ``'test'``.
        argv (Sequence[str]): Arguments after the script name.

    Returns:
        list[str]: Arguments for mmtrack's script. For ``test``, a second
        positional argument (the checkpoint, as mim passes it) becomes
        ``--checkpoint``; giving both spellings is an error. ``--local-rank``
        becomes ``--local_rank`` for both tools.
    """
    out: List[str] = []
    positionals: List[str] = []
    has_checkpoint_flag = False
    # Options of mmtrack's tools that take a value; everything after them is
    # theirs (``--cfg-options`` takes several), so positionals end there.
    value_options = {'--checkpoint', '--work-dir', '--launcher', '--local_rank'}
    i = 0
    args = list(argv)
    while i < len(args):
        arg = args[i]
        if arg.startswith('--local-rank'):
            arg = arg.replace('--local-rank', '--local_rank', 1)
        if arg == '--checkpoint' or arg.startswith('--checkpoint='):
            has_checkpoint_flag = True
        if arg == '--cfg-options':
            out.extend(args[i:])
            break
        if arg.startswith('-'):
            out.append(arg)
            if arg in value_options and '=' not in arg and i + 1 < len(args):
                out.append(args[i + 1])
                i += 1
        else:
            positionals.append(arg)
        i += 1
    max_positionals = 2 if name == 'test' else 1
    if len(positionals) > max_positionals:
        raise SystemExit(
            f'{name}.py: unexpected positional arguments {positionals[1:]}; '
            f'usage: {name}.py CONFIG' + (' [CHECKPOINT]' if name == 'test'
                                           else ''))
    if len(positionals) == 2:
        if has_checkpoint_flag:
            raise SystemExit(
                'test.py: the checkpoint was given twice (positionally and as '
                '--checkpoint); give it once')
        return [positionals[0], '--checkpoint', positionals[1]] + out
    return positionals + out


def run_mmtrack_tool(name: str, argv: Optional[Sequence[str]] = None) -> None:
    """Run mmtrack's ``tools/<name>.py`` as ``__main__`` with fixed arguments.

    Args:
        name (str): ``'train'`` or ``'test'``.
        argv (Sequence[str], optional): Arguments after the script name;
            ``sys.argv[1:]`` when omitted.
    """
    script = mmtrack_tool_path(name)
    argv = sys.argv[1:] if argv is None else argv
    sys.argv = [script] + normalise_tool_argv(name, argv)
    runpy.run_path(script, run_name='__main__')


def install_mim_test_shim(mmtrack_root: Optional[str] = None) -> str:
    """Write the shim that makes ``mim test mmtrack CONFIG --checkpoint`` work.

    Args:
        mmtrack_root (str, optional): The installed ``mmtrack`` package folder;
            found by import when omitted.

    Returns:
        str: The path written (``<mmtrack>/tools/test.py``).
    """
    if mmtrack_root is None:
        import mmtrack
        mmtrack_root = osp.dirname(mmtrack.__file__)
    path = osp.join(mmtrack_root, 'tools', 'test.py')
    os.makedirs(osp.dirname(path), exist_ok=True)
    write_text_atomic(path, _SHIM_TEXT)
    return path
