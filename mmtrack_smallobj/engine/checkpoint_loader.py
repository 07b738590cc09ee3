"""Load local checkpoints with ``torch.load(weights_only=True)``.

torch 2.6 made ``weights_only=True`` the default of ``torch.load``. mmengine
0.10.7 (the last release, the one mmtrack 1.0.0rc1 runs on) relies on the
old default, so every checkpoint its runner writes was refused and ``mim
test``, ``load_from`` and ``--resume`` failed. This module re-registers
mmengine's loader for local paths (``CheckpointLoader`` scheme ``''``).

What a runner checkpoint holds (inspected on checkpoints written by a tiny
mmengine runner and by ``mim train mmtrack`` on our CPU default): ``meta``,
``state_dict``, ``optimizer`` and ``param_schedulers`` are plain types and
tensors, which weights-only loading admits. The ``message_hub`` is not: its
``log_scalars`` are mmengine ``HistoryBuffer`` objects holding numpy arrays,
``runtime_info`` holds numpy scalars, and each buffer pickles its statistics
methods by reference, which pickle protocol 2 writes as
``getattr(HistoryBuffer, 'min')``.

Design, the safest that still loads what mmengine writes:

1. Every local load is ``weights_only=True``. For that one call
   (``torch.serialization.safe_globals``, so torch's process-wide allowlist
   is left as it was) we admit exactly ``HistoryBuffer``, numpy's array and
   scalar reconstructors with the numeric dtypes (no object arrays), and,
   under the name ``builtins.getattr``, :func:`_history_buffer_method`. The
   real ``getattr`` cannot be admitted: reaching e.g. a function's
   ``__globals__`` from an admitted class would reach everything. Ours
   returns only public functions defined on ``HistoryBuffer``. Model-only
   checkpoints (a state dict, or ``{'state_dict': ..., 'meta': ...}`` of
   plain types) use none of this; runner checkpoints need no opt-in, so
   ``mim test``, ``load_from`` and ``--resume`` work as they are.
2. Anything else (say a hook that stored its own object in the message hub,
   or a pickled ``nn.Module``) is refused with a :class:`CheckpointLoadError`
   naming the file and the refused global. Full unpickling
   (``weights_only=False``, which can run arbitrary code) happens only under
   an explicit opt-in: the environment variable
   ``MMTRACK_SMALLOBJ_TRUST_CHECKPOINTS=1`` (reaches ``mim`` subprocesses) or
   ``with trust_checkpoints():`` (this module) in Python. See
   docs/checkpoints.md.
3. A missing file is a ``FileNotFoundError``; a truncated or corrupt file,
   one that is no PyTorch checkpoint, or one that holds no dict is a
   :class:`CheckpointLoadError`. It is a ``ValueError``, not a
   ``RuntimeError``: ``init_tracker`` reads a ``RuntimeError`` from
   ``load_checkpoint`` as "the weights do not fit the model", and the tools
   report ``ValueError`` as bad input (exit code 2).

Remote schemes (http, s3, ...) are left to mmengine; they call
``torch.load`` with torch's default, which is ``weights_only=True``.
"""
import contextlib
import logging
import os
import os.path as osp
import pickle
import threading
import types
from contextvars import ContextVar
from typing import Any, Callable, Iterator, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer, print_log
from mmengine.runner.checkpoint import CheckpointLoader

try:  # numpy >= 2
    from numpy._core import multiarray as _multiarray
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core import multiarray as _multiarray

__all__ = [
    'TRUST_ENV', 'CheckpointLoadError', 'checkpoints_trusted',
    'trust_checkpoints', 'load_from_local'
]

MapLocation = Optional[Union[str, torch.device, Callable]]
SafeGlobal = Union[Callable, Tuple[Callable, str]]

TRUST_ENV = 'MMTRACK_SMALLOBJ_TRUST_CHECKPOINTS'
_TRUE = ('1', 'true', 'yes', 'on')
_trusted = ContextVar('trusted_checkpoints', default=False)
# torch's allowlist is process-wide: two threads loading at once must not
# remove each other's entries halfway through a load.
_allowlist_lock = threading.Lock()

# What torch's weights-only unpickler says when a file is a pickle it reads
# but holds objects outside the allowlist (as opposed to garbage bytes).
_REFUSED_MARKERS = ('Unsupported global', 'unsupported GLOBAL',
                    'Trying to call reduce', 'Can only build',
                    'Can only create new object', 'refused getattr')


class CheckpointLoadError(ValueError):
    """A checkpoint file that cannot (or may not) be loaded.

    Args:
        path (str): The checkpoint file.
        message (str): What is wrong with it.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f'checkpoint {path} {message}')


def checkpoints_trusted() -> bool:
    """Whether full unpickling of refused checkpoints is allowed here.

    Returns:
        bool: True inside :func:`trust_checkpoints` or when the environment
        variable ``MMTRACK_SMALLOBJ_TRUST_CHECKPOINTS`` is 1 (or true, yes,
        on).
    """
    env = os.environ.get(TRUST_ENV, '').strip().lower()
    return _trusted.get() or env in _TRUE


@contextlib.contextmanager
def trust_checkpoints() -> Iterator[None]:
    """Allow full unpickling (``weights_only=False``) of local checkpoints
    that weights-only loading refuses, for the duration of the block.

    Only for files you trust: unpickling can run arbitrary code. Runner
    checkpoints (``--resume``, ``load_from``) do not need it.
    """
    token = _trusted.set(True)
    try:
        yield
    finally:
        _trusted.reset(token)


def _history_buffer_method(obj: Any, name: str) -> Callable:
    """Stand-in for ``builtins.getattr`` while unpickling: resolves only
    ``HistoryBuffer.<public function>``, the references a HistoryBuffer's
    statistics methods are pickled as.

    Raises:
        pickle.UnpicklingError: For any other object or attribute.
    """
    if obj is HistoryBuffer and not name.startswith('_') and isinstance(
            vars(HistoryBuffer).get(name), types.FunctionType):
        return vars(HistoryBuffer)[name]
    raise pickle.UnpicklingError(
        f'refused getattr({obj!r}, {name!r}): only public HistoryBuffer '
        'methods may be referenced')


def _runner_safe_globals() -> List[SafeGlobal]:
    """The globals of an mmengine runner checkpoint beyond torch's default
    weights-only allowlist (see the module docstring)."""
    # dict.fromkeys: numpy lists some classes twice (Int64DType, LongDType).
    numeric = dict.fromkeys(
        cls for cls in vars(np.dtypes).values()
        if isinstance(cls, type) and issubclass(cls, np.dtype)
        and isinstance(getattr(cls, 'type', None), type)
        and issubclass(cls.type, (np.number, np.bool_)))
    safe: List[SafeGlobal] = [
        HistoryBuffer, np.ndarray, np.dtype, *numeric,
        (_history_buffer_method, 'builtins.getattr')
    ]
    # numpy 2 pickles these under numpy._core, numpy 1.x under numpy.core.
    for module in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        safe += [(_multiarray._reconstruct, f'{module}._reconstruct'),
                 (_multiarray.scalar, f'{module}.scalar')]
    return safe


def _first_line(err: BaseException) -> str:
    """The gist of an exception: its type and first sentence."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    # torch appends paragraphs of advice to its reader errors.
    gist = lines[0].split('. ', 1)[0] if lines else repr(err)
    return f'{type(err).__name__}: {gist}'


def _weights_only_reason(err: pickle.UnpicklingError) -> str:
    """torch's own reason, without the advice it wraps it in.

    torch re-raises the unpickler's error ``from None`` inside a long
    message; the original is still its ``__context__``.
    """
    cause = err.__context__ if isinstance(err.__context__, Exception) else err
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    if not lines:
        return _first_line(err)
    # Keep the sentence naming the global, not the advice after it.
    return lines[0].split(' Please use', 1)[0]


def _unreadable(filename: str,
                err: BaseException,
                gist: Optional[str] = None) -> CheckpointLoadError:
    """The error for a file torch could not load; ``gist`` replaces the
    exception's first line where that is only torch's advice."""
    text, gist = str(err), gist or _first_line(err)
    if isinstance(err, RuntimeError) and not any(
            key in text for key in ('PytorchStreamReader', 'zip archive')):
        # Not the file's structure (e.g. a map_location on a missing
        # device): say what torch said, without guessing at corruption.
        return CheckpointLoadError(filename, f'cannot be loaded ({gist})')
    return CheckpointLoadError(
        filename, 'cannot be read: it is truncated, corrupt or not a PyTorch '
        f'checkpoint ({gist})')


def _load_weights_only(filename: str, map_location: MapLocation) -> Any:
    """``torch.load(weights_only=True)`` with the runner allowlist active
    for this call only; globals someone already allowlisted stay so."""
    with _allowlist_lock:
        present = set(torch.serialization.get_safe_globals())
        extra = [g for g in _runner_safe_globals() if g not in present]
        with torch.serialization.safe_globals(extra):
            return torch.load(
                filename, map_location=map_location, weights_only=True)


def _load_trusted(filename: str, map_location: MapLocation,
                  reason: str) -> Any:
    """Full unpickling, logged, for an explicitly trusted file."""
    print_log(
        f'checkpoint {filename}: weights-only loading refused it ({reason});'
        f' unpickling it fully because checkpoints are trusted ({TRUST_ENV}'
        ' or trust_checkpoints())',
        logger='current',
        level=logging.WARNING)
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=False)
    except (RuntimeError, EOFError, pickle.UnpicklingError, KeyError,
            IndexError, ValueError, AttributeError, ImportError,
            OSError) as err:
        raise _unreadable(filename, err) from err


def load_from_local(filename: str, map_location: MapLocation = None) -> Any:
    """Load a local checkpoint, weights-only unless trusted (module docs).

    The name matters: mmengine logs "Loads checkpoint by <name minus
    'load_from_'> backend", so this one reads "by local backend" as
    mmengine's own does.

    Args:
        filename (str): Local path of the checkpoint.
        map_location (str | torch.device | Callable, optional): Passed to
            ``torch.load``.

    Returns:
        dict: The checkpoint (a state dict, or a dict with ``state_dict``).

    Raises:
        FileNotFoundError: If ``filename`` is not a file (named in the
            message).
        CheckpointLoadError: If the file is truncated, corrupt or not a
            checkpoint, holds no dict, or holds objects that weights-only
            loading refuses and checkpoints are not trusted.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found.')
    try:
        checkpoint = _load_weights_only(filename, map_location)
    except pickle.UnpicklingError as err:
        reason = _weights_only_reason(err)
        if not any(marker in reason for marker in _REFUSED_MARKERS):
            raise _unreadable(filename, err, reason) from err
        if not checkpoints_trusted():
            raise CheckpointLoadError(
                filename, f'holds objects that weights-only loading refuses '
                f'({reason}). Load it only if you trust its source: set '
                f'{TRUST_ENV}=1, or load it inside mmtrack_smallobj.engine.'
                'checkpoint_loader.trust_checkpoints()') from None
        checkpoint = _load_trusted(filename, map_location, reason)
    except OSError as err:
        if err.filename is not None:  # e.g. permission denied: names it
            raise
        # torch's zip reader on a cut file: '[Errno 22] Invalid argument'.
        raise _unreadable(filename, err) from err
    except (RuntimeError, EOFError, KeyError, IndexError, ValueError) as err:
        # torch's zip reader (RuntimeError) and the legacy pickle reader
        # (EOFError, KeyError, ...) fail this way on cut or foreign files.
        raise _unreadable(filename, err) from err
    if not isinstance(checkpoint, dict):
        raise CheckpointLoadError(
            filename, f'holds a {type(checkpoint).__name__}, not a dict of '
            'weights (a state dict or a dict with a state_dict)')
    return checkpoint


# mmengine dispatches on the longest matching prefix; '' is its local-path scheme.
CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local)
