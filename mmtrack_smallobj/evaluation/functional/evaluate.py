"""The single entry: score videos under a convention, return a JSON-ready dict.

Every video is scored once (``frame_scores``); overall numbers, per-size-bin
and per-visibility-bin numbers and long-term numbers are then different
reductions of the same per-frame arrays, which is what keeps them consistent
with each other and the whole evaluation O(frames).
"""
import math
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .ao_sr import AO_POOLED, average_overlap
from .frame_scores import CONVENTIONS, FrameScores, VideoData, score_video
from .layouts import attach_results, load_annotations
from .long_term import antiuav_state_accuracy, oxuva_metrics, vot_lt_metrics
from .ope import ope_metrics
from .overlap_loss import overlap_loss
from .point_accuracy import point_accuracy
from .size_bins import DEFAULT_SIZE_EDGES, assign_size_bins, size_bin_labels
from .visibility_bins import COVER_BIN_LABELS, assign_cover_bins

__all__ = ['CORE_METRICS', 'LT_METRICS', 'evaluate_videos',
           'evaluate_results']

CORE_METRICS = ('success', 'precision', 'norm_precision', 'ao', 'sr50',
                'sr75', 'point_accuracy')
LT_METRICS = ('lt_precision', 'lt_recall', 'lt_fscore', 'oxuva_tpr',
              'oxuva_tnr', 'oxuva_maxgm', 'antiuav_sa')


def _json_ready(value):
    """NaN -> None and numpy scalars -> Python numbers, recursively."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return None if math.isnan(value) else value
    if isinstance(value, np.integer):
        return int(value)
    return value


def _core(frames: Sequence[FrameScores], convention: str,
          masks: Optional[List[np.ndarray]]) -> dict:
    """Core metrics over all frames (masks None) or the masked ones."""
    ope = ope_metrics([f.iou for f in frames],
                      [f.center_error for f in frames],
                      [f.norm_center_error for f in frames], convention,
                      masks)
    ao = average_overlap([f.ao_iou for f in frames],
                         [f.ao_mask for f in frames], AO_POOLED[convention],
                         masks)
    out = {k: ope[k] for k in ('success', 'precision', 'norm_precision')}
    out.update({k: ao[k] for k in ('ao', 'sr50', 'sr75')})
    out['point_accuracy'] = point_accuracy([f.point_hit for f in frames],
                                           masks)
    out.update(overlap_loss(frames, masks))
    out['num_frames'] = int(
        sum(len(f.iou) for f in frames) if masks is None else sum(
            int(m.sum()) for m in masks))
    out['num_videos'] = ope['num_videos']
    return dict(metrics=out, ope=ope)


def _breakdown(frames: Sequence[FrameScores], convention: str,
               labels: Sequence[str],
               bins: Sequence[np.ndarray]) -> Tuple[Dict, Dict]:
    """Core metrics and curves per bin, over the frames the convention
    scores; ``bins`` gives each video's per-frame bin index (-1: none)."""
    metrics, curves = {}, {}
    for b, label in enumerate(labels):
        masks = [(fb == b) & f.scored for fb, f in zip(bins, frames)]
        core = _core(frames, convention, masks)
        metrics[label] = core['metrics']
        if core['ope'].get('curves'):
            curves[label] = {
                k: core['ope']['curves'][k]
                for k in ('success', 'precision')
            }
    return metrics, curves


def evaluate_videos(videos: Sequence[VideoData],
                    convention: str = 'mmtrack',
                    only_eval_visible: bool = False,
                    size_edges: Sequence[float] = DEFAULT_SIZE_EDGES,
                    presence_threshold: float = 0.5,
                    lt_resolution: int = 100) -> Dict:
    """Evaluate tracking results; the numbers of ``tools/eval_results.py``.

    Args:
        videos (Sequence[VideoData]): Ground truth and predictions, xyxy.
        convention (str): 'mmtrack', 'got10k' or 'lasot'. Defaults to
            'mmtrack'.
        only_eval_visible (bool): 'mmtrack' only, see
            :func:`score_video`. Defaults to False.
        size_edges (Sequence[float]): Inner edges of the size bins on
            ``sqrt(w * h)`` in pixels. Defaults to ``DEFAULT_SIZE_EDGES``.
        presence_threshold (float): Confidence at or above which a box means
            "target present" for OxUvA and Anti-UAV. Defaults to 0.5.
        lt_resolution (int): Number of VOT-LT thresholds. Defaults to 100.

    Returns:
        dict: JSON-ready; percentages under ``CORE_METRICS`` (and
        ``LT_METRICS`` when every video has confidences), ``by_size``,
        ``by_visibility`` (when every video has GOT-10k cover levels: the
        same metrics per shown-fraction bin, ``COVER_BIN_LABELS``),
        ``curves`` and ``per_video``. Undefined values (e.g. an empty bin)
        are None.
    """
    if convention not in CONVENTIONS:
        raise ValueError(f'unknown convention {convention!r}; expected one '
                         f'of {CONVENTIONS}')
    if not videos:
        raise ValueError('no videos to evaluate')
    frames = [score_video(v, convention, only_eval_visible) for v in videos]
    overall = _core(frames, convention, None)
    result: dict = dict(convention=convention)
    if convention == 'mmtrack':
        result['only_eval_visible'] = bool(only_eval_visible)
    result.update(overall['metrics'])
    # videos, not 'videos with a counted frame': every video has frames
    result['num_videos'] = len(videos)

    with_scores = [f.scores is not None for f in frames]
    if any(with_scores) and not all(with_scores):
        missing = [v.name for v, s in zip(videos, with_scores) if not s]
        raise ValueError('confidences are given for some videos but not for '
                         f'{missing[:5]}')
    if all(with_scores):
        args = ([f.lt_iou for f in frames], [f.present for f in frames],
                [f.reported for f in frames], [f.scores for f in frames])
        result.update(vot_lt_metrics(*args, resolution=lt_resolution))
        result.update(oxuva_metrics(*args, threshold=presence_threshold))
        result['antiuav_sa'] = antiuav_state_accuracy(
            *args, threshold=presence_threshold)
        result['presence_threshold'] = float(presence_threshold)

    result['size_edges'] = [float(e) for e in size_edges]
    curves = dict(overall['ope'].get('curves', {}))
    result['by_size'], curves['by_size'] = _breakdown(
        frames, convention, size_bin_labels(size_edges),
        [assign_size_bins(f.size, size_edges) for f in frames])
    if all(v.cover is not None for v in videos):
        result['by_visibility'], curves['by_visibility'] = _breakdown(
            frames, convention, COVER_BIN_LABELS,
            [assign_cover_bins(v.cover) for v in videos])
    result['curves'] = curves

    ope = overall['ope']
    per_video = {}
    for i, (video, f) in enumerate(zip(videos, frames)):
        per_video[video.name] = dict(
            success=ope.get('video_success', {}).get(i),
            precision=ope.get('video_precision', {}).get(i),
            norm_precision=ope.get('video_norm_precision', {}).get(i),
            point_accuracy=point_accuracy([f.point_hit]),
            num_frames=len(f.iou))
    result['per_video'] = per_video
    return _json_ready(result)


def evaluate_results(data_root: str,
                     dataset_format: str,
                     results_dir: str,
                     convention: str = 'mmtrack',
                     missing_as_failure: bool = False,
                     lenient: bool = False,
                     only_eval_visible: bool = False,
                     size_edges: Sequence[float] = DEFAULT_SIZE_EDGES,
                     presence_threshold: float = 0.5,
                     lt_resolution: int = 100) -> Dict:
    """Evaluate a results folder against a LaSOT- or GOT-10k-layout root.

    Args:
        data_root (str): Benchmark root.
        dataset_format (str): 'lasot' or 'got10k'.
        results_dir (str): Folder with ``<video>.txt`` (and optionally
            ``<video>_confidence.txt``).
        convention (str): See :func:`evaluate_videos`.
        missing_as_failure (bool): A video without results scores as failed
            on every frame instead of raising. Defaults to False.
        lenient (bool): Unreadable, missing or extra result lines score as
            failed frames instead of raising. Defaults to False.
        only_eval_visible (bool): See :func:`evaluate_videos`.
        size_edges (Sequence[float]): See :func:`evaluate_videos`.
        presence_threshold (float): See :func:`evaluate_videos`.
        lt_resolution (int): See :func:`evaluate_videos`.

    Returns:
        dict: As :func:`evaluate_videos`, plus ``dataset_format``.

    Raises:
        EvaluationInputError: Bad or missing input, naming file and line.
    """
    annotations = load_annotations(
        data_root, dataset_format, need_image_size=convention == 'got10k')
    videos = attach_results(annotations, results_dir, missing_as_failure,
                            lenient)
    result = evaluate_videos(
        videos,
        convention=convention,
        only_eval_visible=only_eval_visible,
        size_edges=size_edges,
        presence_threshold=presence_threshold,
        lt_resolution=lt_resolution)
    result['dataset_format'] = dataset_format
    return result
