"""Benchmark submission files, byte-compatible with each server or toolkit.

One call, :func:`write_submission`, turns tracked videos into what a
benchmark's evaluation server or official toolkit reads. The layouts and
number formats follow the writers the benchmarks publish:

========================  ==================================================
benchmark                 written (``P`` is the prefix given)
========================  ==================================================
lasot, lasot_ext,         ``P/<video>.txt``: ``x,y,w,h`` per frame, ``%.3f``
uav123, uav20l            (got10k toolkit ``ExperimentOTB._record``, which
                          its LaSOT and UAV123 experiments share)
got10k                    ``P.zip`` of ``<video>/<video>_001.txt`` (``%.3f``)
                          and ``<video>/<video>_time.txt`` (the measured
                          seconds per frame, ``%.8f``), folder entries
                          included (got10k toolkit ``ExperimentGOT10k._record``
                          and ``report``, which zips with
                          ``shutil.make_archive``)
trackingnet               ``P.zip`` of ``<video>.txt``, ``%.4f`` (mmtrack's
                          ``SOTMetric.save_formatted_results_trackingnet``)
vot_lt                    ``P/longterm/<video>/<video>_001.txt``: ``1`` on
                          the initialisation frame, then ``x,y,w,h`` as
                          Python writes floats, ``0,0,0,0`` (an empty region)
                          when absent; ``<video>_001_confidence.value`` (an
                          empty first line, then one score per line) and,
                          with times, ``<video>_001_time.value``
                          (vot-toolkit ``Trajectory.write``, workspace layout
                          ``results/<tracker>/<experiment>/<sequence>``)
oxuva                     ``P/<video>_<object>.csv`` without header:
                          ``video,object,frame_num,present,score,xmin,xmax,
                          ymin,ymax`` for every frame after the first,
                          coordinates divided by the image size, ``present``
                          ``true``/``false``, ``\\r\\n`` line ends (OxUvA
                          ``dump_predictions_csv``; absent rows carry the
                          zero rectangle of its ``make_prediction``)
anti_uav                  ``P/<video>.txt`` holding ``{"res": [[x, y, w, h],
                          ..., []]}``, ``[]`` when absent (Anti-UAV
                          ``test.py``/``ExperimentAntiUAV410``)
========================  ==================================================

Every file (and every zip) is written atomically, and the whole input is
checked before the first byte is written, so bad input never leaves a
half-written submission behind. :mod:`.submission_readers` reads them back.
"""
import csv
import io
import json
import os
import os.path as osp
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from .file_io import write_text_atomic, write_zip_atomic

__all__ = [
    'SUBMISSION_BENCHMARKS', 'SubmissionError', 'SubmissionVideo',
    'encode_submission', 'normalize_benchmark', 'submission_path',
    'write_submission'
]

SUBMISSION_BENCHMARKS = ('lasot', 'lasot_ext', 'got10k', 'trackingnet',
                         'uav123', 'uav20l', 'vot_lt', 'oxuva', 'anti_uav')
ARCHIVE_BENCHMARKS = ('got10k', 'trackingnet')
# Benchmarks whose format says "absent"; the others get a box every frame.
ABSENCE_BENCHMARKS = ('vot_lt', 'oxuva', 'anti_uav')
# Spellings people type: 'GOT-10k', 'LaSOT_ext', 'VOT-LT', 'Anti-UAV'.
_ALIASES = {'got_10k': 'got10k', 'lasotext': 'lasot_ext', 'votlt': 'vot_lt',
            'vot_lt2022': 'vot_lt', 'antiuav': 'anti_uav'}
_OXUVA_NAME = re.compile(r'^(.+)_(obj\d+)$')


class SubmissionError(ValueError):
    """Bad input for a submission, naming the video it was found in.

    Args:
        video (str, optional): The offending video.
        message (str): What is wrong.
    """

    def __init__(self, video: Optional[str], message: str) -> None:
        self.video = video
        super().__init__(f'video {video!r}: {message}'
                         if video is not None else message)


@dataclass
class SubmissionVideo:
    """One tracked video, as the submission writers take it.

    Args:
        name (str): Video (sequence) name, used in file names.
        boxes_xywh (np.ndarray): (N, 4) boxes ``x, y, w, h`` in pixels, row 0
            the initialisation box.
        scores (np.ndarray, optional): (N,) confidences (VOT-LT needs them).
        absent (np.ndarray, optional): (N,) bool, True where the tracker
            reports the target absent (never frame 0).
        times (np.ndarray, optional): (N,) measured seconds per frame
            (GOT-10k needs them).
        image_size (tuple[float, float], optional): ``(width, height)``
            (OxUvA normalises by it).
        frame_ids (np.ndarray, optional): (N,) frame numbers (OxUvA's
            ``frame_num``); ``0..N-1`` if None.
        object_id (str, optional): OxUvA object id; if None, a name
            ``<video>_<object>`` (``vid0042_obj0000``) is split.
    """
    name: str
    boxes_xywh: np.ndarray
    scores: Optional[np.ndarray] = None
    absent: Optional[np.ndarray] = None
    times: Optional[np.ndarray] = None
    image_size: Optional[Tuple[float, float]] = None
    frame_ids: Optional[np.ndarray] = None
    object_id: Optional[str] = None


def normalize_benchmark(name: str) -> str:
    """The canonical benchmark name (``'GOT-10k'`` -> ``'got10k'``).

    Raises:
        ValueError: An unknown benchmark, listing the known ones.
    """
    key = str(name).strip().lower().replace('-', '_')
    key = _ALIASES.get(key, key)
    if key not in SUBMISSION_BENCHMARKS:
        raise ValueError(f'unknown benchmark {name!r} for submission; '
                         f'choose from {", ".join(SUBMISSION_BENCHMARKS)}')
    return key


def submission_path(benchmark: str, prefix: str) -> str:
    """Where :func:`write_submission` puts a benchmark's submission:
    ``prefix + '.zip'`` for GOT-10k and TrackingNet (as mmtrack's
    ``SOTMetric`` does), the folder ``prefix`` otherwise."""
    if normalize_benchmark(benchmark) in ARCHIVE_BENCHMARKS:
        return prefix if prefix.endswith('.zip') else prefix + '.zip'
    return prefix


def _column(video: SubmissionVideo, key: str, num: int,
            dtype: type) -> Optional[np.ndarray]:
    """An optional per-frame array of ``video``, checked to be (N,)."""
    value = getattr(video, key)
    if value is None:
        return None
    array = np.asarray(value, dtype=dtype)
    if array.shape != (num, ):
        raise SubmissionError(video.name, f'{key} has shape {array.shape}, '
                              f'expected ({num},) like the boxes')
    return array


def _require_finite(video: SubmissionVideo, key: str, values: np.ndarray,
                    frames: np.ndarray) -> None:
    """Values used in the files must be finite; name the first bad frame."""
    bad = np.flatnonzero(frames & ~np.isfinite(values).reshape(
        len(frames), -1).all(axis=1))
    if len(bad):
        raise SubmissionError(video.name, f'{key} is not finite at frame '
                              f'{bad[0]} ({len(bad)} frame(s))')


def _check_name(video: Optional[str], name: object, what: str) -> str:
    """A name that is safe as one path component."""
    if (not isinstance(name, str) or not name or name.startswith('.')
            or '/' in name or '\\' in name):
        raise SubmissionError(video, f'{what} {name!r} cannot be a file name')
    return name


def _checked(benchmark: str, video: SubmissionVideo) -> SubmissionVideo:
    """A copy of ``video`` with arrays of the right shapes and dtypes, or a
    :class:`SubmissionError` naming the video and what is wrong."""
    name = _check_name(None, video.name, 'video name')
    boxes = np.asarray(video.boxes_xywh, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4 or len(boxes) == 0:
        raise SubmissionError(name, f'boxes_xywh has shape {boxes.shape}, '
                              'expected (N, 4) with N >= 1')
    num = len(boxes)
    scores = _column(video, 'scores', num, np.float64)
    times = _column(video, 'times', num, np.float64)
    frame_ids = _column(video, 'frame_ids', num, np.int64)
    absent = _column(video, 'absent', num, bool)
    if absent is None:
        absent = np.zeros(num, bool)
    if absent[0]:
        raise SubmissionError(name, 'frame 0 is the initialisation frame '
                              'and cannot be absent')
    # A box is written on every frame, except absent ones where the
    # format says "absent" instead.
    written = (~absent if benchmark in ABSENCE_BENCHMARKS else
               np.ones(num, bool))
    _require_finite(video, 'boxes_xywh', boxes, written)
    if scores is not None:
        _require_finite(video, 'scores', scores, np.ones(num, bool))
    if times is not None:
        _require_finite(video, 'times', times, np.ones(num, bool))
        if (times < 0).any():
            raise SubmissionError(name, 'times has negative values')
    if benchmark == 'got10k' and times is None:
        raise SubmissionError(name, 'GOT-10k needs the measured per-frame '
                              'times (times=None)')
    if benchmark == 'vot_lt' and scores is None:
        raise SubmissionError(name, 'VOT-LT needs per-frame confidences '
                              '(scores=None)')
    image_size = video.image_size
    object_id = video.object_id
    if benchmark == 'oxuva':
        size = np.asarray(image_size if image_size is not None else [],
                          np.float64)
        if size.shape != (2, ) or not (np.isfinite(size).all()
                                      and (size > 0).all()):
            raise SubmissionError(name, 'OxUvA normalises boxes by the '
                                  'image size: give image_size=(width, '
                                  f'height), not {image_size!r}')
        image_size = (float(size[0]), float(size[1]))
        if object_id is None:
            match = _OXUVA_NAME.match(name)
            if match is None:
                raise SubmissionError(
                    name, 'OxUvA needs an object id: give object_id or name '
                    "the video '<video>_<object>' (e.g. vid0042_obj0000)")
            name, object_id = match.groups()
        _check_name(name, object_id, 'object id')
    return SubmissionVideo(name, boxes, scores, absent, times, image_size,
                           frame_ids, object_id)


def _rows(boxes: np.ndarray, fmt: str) -> str:
    """Boxes as ``np.savetxt(fmt=fmt, delimiter=',')`` writes them."""
    return ''.join(','.join(fmt % v for v in row) + '\n'
                   for row in boxes.tolist())


def _encode_ope(fmt: str) -> Callable[[SubmissionVideo], Dict[str, str]]:
    """``<video>.txt`` with one box per frame (absence is not encoded)."""
    return lambda v: {f'{v.name}.txt': _rows(v.boxes_xywh, fmt)}


def _encode_got10k(v: SubmissionVideo) -> Dict[str, str]:
    """One repetition, ``_001``, with its per-frame times."""
    return {
        f'{v.name}/{v.name}_001.txt': _rows(v.boxes_xywh, '%.3f'),
        f'{v.name}/{v.name}_time.txt': ''.join('%.8f\n' % t
                                               for t in v.times.tolist()),
    }


def _encode_vot_lt(v: SubmissionVideo) -> Dict[str, str]:
    """vot-toolkit's trajectory and property files, one repetition."""
    stem = f'longterm/{v.name}/{v.name}_001'
    # str(float): the toolkit writes Rectangle and property values with
    # Python's own float formatting; None (frame 0's confidence) as ''.
    lines = ['1'] + [
        '0,0,0,0' if absent else ','.join(str(float(x)) for x in box)
        for box, absent in zip(v.boxes_xywh[1:].tolist(), v.absent[1:])
    ]
    files = {
        f'{stem}.txt': ''.join(line + '\n' for line in lines),
        f'{stem}_confidence.value': '\n' + ''.join(
            f'{float(s)}\n' for s in v.scores[1:].tolist()),
    }
    if v.times is not None:
        files[f'{stem}_time.value'] = ''.join(f'{float(t)}\n'
                                              for t in v.times.tolist())
    return files


def _encode_oxuva(v: SubmissionVideo) -> Dict[str, str]:
    """OxUvA ``dump_predictions_csv``: csv module, excel dialect."""
    width, height = v.image_size
    frame_ids = (v.frame_ids.tolist() if v.frame_ids is not None else range(
        len(v.boxes_xywh)))
    scores = (v.scores.tolist() if v.scores is not None else
              (~v.absent).astype(float).tolist())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for i in range(1, len(v.boxes_xywh)):
        x, y, w, h = v.boxes_xywh[i].tolist()
        rect = ([0.0] * 4 if v.absent[i] else
                [x / width, (x + w) / width, y / height, (y + h) / height])
        writer.writerow([
            v.name, v.object_id, int(frame_ids[i]),
            'false' if v.absent[i] else 'true',
            float(scores[i])
        ] + rect)
    return {f'{v.name}_{v.object_id}.csv': buffer.getvalue()}


def _encode_anti_uav(v: SubmissionVideo) -> Dict[str, str]:
    """Anti-UAV: ``json.dump({'res': ...})``, ``[]`` for absent frames."""
    res = [[] if absent else [float(x) for x in box]
           for box, absent in zip(v.boxes_xywh.tolist(), v.absent)]
    return {f'{v.name}.txt': json.dumps({'res': res})}


_ENCODERS: Dict[str, Callable[[SubmissionVideo], Dict[str, str]]] = dict(
    lasot=_encode_ope('%.3f'),
    lasot_ext=_encode_ope('%.3f'),
    uav123=_encode_ope('%.3f'),
    uav20l=_encode_ope('%.3f'),
    got10k=_encode_got10k,
    trackingnet=_encode_ope('%.4f'),
    vot_lt=_encode_vot_lt,
    oxuva=_encode_oxuva,
    anti_uav=_encode_anti_uav)


def encode_submission(benchmark: str, videos: Sequence[SubmissionVideo],
                      expected_names: Optional[Sequence[str]] = None
                      ) -> Dict[str, str]:
    """Check every video and encode them all, writing nothing.

    Args and Raises: see :func:`write_submission`.

    Returns:
        dict[str, str]: Relative file name (``/``-separated) to content.
    """
    benchmark = normalize_benchmark(benchmark)
    videos = list(videos)
    if not videos:
        raise SubmissionError(None, 'no videos to submit')
    counts = Counter(getattr(v, 'name', None) for v in videos)
    duplicates = sorted((n for n, c in counts.items() if c > 1), key=str)
    if duplicates:
        raise SubmissionError(duplicates[0], 'given more than once')
    if expected_names is not None:
        missing = [n for n in expected_names if n not in counts]
        if missing:
            raise SubmissionError(
                None, f'{len(missing)} video(s) missing from the '
                f'{benchmark} submission: {", ".join(missing)}')
    files: Dict[str, str] = {}
    for video in videos:
        if not isinstance(video, SubmissionVideo):
            raise TypeError(f'expected SubmissionVideo, got {type(video)}')
        encoded = _ENCODERS[benchmark](_checked(benchmark, video))
        clash = sorted(set(encoded) & set(files))
        if clash:
            raise SubmissionError(video.name, f'writes {clash[0]}, which '
                                  'another video writes too')
        files.update(encoded)
    return files


def write_submission(benchmark: str,
                     videos: Sequence[SubmissionVideo],
                     prefix: str,
                     expected_names: Optional[Sequence[str]] = None) -> str:
    """Write a benchmark's submission (see the module docstring).

    Everything is checked and encoded before anything is written; each file,
    and a zip as a whole, is written to a temporary file and renamed, so a
    failure leaves complete files only (never a partial zip). Other files
    already in a submission folder are left as they are.

    Args:
        benchmark (str): One of :data:`SUBMISSION_BENCHMARKS` (case and
            ``-``/``_`` do not matter: ``'GOT-10k'``, ``'VOT-LT'``).
        videos (Sequence[SubmissionVideo]): The tracked videos.
        prefix (str): Folder to write into, or for GOT-10k and TrackingNet
            the zip path without (or with) ``.zip``. Created if absent.
        expected_names (Sequence[str], optional): Videos the benchmark has;
            any not in ``videos`` are listed in the error.

    Returns:
        str: The submission: the zip file or the folder.

    Raises:
        ValueError: An unknown benchmark.
        SubmissionError: Bad or missing input, naming the video: a wrong
            shape, NaN where a value is written, missing times (GOT-10k),
            scores (VOT-LT) or image size (OxUvA), duplicate or missing
            videos.
    """
    benchmark = normalize_benchmark(benchmark)
    files = encode_submission(benchmark, videos, expected_names)
    out = submission_path(benchmark, prefix)
    if benchmark in ARCHIVE_BENCHMARKS:
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        write_zip_atomic(
            out, {k: v.encode('utf-8')
                  for k, v in files.items()})
        return out
    for rel, text in files.items():
        path = osp.join(out, *rel.split('/'))
        os.makedirs(osp.dirname(path), exist_ok=True)
        write_text_atomic(path, text, newline='')
    return out
