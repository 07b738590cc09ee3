"""Reading box, score and flag text files with validation, and writing
result files atomically.

A results file that is short by one line, or has one garbled line, must not
turn into a silently shifted or truncated evaluation. Every structural
problem is an :class:`EvaluationInputError` naming the file and the line;
callers that want such rows scored as failures instead say so explicitly
(``lenient=True``), and get a per-row ``failed`` mask back.

Values are not judged here: NaN, negative or zero sizes are legal numbers
whose meaning depends on the evaluation convention (``frame_scores``).
"""
import json
import math
import os
import os.path as osp
import re
import tempfile
import time
import zipfile
from typing import Any, BinaryIO, Callable, Dict, List, Optional, Tuple

import numpy as np

__all__ = [
    'EvaluationInputError', 'read_box_file', 'read_score_file',
    'read_flag_file', 'write_atomic', 'write_text_atomic', 'write_strict_json',
    'write_zip_atomic', 'write_result_files'
]

# LaSOT and pytracking write commas, some trackers tabs or spaces.
_SEP = re.compile(r'[,\t ]+')


class EvaluationInputError(ValueError):
    """Bad evaluation input, with the file (and line) it was found in.

    Args:
        path (str): The offending file.
        message (str): What is wrong.
        line (int, optional): 1-based line number.
    """

    def __init__(self, path: str, message: str,
                 line: Optional[int] = None) -> None:
        self.path = path
        self.line = line
        where = f'{path}, line {line}' if line is not None else path
        super().__init__(f'{where}: {message}')


def _read_lines(path: str) -> List[str]:
    """Lines of a text file without trailing blank lines."""
    if not osp.isfile(path):
        raise EvaluationInputError(path, 'file not found')
    try:
        with open(path, 'r', encoding='utf-8') as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise EvaluationInputError(path, f'cannot be read ({err})') from err
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _read_rows(path: str, width: int, expected: Optional[int],
               lenient: bool, what: str) -> Tuple[np.ndarray, np.ndarray]:
    """Parse ``width`` numbers per line; see :func:`read_box_file`."""
    lines = _read_lines(path)
    if not lines:
        if not lenient or expected is None:
            raise EvaluationInputError(path, f'empty file (expected '
                                       f'{expected or "some"} {what} lines)')
        return np.full((expected, width), np.nan), np.ones(expected, bool)
    rows = np.full((len(lines), width), np.nan)
    failed = np.zeros(len(lines), bool)
    for i, line in enumerate(lines):
        tokens = [t for t in _SEP.split(line.strip()) if t]
        try:
            if len(tokens) != width:
                raise ValueError(f'{len(tokens)} values, expected {width}')
            rows[i] = [float(t) for t in tokens]
        except ValueError as err:
            if not lenient:
                raise EvaluationInputError(
                    path, f'unreadable {what} line {line.strip()!r} ({err})',
                    i + 1) from None
            failed[i] = True
    if expected is not None and len(lines) != expected:
        if not lenient:
            raise EvaluationInputError(
                path, f'has {len(lines)} lines but the video has {expected} '
                'frames', min(len(lines), expected) + 1)
        if len(lines) > expected:
            rows, failed = rows[:expected], failed[:expected]
        else:
            pad = expected - len(lines)
            rows = np.concatenate([rows, np.full((pad, width), np.nan)])
            failed = np.concatenate([failed, np.ones(pad, bool)])
    return rows, failed


def read_box_file(path: str,
                  expected: Optional[int] = None,
                  lenient: bool = False) -> Tuple[np.ndarray, np.ndarray]:
    """Read one ``x, y, w, h`` box per line (comma, tab or space separated).

    Args:
        path (str): Text file.
        expected (int, optional): Required number of lines (frames).
        lenient (bool): Instead of raising, mark unreadable rows and rows
            missing at the end as failed (filled with NaN) and drop extra
            rows. Defaults to False.

    Returns:
        tuple[np.ndarray, np.ndarray]: (N, 4) float64 boxes in ``x, y, w, h``
        and the (N,) bool ``failed`` mask.

    Raises:
        EvaluationInputError: Missing, unreadable or empty file, a line that
            is not four numbers, or a line count different from
            ``expected`` (unless ``lenient``).
    """
    return _read_rows(path, 4, expected, lenient, 'box')


def read_score_file(path: str,
                    expected: Optional[int] = None,
                    lenient: bool = False) -> Tuple[np.ndarray, np.ndarray]:
    """Read one confidence per line; failed rows get NaN (never present).

    Args:
        path (str): Text file.
        expected (int, optional): Required number of lines.
        lenient (bool): See :func:`read_box_file`.

    Returns:
        tuple[np.ndarray, np.ndarray]: (N,) scores and (N,) ``failed``.
    """
    rows, failed = _read_rows(path, 1, expected, lenient, 'confidence')
    return rows[:, 0], failed


def read_flag_file(path: str, expected: int) -> np.ndarray:
    """Read integer flags, one line of comma-separated values (LaSOT) or one
    value per line (GOT-10k ``absence.label``, ``cover.label``).

    Args:
        path (str): Text file.
        expected (int): Required number of values (frames).

    Returns:
        np.ndarray: (expected,) int array.

    Raises:
        EvaluationInputError: naming the file (and line) for a value that
            is not an integer (``1.0`` is read as 1) or a wrong count.
    """
    lines = _read_lines(path)
    values: List[int] = []
    for i, line in enumerate(lines):
        for token in _SEP.split(line.strip()):
            if not token:
                continue
            try:
                value = float(token)
            except ValueError:
                raise EvaluationInputError(
                    path, f'unreadable flag {token!r}', i + 1) from None
            # '1.0' is a flag written as a float; '2.5' or 'nan' is no flag.
            if not value.is_integer():
                raise EvaluationInputError(
                    path, f'flag {token!r} is not an integer', i + 1)
            values.append(int(value))
    if len(values) != expected:
        raise EvaluationInputError(
            path, f'has {len(values)} values but the video has {expected} '
            'frames')
    return np.asarray(values, dtype=np.int64)


def user_file_mode() -> int:
    """The mode ``open`` gives a new file: 0o666 less the process umask.

    ``mkstemp`` makes owner-only files; atomic writers chmod their temporary
    file to this, so results follow the umask like any file the user writes.
    """
    # Reading the umask means setting it, so set it back.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


# Temporary files of the atomic writers: a dot, the target's name, a random
# part and '.tmp', so that nothing globbing for the targets (checkpoints,
# results) picks them up.
TMP_PREFIX = '.'
TMP_SUFFIX = '.tmp'


def _fsync_dir(folder: str) -> None:
    """Flush a folder's entries, so that a rename in it survives a crash."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        # Some platforms and file systems cannot open folders; the rename is
        # still atomic there, only its durability after a power cut is not.
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str,
                 write: Callable[[BinaryIO], None],
                 durable: bool = False) -> None:
    """Let ``write`` fill a temporary file beside ``path``, then rename it
    over ``path``: readers see the old file or the whole new one, never a
    half-written one, and concurrent writers never share a temporary name.
    On any failure (an exception, Ctrl-C) the temporary file is removed.
    The file's mode follows the umask, as ``open``'s would.

    Args:
        path (str): Destination; its folder must exist.
        write (Callable[[BinaryIO], None]): Writes the whole content.
        durable (bool): Also fsync the file before the rename and the
            folder after it, so that the new file survives a power cut
            (checkpoints). Defaults to False.
    """
    folder = osp.dirname(osp.abspath(path))
    fd, tmp = tempfile.mkstemp(
        prefix=f'{TMP_PREFIX}{osp.basename(path)}.',
        suffix=TMP_SUFFIX,
        dir=folder)
    try:
        os.chmod(tmp, user_file_mode())
        with os.fdopen(fd, 'wb') as f:
            write(f)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        # BaseException: a KeyboardInterrupt midway must not leave the
        # temporary file behind either.
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    if durable:
        _fsync_dir(folder)


def write_text_atomic(path: str, text: str,
                      newline: Optional[str] = None) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file beside it,
    then a rename).

    Args:
        path (str): Destination; its folder must exist.
        text (str): The whole content.
        newline (str, optional): As :func:`open`'s ``newline``: None
            translates ``\\n`` to the platform's line ending, ``''`` writes
            the text byte for byte (submission files whose format fixes the
            line ending). Defaults to None.
    """
    if newline not in (None, ''):
        raise ValueError(f"newline must be None or '', got {newline!r}")
    if newline is None and os.linesep != '\n':
        text = text.replace('\n', os.linesep)
    data = text.encode('utf-8')
    write_atomic(path, lambda f: f.write(data))


def _strict(value: Any) -> Any:
    """NaN -> None, +-inf -> 'inf' / '-inf', numpy numbers -> Python ones,
    recursively through dicts, lists and tuples."""
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(item) for item in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            return None if math.isnan(value) else (
                'inf' if value > 0 else '-inf')
    return value


def write_strict_json(path: str, value: Any) -> None:
    """Write ``value`` as strict JSON, atomically. Undefined numbers (NaN)
    become null and infinite ones (a threshold of -inf: "never absent") the
    strings '-inf' and 'inf', so that the information survives.

    Args:
        path (str): Destination; its folder must exist.
        value: Dicts, lists, strings, numbers (numpy ones too), None.
    """
    write_text_atomic(path,
                      json.dumps(_strict(value), indent=2, allow_nan=False))


def write_zip_atomic(path: str, members: Dict[str, bytes],
                     folders: bool = True) -> None:
    """Write a zip archive atomically: built in a temporary file beside
    ``path`` and renamed over it only once it is complete, so a failure
    midway leaves no partial archive (and any older archive intact).

    Args:
        path (str): Destination ``.zip``; its folder must exist.
        members (dict[str, bytes]): Member name (``/``-separated, relative)
            to content, written in sorted order, deflated.
        folders (bool): Also write an entry for every folder (``name/``),
            as ``shutil.make_archive`` does. Defaults to True.
    """
    names = sorted(members)
    dirs = sorted({
        '/'.join(name.split('/')[:i]) + '/'
        for name in names for i in range(1, name.count('/') + 1)
    }) if folders else []

    def write(f: BinaryIO) -> None:
        with zipfile.ZipFile(f, 'w', zipfile.ZIP_DEFLATED) as archive:
            for name in dirs:
                # a folder entry as make_archive (ZipFile.mkdir) writes it
                info = zipfile.ZipInfo(name, time.localtime()[:6])
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b'')
            for name in names:
                archive.writestr(name, members[name])

    write_atomic(path, write)


def _format_number(value: float, precision: int) -> str:
    """At most ``precision`` decimals, no trailing zeros."""
    return np.format_float_positional(
        float(value), precision=precision, trim='-')


def write_result_files(out_dir: str,
                       name: str,
                       boxes_xywh: np.ndarray,
                       scores: Optional[np.ndarray] = None,
                       box_precision: int = 4,
                       score_precision: int = 6) -> Tuple[str, str]:
    """Write one video's ``<name>.txt`` (``x,y,w,h`` per frame) and, with
    ``scores``, ``<name>_confidence.txt`` (one score per frame), each
    atomically, in the layout :func:`read_box_file` and
    :func:`read_score_file` read back.

    The confidences are written first, so a box file, which is what marks a
    video done, never lacks its confidences.

    Args:
        out_dir (str): Existing results folder.
        name (str): Video name.
        boxes_xywh (np.ndarray): (N, 4) boxes.
        scores (np.ndarray, optional): (N,) scores.
        box_precision (int): Decimals kept for boxes. Defaults to 4.
        score_precision (int): Decimals kept for scores. Defaults to 6.

    Returns:
        tuple[str, str]: Paths of the box and confidence files (the latter
        written only with ``scores``).
    """
    box_path = osp.join(out_dir, f'{name}.txt')
    conf_path = osp.join(out_dir, f'{name}_confidence.txt')
    if scores is not None:
        write_text_atomic(
            conf_path, ''.join(f'{_format_number(s, score_precision)}\n'
                               for s in np.asarray(scores).reshape(-1)))
    write_text_atomic(
        box_path,
        ''.join(','.join(_format_number(v, box_precision) for v in box) + '\n'
                for box in np.asarray(boxes_xywh).reshape(-1, 4)))
    return box_path, conf_path
