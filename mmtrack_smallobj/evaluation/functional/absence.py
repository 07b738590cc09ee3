"""Choosing the tracker's absence threshold from its per-frame confidences.

A tracker with ``test_cfg.absent_score_thr = t`` reports the target absent
on every frame scoring below ``t``; the long-term metrics count a frame
predicted present when it is reported with confidence ``>= t``. So one
pass of confidences on a validation set tells every metric at every ``t``:
:func:`long_term_sweep` computes them all at once (sorted confidences and
suffix sums, O(frames log frames) for any number of thresholds), and
:func:`tune_absent_threshold` keeps the best. The per-threshold numbers are
those of :func:`~.long_term.vot_lt_curves`, :func:`~.long_term.oxuva_metrics`
and :func:`~.long_term.antiuav_state_accuracy` (tested equal).
"""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np

from .file_io import EvaluationInputError
from .frame_scores import score_video
from .layouts import attach_results, load_annotations
from .long_term import vot_lt_curves

__all__ = [
    'ABSENCE_METRICS', 'LongTermFrames', 'AbsenceTuning',
    'load_long_term_frames', 'absence_candidates', 'long_term_sweep',
    'tune_absent_threshold'
]

ABSENCE_METRICS = ('lt_fscore', 'oxuva_maxgm', 'antiuav_sa')


@dataclass
class LongTermFrames:
    """The per-frame arrays the long-term metrics read, per video.

    Args:
        names (list[str]): Video names.
        lt_iou (list[np.ndarray]): IoU on present frames, 0 elsewhere.
        present (list[np.ndarray]): Ground truth says the target is there.
        reported (list[np.ndarray]): The prediction is a usable box.
        scores (list[np.ndarray]): Confidences.
    """
    names: List[str]
    lt_iou: List[np.ndarray]
    present: List[np.ndarray]
    reported: List[np.ndarray]
    scores: List[np.ndarray]

    def args(self) -> tuple:
        """``(lt_iou, present, reported, scores)`` for the metric calls."""
        return self.lt_iou, self.present, self.reported, self.scores

    @property
    def num_frames(self) -> int:
        """Frames over all videos."""
        return int(sum(len(p) for p in self.present))

    @property
    def num_absent(self) -> int:
        """Frames whose ground truth says the target is not there."""
        return int(sum(np.count_nonzero(~p) for p in self.present))


def load_long_term_frames(data_root: str,
                          dataset_format: str,
                          results_dir: str,
                          convention: str = 'mmtrack',
                          names: Optional[Sequence[str]] = None
                          ) -> LongTermFrames:
    """Read a results folder with confidences for the long-term metrics.

    Args:
        data_root (str): Benchmark root.
        dataset_format (str): 'lasot' or 'got10k'.
        results_dir (str): Folder of ``<video>.txt`` and
            ``<video>_confidence.txt``.
        convention (str): IoU convention, see :func:`score_video`. Defaults
            to 'mmtrack'.
        names (Sequence[str], optional): Only these videos (all if None).

    Returns:
        LongTermFrames: The arrays of every selected video.

    Raises:
        EvaluationInputError: Missing or bad result or confidence files
            (naming the file), an unknown video name, or no usable
            confidence at all.
    """
    annotations = load_annotations(
        data_root, dataset_format, need_image_size=convention == 'got10k')
    if names is not None:
        known = {ann.name: ann for ann in annotations}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise EvaluationInputError(
                data_root, f'no video named {", ".join(unknown)}')
        annotations = [known[name] for name in names]
    videos = attach_results(annotations, results_dir)
    without = [v for v in videos if v.scores is None]
    if without:
        # attach_results names a file when only some are missing; here none
        # of the videos has its confidences.
        raise EvaluationInputError(
            osp.join(results_dir, f'{without[0].name}_confidence.txt'),
            f'not found (no video of {results_dir} has a '
            '<video>_confidence.txt; write them with tools/track.py)')
    frames = [score_video(v, convention) for v in videos]
    out = LongTermFrames([v.name for v in videos],
                         [f.lt_iou for f in frames],
                         [f.present for f in frames],
                         [f.reported for f in frames],
                         [f.scores for f in frames])
    if not any(np.any(r & ~np.isnan(s)) for r, s in zip(out.reported,
                                                         out.scores)):
        raise EvaluationInputError(
            results_dir, 'no frame has both a usable box and a confidence')
    return out


def absence_candidates(reported: Sequence[np.ndarray],
                       scores: Sequence[np.ndarray],
                       max_thresholds: int = 2000) -> np.ndarray:
    """Thresholds worth trying: the observed confidences, descending,
    between +inf (always absent) and -inf (never absent).

    Args:
        reported (Sequence[np.ndarray]): Per video, usable-box flags.
        scores (Sequence[np.ndarray]): Per video, confidences.
        max_thresholds (int): With more distinct confidences, keep this
            many evenly spaced in rank (the highest and lowest kept).
            Defaults to 2000.

    Returns:
        np.ndarray: Descending thresholds, +inf first and -inf last.
    """
    pooled = np.concatenate(
        [np.where(r, s, np.nan) for r, s in zip(reported, scores)])
    observed = np.unique(pooled[~np.isnan(pooled)])[::-1]
    if len(observed) > max_thresholds:
        idx = np.round(np.linspace(0, len(observed) - 1, max_thresholds))
        observed = observed[idx.astype(int)]
    return np.concatenate([[np.inf], observed, [-np.inf]])


def _present_counts(values: np.ndarray, conf: np.ndarray,
                    thresholds: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over the frames with ``conf >= t``, for each t."""
    ok = ~np.isnan(conf)
    conf, values = conf[ok], values[ok].astype(np.float64)
    order = np.argsort(conf, kind='stable')
    suffix = np.concatenate([np.cumsum(values[order][::-1])[::-1], [0.0]])
    return suffix[np.searchsorted(conf[order], thresholds, side='left')]


def long_term_sweep(lt_iou: Sequence[np.ndarray],
                    present: Sequence[np.ndarray],
                    reported: Sequence[np.ndarray],
                    scores: Sequence[np.ndarray],
                    thresholds: np.ndarray,
                    iou_threshold: float = 0.5) -> Dict[str, np.ndarray]:
    """Every long-term metric at each threshold, in percent.

    Args:
        lt_iou, present, reported, scores: As in
            :func:`~.long_term.vot_lt_metrics`.
        thresholds (np.ndarray): (T,) presence thresholds.
        iou_threshold (float): OxUvA's true-positive IoU. Defaults to 0.5.

    Returns:
        dict: (T,) arrays ``lt_precision``, ``lt_recall``, ``lt_fscore``
        (VOT-LT at that one threshold, not maximised), ``oxuva_tpr``,
        ``oxuva_tnr``, ``oxuva_maxgm`` (NaN without present or absent
        frames) and ``antiuav_sa``.
    """
    thresholds = np.asarray(thresholds, np.float64).reshape(-1)
    vot = vot_lt_curves(lt_iou, present, reported, scores, thresholds)
    tp = fp_absent = 0.0
    n_pos = n_neg = 0
    sa_videos = []
    for ov, pres, rep, score in zip(lt_iou, present, reported, scores):
        conf = np.where(rep, score, np.nan)
        hits = _present_counts(pres & (ov >= iou_threshold), conf, thresholds)
        # absent frames said present: OxUvA false positives, Anti-UAV zeros
        wrong = _present_counts(~pres, conf, thresholds)
        overlap = _present_counts(np.where(pres, ov, 0.0), conf, thresholds)
        tp, fp_absent = tp + hits, fp_absent + wrong
        n_pos += int(np.count_nonzero(pres))
        n_neg += int(np.count_nonzero(~pres))
        # Anti-UAV: IoU where present and said present, 1 where absent
        # and said absent, averaged over the video's frames
        sa_videos.append(
            (overlap + np.count_nonzero(~pres) - wrong) / len(pres))
    nan = np.full(len(thresholds), np.nan)
    tpr = tp / n_pos if n_pos else nan
    tnr = (n_neg - fp_absent) / n_neg if n_neg else nan
    # oxuva_max_gm in closed form, vectorised: mix with "always absent"
    # only while TNR < 0.5
    with np.errstate(divide='ignore', invalid='ignore'):
        q = np.where(tnr >= 0.5, 1.0, 1.0 / (2.0 * (1.0 - tnr)))
        max_gm = np.sqrt(q * tpr * (q * tnr + 1.0 - q))
    return dict(
        lt_precision=100.0 * vot['precision'],
        lt_recall=100.0 * vot['recall'],
        lt_fscore=100.0 * vot['fscore'],
        oxuva_tpr=100.0 * tpr,
        oxuva_tnr=100.0 * tnr,
        oxuva_maxgm=100.0 * max_gm,
        antiuav_sa=100.0 * np.mean(sa_videos, axis=0))


@dataclass
class AbsenceTuning:
    """The chosen absence threshold and what it gives.

    Args:
        metric (str): The metric maximised, one of ``ABSENCE_METRICS``.
        threshold (float): The value for ``test_cfg.absent_score_thr``;
            -inf means never reporting absence is best (leave it None),
            +inf always reporting it.
        tuned (dict[str, float]): Every long-term metric at ``threshold``.
        never_absent (dict[str, float]): The same at -inf.
        thresholds (np.ndarray): The candidates tried, descending.
        values (np.ndarray): ``metric`` at each candidate.
    """
    metric: str
    threshold: float
    tuned: Dict[str, float]
    never_absent: Dict[str, float]
    thresholds: np.ndarray
    values: np.ndarray


def _inside(low: float, high: float) -> float:
    """The midpoint of (low, high) rounded to the fewest decimals that keep
    it in the middle half of the gap."""
    middle, quarter = 0.5 * (low + high), 0.25 * (high - low)
    for decimals in range(16):
        value = round(middle, decimals)
        if abs(value - middle) <= quarter and low < value < high:
            return value
    return middle


def tune_absent_threshold(lt_iou: Sequence[np.ndarray],
                          present: Sequence[np.ndarray],
                          reported: Sequence[np.ndarray],
                          scores: Sequence[np.ndarray],
                          metric: str = 'lt_fscore',
                          max_thresholds: int = 2000) -> AbsenceTuning:
    """The absence threshold that maximises a long-term metric.

    Candidates are the observed confidences (:func:`absence_candidates`).
    Ties go to the lower threshold: what the data cannot tell apart is not
    worth reporting absence for. The returned threshold is the shortest
    decimal in the middle half of the gap between the lowest confidence kept
    present and the highest one below it: it separates the same frames,
    with a margin on each side (scores written with 6 decimals, or a
    slightly different run, still fall on the same side), and reads well
    in a config.

    Args:
        lt_iou, present, reported, scores: As in
            :func:`~.long_term.vot_lt_metrics`.
        metric (str): One of ``ABSENCE_METRICS``. Defaults to 'lt_fscore'.
        max_thresholds (int): See :func:`absence_candidates`.

    Returns:
        AbsenceTuning: The threshold and the metrics there and at -inf.

    Raises:
        ValueError: An unknown metric, no usable confidence, or a metric
            that is undefined on these frames (OxUvA MaxGM without absent
            frames).
    """
    if metric not in ABSENCE_METRICS:
        raise ValueError(f'unknown metric {metric!r}; expected one of '
                         f'{ABSENCE_METRICS}')
    args = (lt_iou, present, reported, scores)
    candidates = absence_candidates(reported, scores, max_thresholds)
    if len(candidates) == 2:
        raise ValueError('no frame has both a usable box and a confidence: '
                         'nothing to choose a threshold from')
    values = long_term_sweep(*args, candidates)[metric]
    if np.isnan(values).all():
        raise ValueError(f'{metric} is undefined on these frames (OxUvA '
                         'needs both present and absent frames)')
    ranked = np.where(np.isnan(values), -np.inf, values)
    best = len(ranked) - 1 - int(np.argmax(ranked[::-1]))
    threshold = float(candidates[best])
    if np.isfinite(threshold):
        pooled = np.concatenate(
            [np.where(r, s, np.nan) for r, s in zip(reported, scores)])
        below = pooled[pooled < threshold]
        # Ties prefer -inf over the lowest confidence (the same frames are
        # present at both), so a lower confidence always exists here.
        threshold = (_inside(float(below.max()), threshold)
                     if below.size else -np.inf)
    rows = long_term_sweep(*args, np.array([threshold, -np.inf]))
    return AbsenceTuning(
        metric=metric,
        threshold=threshold,
        tuned={k: float(v[0]) for k, v in rows.items()},
        never_absent={k: float(v[1]) for k, v in rows.items()},
        thresholds=candidates,
        values=values)
