"""``SmallObjectSOTMetric``: a drop-in for mmtrack's ``SOTMetric`` that adds
point accuracy, AO/SR, per-size-bin numbers and (with scores) long-term
metrics, under a named convention, and writes benchmark submissions. The
maths and the file formats live in ``mmtrack_smallobj.evaluation.functional``;
this class only collects frames.
"""
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.logging import MMLogger
from mmtrack.evaluation.metrics.base_video_metrics import BaseVideoMetric
from mmtrack.registry import METRICS

from ...utils.config_checks import check_choice
from ..functional import (CONVENTIONS, DEFAULT_SIZE_EDGES, SubmissionVideo,
                          VideoData, evaluate_videos, format_metrics_table,
                          normalize_benchmark, read_cover_levels,
                          write_result_files, write_submission,
                          xyxy_to_xywh)


def _get(sample, key: str, default=None):
    """Read a key of a data sample given as dict or as data element."""
    if isinstance(sample, dict):
        return sample.get(key, default)
    return getattr(sample, key, default)


def _to_numpy(value) -> np.ndarray:
    """Tensor or array-like to a numpy array (no torch import needed)."""
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _video_dir(sample) -> Optional[str]:
    """The video's folder from the image path, None without one.

    LaSOT, OTB100 and VOT keep frames in an extra ``img``/``color`` folder.
    """
    frame_dir = osp.dirname(str(_get(sample, 'img_path', '')))
    if not frame_dir:
        return None
    if osp.basename(frame_dir) in ('img', 'color'):
        return osp.dirname(frame_dir) or None
    return frame_dir


def _video_name(video_dir: Optional[str], video_id: int) -> str:
    """Video name from its folder (see :func:`_video_dir`), as mmtrack's
    ``SOTMetric`` derives it; ``video_<id>`` without a folder."""
    if not video_dir:
        return f'video_{video_id}'
    return osp.basename(video_dir)


def _frame_number(sample, frame_id: int) -> int:
    """The frame number in the image file name (OxUvA's ``000123.jpeg``),
    else the index in the video."""
    stem = osp.splitext(osp.basename(str(_get(sample, 'img_path', ''))))[0]
    return int(stem) if stem.isdigit() else frame_id


def default_submission_prefix(benchmark: str) -> str:
    """``submission_<benchmark>`` in the run's log folder
    (``<work_dir>/<timestamp>``) when a runner has set up logging, else in
    the current folder."""
    log_file = MMLogger.get_current_instance().log_file
    root = osp.dirname(osp.abspath(log_file)) if log_file else os.getcwd()
    return osp.join(root, f'submission_{benchmark}')


@METRICS.register_module()
class SmallObjectSOTMetric(BaseVideoMetric):
    """OPE, AO/SR, point accuracy and size-binned SOT metrics.

    Use in place of ``SOTMetric`` in an mmtrack SOT test config::

        test_evaluator = dict(type='SmallObjectSOTMetric',
                              convention='mmtrack', only_eval_visible=True)

    The tracker's own absence: a frame whose ``pred_track_instances`` has
    ``absent`` True (``GlobalSearchTracker`` with
    ``test_cfg.absent_score_thr``, or its 'reid' strategy) is predicted
    absent in the long-term metrics whatever its score and
    ``presence_threshold``: it is never "present" for OxUvA TPR/TNR and
    Anti-UAV state accuracy, and is left out of the frames predicted
    present at every VOT-LT threshold, as an unusable box is. It is also
    submitted as absent with ``benchmark``. Its box still counts for OPE,
    AO/SR and point accuracy. Frames without the field (frame 0, other
    trackers) are not absent, so without it nothing changes.

    Visibility bins: when every video's folder (found from ``img_path``)
    holds a GOT-10k ``cover.label``, as GOT-10k's videos and the synthetic
    generator's do, the metrics are also given per visibility bin, as
    ``tools/eval_results.py`` gives them; a level outside 0..8 or a file
    of the wrong length is an ``EvaluationInputError`` naming the file.

    Args:
        convention (str): 'mmtrack', 'got10k' or 'lasot'. Defaults to
            'mmtrack' (numbers equal to ``SOTMetric``'s OPE ones).
        only_eval_visible (bool): Count invisible frames as misses, like
            ``SOTMetric(metric_options=dict(only_eval_visible=True))``
            ('mmtrack' only). Defaults to False.
        size_edges (Sequence[float]): Size-bin edges on ``sqrt(w * h)`` in
            pixels. Defaults to ``DEFAULT_SIZE_EDGES``.
        use_scores (bool): Use ``pred_track_instances.scores`` as
            confidences for the long-term metrics when present. Defaults to
            True.
        presence_threshold (float): Presence threshold for OxUvA/Anti-UAV;
            with ``benchmark``, frames scoring below it are also submitted
            as absent (as are frames the tracker reported absent). Defaults
            to 0.5.
        format_only (bool): Only write the ``benchmark`` submission, do not
            evaluate (no ground truth needed after frame 0, as in GOT-10k's
            and TrackingNet's test sets). Defaults to False.
        benchmark (str, optional): Write this benchmark's submission (one of
            ``SUBMISSION_BENCHMARKS``, e.g. 'got10k', 'trackingnet',
            'lasot', 'vot_lt'), with the per-frame times measured between
            successive frames, to ``outfile_prefix`` or, without one, to
            :func:`default_submission_prefix`; the file is always kept and
            its path logged. Required by ``format_only``. Defaults to None.
        outfile_prefix (str, optional): Without ``benchmark``: folder to
            write ``<video>.txt`` (``x,y,w,h``) and ``<video>_confidence.txt``
            into, readable by ``tools/eval_results.py``. With ``benchmark``:
            the submission prefix (``<prefix>.zip`` for GOT-10k and
            TrackingNet, as in mmtrack, else the folder). Defaults to None.
        collect_device (str): 'cpu' or 'gpu'. Defaults to 'cpu'.
        prefix (str, optional): Metric-name prefix. Defaults to 'sot'.
    """
    default_prefix: Optional[str] = 'sot'

    def __init__(self,
                 convention: str = 'mmtrack',
                 only_eval_visible: bool = False,
                 size_edges: Sequence[float] = DEFAULT_SIZE_EDGES,
                 use_scores: bool = True,
                 presence_threshold: float = 0.5,
                 format_only: bool = False,
                 benchmark: Optional[str] = None,
                 outfile_prefix: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.convention = check_choice('convention', convention,
                                       CONVENTIONS)
        self.only_eval_visible = only_eval_visible
        self.size_edges = tuple(float(e) for e in size_edges)
        self.use_scores = use_scores
        self.presence_threshold = presence_threshold
        if format_only and benchmark is None:
            raise ValueError('format_only=True writes a benchmark '
                             'submission: give benchmark=, e.g. '
                             "benchmark='got10k'")
        self.format_only = format_only
        self.benchmark = (None if benchmark is None else
                          normalize_benchmark(benchmark))
        self.outfile_prefix = outfile_prefix
        # Videos still in progress, keyed by video_id: the folder read
        # from the first frame's path, and the frames so far.
        self._buffers: Dict[int, Tuple[Optional[str], List[dict]]] = {}
        # when the previous batch arrived: the time between batches is the
        # per-frame time of the test loop (loading, model, this metric)
        self._last_arrival: Optional[float] = None

    def process(self, data_batch: dict, data_samples: Sequence) -> None:
        """Buffer each frame; store a video once its last frame arrived.

        Args:
            data_batch (dict): Unused.
            data_samples (Sequence): Data samples (dicts or
                ``TrackDataSample``) with ``pred_track_instances.bboxes``
                (xyxy) and optionally ``scores`` and ``absent``,
                ``instances[0]['bbox']`` (xyxy) and ``visible``, and
                ``video_id``, ``frame_id``, ``video_length`` metainfo.
        """
        now = time.perf_counter()
        seconds = (np.nan if self._last_arrival is None else
                   (now - self._last_arrival) / max(len(data_samples), 1))
        self._last_arrival = now
        for sample in data_samples:
            pred = _get(sample, 'pred_track_instances')
            bboxes = _to_numpy(_get(pred, 'bboxes')).reshape(-1, 4)
            scores = _get(pred, 'scores')
            absent = _get(pred, 'absent')
            instance = _get(sample, 'instances')[0]
            ori_shape = _get(sample, 'ori_shape')
            frame_id = int(_get(sample, 'frame_id'))
            video_id = int(_get(sample, 'video_id'))
            if video_id not in self._buffers:
                self._buffers[video_id] = (_video_dir(sample), [])
            video_dir, buffer = self._buffers[video_id]
            gt = instance.get('bbox')
            if gt is None and not self.format_only:
                # GOT-10k/TrackingNet test sets: only frame 0 has a box.
                raise ValueError(f'video {_video_name(video_dir, video_id)} '
                                 f'frame {frame_id} has no ground-truth '
                                 'box; use format_only=True for a test set')
            frame = dict(
                frame_id=frame_id,
                frame_number=_frame_number(sample, frame_id),
                seconds=seconds,
                # keep the tracker's dtype: SOTMetric computes centres in it
                pred=bboxes[0].copy(),
                gt=(np.full(4, np.nan) if gt is None else np.asarray(
                    gt, np.float64).reshape(4)),
                visible=bool(instance.get('visible', True)),
                score=(float(_to_numpy(scores).reshape(-1)[0])
                       if scores is not None and len(_to_numpy(scores)) else
                       None),
                absent=(None if absent is None or not len(_to_numpy(absent))
                        else bool(_to_numpy(absent).reshape(-1)[0])),
                image_size=(None if ori_shape is None else
                            (float(ori_shape[1]), float(ori_shape[0]))))
            buffer.append(frame)
            video_length = int(_get(sample, 'video_length'))
            if len(buffer) == video_length:
                del self._buffers[video_id]
                self.results.append(self._finish(video_dir, buffer, video_id))

    def _finish(self, video_dir: Optional[str], frames: List[dict],
                video_id: int) -> dict:
        """One video's arrays, frames in frame_id order."""
        frames = sorted(frames, key=lambda f: f['frame_id'])
        name = _video_name(video_dir, video_id)
        ids = [f['frame_id'] for f in frames]
        if ids != list(range(len(frames))):
            raise ValueError(f'video {name}: frame ids {ids[:5]}'
                             '... are not 0..N-1')
        scores = [f['score'] for f in frames]
        flags = [f['absent'] for f in frames]
        return dict(
            name=name,
            cover=(None if video_dir is None else read_cover_levels(
                video_dir, len(frames))),
            pred=np.stack([f['pred'] for f in frames]),
            gt=np.stack([f['gt'] for f in frames]),
            visible=np.array([f['visible'] for f in frames]),
            scores=(np.array(scores, np.float64) if self.use_scores
                    and all(s is not None for s in scores) else None),
            # frames without the field (frame 0) are not absent
            absent=(None if all(a is None for a in flags) else np.array(
                [bool(a) for a in flags])),
            image_size=frames[0]['image_size'],
            times=np.array([f['seconds'] for f in frames], np.float64),
            frame_numbers=np.array([f['frame_number'] for f in frames]))

    def _write_results(self, results: List[dict]) -> None:
        """Write ``<video>.txt`` (and confidences) under ``outfile_prefix``."""
        os.makedirs(self.outfile_prefix, exist_ok=True)
        for res in results:
            write_result_files(self.outfile_prefix, res['name'],
                               xyxy_to_xywh(res['pred']), res['scores'])

    def _write_submission(self, results: List[dict]) -> str:
        """Write the ``benchmark`` submission; return and log its path."""
        videos = []
        for res in results:
            absent = None
            if res['scores'] is not None:
                absent = res['scores'] < self.presence_threshold
            if res['absent'] is not None:
                absent = (res['absent'].copy()
                          if absent is None else absent | res['absent'])
            if absent is not None:
                absent[0] = False  # the initialisation frame
            videos.append(
                SubmissionVideo(
                    res['name'],
                    xyxy_to_xywh(res['pred'].astype(np.float64)),
                    res['scores'],
                    absent,
                    # The very first frame has no previous arrival: 0,
                    # which the GOT-10k toolkit leaves out of its speed.
                    np.nan_to_num(res['times'], nan=0.0),
                    res['image_size'],
                    res['frame_numbers']))
        prefix = (self.outfile_prefix if self.outfile_prefix is not None else
                  default_submission_prefix(self.benchmark))
        path = write_submission(self.benchmark, videos, prefix)
        MMLogger.get_current_instance().info(
            f'{self.benchmark} submission ({len(videos)} videos) written to '
            f'{path}')
        return path

    def evaluate(self, size: int) -> dict:
        """Evaluate as mmtrack's video metrics do, then forget every frame:
        the next evaluation (the next epoch's validation) starts afresh
        even when this one failed (missing frames, a bad cover file),
        where mmtrack's would keep the finished videos for the next."""
        try:
            return super().evaluate(size)
        finally:
            self.results.clear()
            self._buffers.clear()
            self._last_arrival = None

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Evaluate all collected videos.

        Args:
            results (list[dict]): Per-video arrays from :meth:`process`.

        Returns:
            dict[str, float]: Overall metrics, ``<bin>/<metric>`` entries
            for the size bins and, when every video has cover levels,
            ``visible_<bin>/<metric>`` ones for the visibility bins;
            undefined values are left out. Empty with ``format_only``.
        """
        if self._buffers:
            names = [
                _video_name(video_dir, video_id)
                for video_id, (video_dir, _) in self._buffers.items()
            ]
            raise ValueError(f'videos with missing frames: {names[:5]}')
        if self.benchmark is not None:
            self._write_submission(results)
            if self.format_only:
                return {}
        elif self.outfile_prefix is not None:
            self._write_results(results)
        with_scores = all(r['scores'] is not None for r in results)
        videos = [
            VideoData(
                name=r['name'],
                gt_bboxes=r['gt'],
                pred_bboxes=r['pred'],
                visible=r['visible'],
                scores=r['scores'] if with_scores else None,
                image_size=r['image_size'],
                absent=r['absent'],
                cover=r['cover']) for r in results
        ]
        metrics = evaluate_videos(
            videos,
            convention=self.convention,
            only_eval_visible=self.only_eval_visible,
            size_edges=self.size_edges,
            presence_threshold=self.presence_threshold)
        MMLogger.get_current_instance().info('\n' +
                                             format_metrics_table(metrics))
        flat = {
            k: v
            for k, v in metrics.items() if isinstance(v, float)
            and k not in ('presence_threshold', 'lt_threshold')
        }
        bins = [('', metrics['by_size'])]
        if 'by_visibility' in metrics:
            bins.append(('visible_', metrics['by_visibility']))
        for group, by_bin in bins:
            for label, bin_metrics in by_bin.items():
                for k, v in bin_metrics.items():
                    if v is not None:
                        flat[f'{group}{label}/{k}'] = v
        return flat
