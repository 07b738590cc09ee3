"""``SmallObjectSOTMetric``: a drop-in for mmtrack's ``SOTMetric`` that adds
point accuracy, AO/SR, per-size-bin numbers and (with scores) long-term
metrics, under a named convention. The maths live in
``mmtrack_smallobj.evaluation.functional``; this class only collects frames.
"""
import os
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.logging import MMLogger
from mmtrack.evaluation.metrics.base_video_metrics import BaseVideoMetric
from mmtrack.registry import METRICS

from ..functional import (CONVENTIONS, DEFAULT_SIZE_EDGES, VideoData,
                          evaluate_videos, format_metrics_table,
                          write_result_files, xyxy_to_xywh)


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


def _video_name(sample) -> str:
    """Video name from the image path, as mmtrack's ``SOTMetric`` derives it.

    LaSOT, OTB100 and VOT keep frames in an extra ``img``/``color`` folder.
    """
    parts = str(_get(sample, 'img_path', '')).split(os.sep)
    if len(parts) < 2:
        return f"video_{_get(sample, 'video_id')}"
    return parts[-3] if parts[-2] in ('img', 'color') else parts[-2]


@METRICS.register_module()
class SmallObjectSOTMetric(BaseVideoMetric):
    """OPE, AO/SR, point accuracy and size-binned SOT metrics.

    Use in place of ``SOTMetric`` in an mmtrack SOT test config::

        test_evaluator = dict(type='SmallObjectSOTMetric',
                              convention='mmtrack', only_eval_visible=True)

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
        presence_threshold (float): Presence threshold for OxUvA/Anti-UAV.
            Defaults to 0.5.
        outfile_prefix (str, optional): Folder to write ``<video>.txt``
            (``x,y,w,h``) and ``<video>_confidence.txt`` into, readable by
            ``tools/eval_results.py``. Defaults to None.
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
                 outfile_prefix: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if convention not in CONVENTIONS:
            raise ValueError(f'convention must be one of {CONVENTIONS}, got '
                             f'{convention!r}')
        self.convention = convention
        self.only_eval_visible = only_eval_visible
        self.size_edges = tuple(float(e) for e in size_edges)
        self.use_scores = use_scores
        self.presence_threshold = presence_threshold
        self.outfile_prefix = outfile_prefix
        # frames of videos still in progress, keyed by video_id
        self._buffers: Dict[int, List[dict]] = {}

    def process(self, data_batch: dict, data_samples: Sequence) -> None:
        """Buffer each frame; store a video once its last frame arrived.

        Args:
            data_batch (dict): Unused.
            data_samples (Sequence): Data samples (dicts or
                ``TrackDataSample``) with ``pred_track_instances.bboxes``
                (xyxy), ``instances[0]['bbox']`` (xyxy) and ``visible``, and
                ``video_id``, ``frame_id``, ``video_length`` metainfo.
        """
        for sample in data_samples:
            pred = _get(sample, 'pred_track_instances')
            bboxes = _to_numpy(_get(pred, 'bboxes')).reshape(-1, 4)
            scores = _get(pred, 'scores')
            instance = _get(sample, 'instances')[0]
            ori_shape = _get(sample, 'ori_shape')
            frame = dict(
                frame_id=int(_get(sample, 'frame_id')),
                # keep the tracker's dtype: SOTMetric computes centres in it
                pred=bboxes[0].copy(),
                gt=np.asarray(instance['bbox'], np.float64).reshape(4),
                visible=bool(instance.get('visible', True)),
                score=(float(_to_numpy(scores).reshape(-1)[0])
                       if scores is not None and len(_to_numpy(scores)) else
                       None),
                name=_video_name(sample),
                image_size=(None if ori_shape is None else
                            (float(ori_shape[1]), float(ori_shape[0]))))
            video_id = int(_get(sample, 'video_id'))
            buffer = self._buffers.setdefault(video_id, [])
            buffer.append(frame)
            video_length = int(_get(sample, 'video_length'))
            if len(buffer) == video_length:
                self.results.append(self._finish(self._buffers.pop(video_id)))

    def _finish(self, frames: List[dict]) -> dict:
        """One video's arrays, frames in frame_id order."""
        frames = sorted(frames, key=lambda f: f['frame_id'])
        ids = [f['frame_id'] for f in frames]
        if ids != list(range(len(frames))):
            raise ValueError(f"video {frames[0]['name']}: frame ids {ids[:5]}"
                             '... are not 0..N-1')
        scores = [f['score'] for f in frames]
        return dict(
            name=frames[0]['name'],
            pred=np.stack([f['pred'] for f in frames]),
            gt=np.stack([f['gt'] for f in frames]),
            visible=np.array([f['visible'] for f in frames]),
            scores=(np.array(scores, np.float64) if self.use_scores
                    and all(s is not None for s in scores) else None),
            image_size=frames[0]['image_size'])

    def _write_results(self, results: List[dict]) -> None:
        """Write ``<video>.txt`` (and confidences) under ``outfile_prefix``."""
        os.makedirs(self.outfile_prefix, exist_ok=True)
        for res in results:
            write_result_files(self.outfile_prefix, res['name'],
                               xyxy_to_xywh(res['pred']), res['scores'])

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Evaluate all collected videos.

        Args:
            results (list[dict]): Per-video arrays from :meth:`process`.

        Returns:
            dict[str, float]: Overall metrics and ``<bin>/<metric>`` entries
            for the size bins; undefined values are left out.
        """
        if self._buffers:
            names = [frames[0]['name'] for frames in self._buffers.values()]
            self._buffers.clear()
            raise ValueError(f'videos with missing frames: {names[:5]}')
        if self.outfile_prefix is not None:
            self._write_results(results)
        with_scores = all(r['scores'] is not None for r in results)
        videos = [
            VideoData(
                name=r['name'],
                gt_bboxes=r['gt'],
                pred_bboxes=r['pred'],
                visible=r['visible'],
                scores=r['scores'] if with_scores else None,
                image_size=r['image_size']) for r in results
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
        for label, bin_metrics in metrics['by_size'].items():
            for k, v in bin_metrics.items():
                if v is not None:
                    flat[f'{label}/{k}'] = v
        return flat
