"""Read submissions back the way each benchmark's own reader does.

The readers mirror the published ones, so a round trip through
:func:`~.submission.write_submission` and :func:`read_submission` checks
what the server or toolkit will see:

* LaSOT, UAV123/UAV20L, TrackingNet and GOT-10k boxes, GOT-10k times:
  ``np.loadtxt(f, delimiter=',')`` (got10k toolkit ``ExperimentOTB.report``,
  ``ExperimentGOT10k.report``).
* VOT-LT: vot-toolkit ``read_trajectory``/``parse_region`` (one number is a
  special region, four a rectangle) and ``Trajectory.read`` for the
  ``.value`` files (an empty line is no value).
* OxUvA: ``load_predictions_csv`` (optional header, ``present`` parsed by
  ``str2bool``, the rectangle ignored when absent).
* Anti-UAV: ``json.load(f)['res']``, ``[]`` (or ``[0]``) meaning absent.
"""
import csv
import io
import json
import os
import os.path as osp
import zipfile
from collections import defaultdict
from typing import Callable, Dict, List

import numpy as np

from .submission import (ARCHIVE_BENCHMARKS, SubmissionError,
                         SubmissionVideo, normalize_benchmark,
                         submission_path)

__all__ = ['read_submission', 'read_submission_files']

_OXUVA_FIELDS = ['video', 'object', 'frame_num', 'present', 'score', 'xmin',
                 'xmax', 'ymin', 'ymax']


def read_submission_files(benchmark: str, prefix: str) -> Dict[str, str]:
    """The files of a submission as text, keyed by their ``/``-separated
    path inside the zip or the folder (zip folder entries left out).

    Args:
        benchmark (str): Benchmark name.
        prefix (str): As given to ``write_submission``.

    Returns:
        dict[str, str]: Relative path to text (decoded without newline
        translation, so line endings are kept).
    """
    path = submission_path(benchmark, prefix)
    if normalize_benchmark(benchmark) in ARCHIVE_BENCHMARKS:
        with zipfile.ZipFile(path) as archive:
            return {
                name: archive.read(name).decode('utf-8')
                for name in archive.namelist() if not name.endswith('/')
            }
    files = {}
    for root, _, names in os.walk(path):
        for name in names:
            full = osp.join(root, name)
            with open(full, 'r', encoding='utf-8', newline='') as f:
                files[osp.relpath(full, path).replace(os.sep, '/')] = f.read()
    return files


def _loadtxt(text: str) -> np.ndarray:
    """The toolkit's ``np.loadtxt(f, delimiter=',')``, always 2-D."""
    return np.loadtxt(io.StringIO(text), delimiter=',', ndmin=2)


def _read_ope(files: Dict[str, str]) -> List[SubmissionVideo]:
    """``<video>.txt`` files at the top level."""
    return [
        SubmissionVideo(rel[:-len('.txt')], _loadtxt(text))
        for rel, text in sorted(files.items())
        if '/' not in rel and rel.endswith('.txt')
    ]


def _read_got10k(files: Dict[str, str]) -> List[SubmissionVideo]:
    """``<video>/<video>_001.txt`` and ``<video>/<video>_time.txt``."""
    videos = []
    for rel, text in sorted(files.items()):
        folder, _, base = rel.partition('/')
        if base != f'{folder}_001.txt':
            continue
        times = files.get(f'{folder}/{folder}_time.txt')
        videos.append(
            SubmissionVideo(
                folder,
                _loadtxt(text),
                times=(None if times is None else _loadtxt(times)[:, 0])))
    return videos


def _parse_region(line: str, where: str) -> List[float]:
    """vot-toolkit ``parse_region``: comma-separated numbers."""
    try:
        tokens = [float(t) for t in line.strip().split(',')]
    except ValueError:
        raise SubmissionError(None, f'{where}: not a region: {line!r}')
    if len(tokens) not in (1, 4):
        raise SubmissionError(None, f'{where}: {len(tokens)} numbers, '
                              'expected a special code or a rectangle')
    return tokens


def _read_values(text: str) -> np.ndarray:
    """vot-toolkit ``Trajectory.read``: one value per line, '' is None."""
    return np.array([
        float(line) if line.strip() else np.nan
        for line in text.splitlines()
    ])


def _read_vot_lt(files: Dict[str, str]) -> List[SubmissionVideo]:
    """``longterm/<video>/<video>_001.txt`` and its ``.value`` files.

    Special regions and empty rectangles give NaN boxes; empty rectangles
    (and code 0) are ``absent``, the initialisation code 1 is not.
    """
    videos = []
    for rel, text in sorted(files.items()):
        parts = rel.split('/')
        if (len(parts) != 3 or parts[0] != 'longterm'
                or parts[2] != f'{parts[1]}_001.txt'):
            continue
        name, stem = parts[1], rel[:-len('.txt')]
        regions = [
            _parse_region(line, f'{rel}, line {i + 1}')
            for i, line in enumerate(text.splitlines())
        ]
        boxes = np.full((len(regions), 4), np.nan)
        absent = np.zeros(len(regions), bool)
        for i, region in enumerate(regions):
            if len(region) == 1:
                absent[i] = region[0] == 0
            elif region[2] > 0 and region[3] > 0:
                boxes[i] = region
            else:
                absent[i] = True
        values = {
            key: _read_values(files[f'{stem}_{key}.value'])
            for key in ('confidence', 'time')
            if f'{stem}_{key}.value' in files
        }
        videos.append(
            SubmissionVideo(name, boxes, values.get('confidence'), absent,
                            values.get('time')))
    return videos


def _str2bool(value: str) -> bool:
    """OxUvA ``util.str2bool``."""
    value = value.strip().lower()
    if value in ('t', 'true', 'y', 'yes', '1'):
        return True
    if value in ('f', 'false', 'n', 'no', '0'):
        return False
    raise SubmissionError(None, f'unclear present value {value!r}')


def _read_oxuva(files: Dict[str, str]) -> List[SubmissionVideo]:
    """``<video>_<object>.csv``; boxes come back normalised (image size
    ``(1, 1)``), NaN where absent, rows in ``frame_num`` order."""
    tracks = defaultdict(list)
    for rel, text in sorted(files.items()):
        if not rel.endswith('.csv'):
            continue
        reader = csv.DictReader(io.StringIO(text, newline=''))
        if set(reader.fieldnames or ()) != set(_OXUVA_FIELDS):
            reader = csv.DictReader(
                io.StringIO(text, newline=''), fieldnames=_OXUVA_FIELDS)
        for row in reader:
            tracks[(row['video'], row['object'])].append(row)
    videos = []
    for (video, obj), rows in tracks.items():
        rows.sort(key=lambda r: int(r['frame_num']))
        present = np.array([_str2bool(r['present']) for r in rows])
        rect = np.array([[float(r[k]) for k in ('xmin', 'xmax', 'ymin',
                                                'ymax')] for r in rows])
        boxes = np.stack([rect[:, 0], rect[:, 2], rect[:, 1] - rect[:, 0],
                          rect[:, 3] - rect[:, 2]], axis=1)
        boxes[~present] = np.nan
        videos.append(
            SubmissionVideo(
                video,
                boxes,
                scores=np.array([float(r['score']) for r in rows]),
                absent=~present,
                image_size=(1.0, 1.0),
                frame_ids=np.array([int(r['frame_num']) for r in rows]),
                object_id=obj))
    return videos


def _read_anti_uav(files: Dict[str, str]) -> List[SubmissionVideo]:
    """``<video>.txt`` holding ``{"res": [...]}``."""
    videos = []
    for rel, text in sorted(files.items()):
        if '/' in rel or not rel.endswith('.txt'):
            continue
        res = json.loads(text)['res']
        # The official not_exist(): [] or [0] is "absent".
        absent = np.array([len(r) <= 1 for r in res])
        boxes = np.array([r if len(r) == 4 else [np.nan] * 4 for r in res],
                         dtype=np.float64).reshape(-1, 4)
        videos.append(SubmissionVideo(rel[:-len('.txt')], boxes,
                                      absent=absent))
    return videos


_READERS: Dict[str, Callable[[Dict[str, str]], List[SubmissionVideo]]] = dict(
    lasot=_read_ope,
    lasot_ext=_read_ope,
    uav123=_read_ope,
    uav20l=_read_ope,
    got10k=_read_got10k,
    trackingnet=_read_ope,
    vot_lt=_read_vot_lt,
    oxuva=_read_oxuva,
    anti_uav=_read_anti_uav)


def read_submission(benchmark: str, prefix: str) -> Dict[str, SubmissionVideo]:
    """Read a submission written by ``write_submission``.

    Args:
        benchmark (str): Benchmark name.
        prefix (str): As given to ``write_submission``.

    Returns:
        dict[str, SubmissionVideo]: By video name; fields the format does not
        store are None. VOT-LT row 0 (the ``1`` code) and absent rows have
        NaN boxes; OxUvA holds the rows after frame 0, normalised.
    """
    benchmark = normalize_benchmark(benchmark)
    files = read_submission_files(benchmark, prefix)
    return {v.name: v for v in _READERS[benchmark](files)}
