"""One-pass evaluation (OPE): success (AUC), precision, normalised precision.

Curves are per-video threshold counts averaged over videos, as in mmtrack,
the got10k toolkit's ExperimentOTB and pytracking. The counts are computed
for all videos and thresholds at once: ``searchsorted`` tells for each frame
how many thresholds lie below its value, and one ``bincount`` over
(video, that number) gives every curve, so the cost is O(frames) and does not
grow with the number of thresholds.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

__all__ = [
    'OPE_THRESHOLDS', 'PRECISION_INDEX', 'grouped_threshold_counts',
    'ope_curves', 'ope_metrics'
]

# Threshold sets of each reference, built the way each reference builds them
# (np.arange and np.linspace differ in the last bit, which decides ties).
OPE_THRESHOLDS: Dict[str, Dict[str, np.ndarray]] = {
    'mmtrack':
    dict(
        iou=np.arange(0, 1.05, 0.05),
        center=np.arange(0, 51, 1).astype(np.float64),
        norm_center=np.arange(0, 51, 1) / 100.),
    'got10k':
    dict(
        iou=np.linspace(0, 1, 21),
        center=np.arange(0, 51).astype(np.float64),
        norm_center=np.linspace(0, 0.5, 51)),
    'lasot':
    dict(
        iou=np.arange(0.0, 1.0 + 0.05, 0.05),
        center=np.arange(0, 51).astype(np.float64),
        norm_center=np.arange(0, 51) / 100.0),
}
# precision at 20 px and normalised precision at 0.2 in every convention
PRECISION_INDEX = 20


def grouped_threshold_counts(values: np.ndarray, groups: np.ndarray,
                             num_groups: int, thresholds: np.ndarray,
                             above: bool) -> np.ndarray:
    """Count, per group and threshold, the values above (or at most) it.

    Args:
        values (np.ndarray): (F,) values without NaN (encode misses as -1 or
            +inf before calling).
        groups (np.ndarray): (F,) group index of each value, in
            ``[0, num_groups)``.
        num_groups (int): Number of groups.
        thresholds (np.ndarray): (T,) ascending thresholds.
        above (bool): Count ``value > t`` if True, else ``value <= t``.

    Returns:
        np.ndarray: (num_groups, T) integer counts.
    """
    t = len(thresholds)
    # k = number of thresholds strictly below the value:
    # value > th[j] <=> j < k, and value <= th[j] <=> j >= k.
    k = np.searchsorted(thresholds, values, side='left')
    hist = np.bincount(
        groups * (t + 1) + k, minlength=num_groups * (t + 1)).reshape(
            num_groups, t + 1)
    below_or_at = np.cumsum(hist, axis=1)[:, :t]
    if above:
        return hist.sum(axis=1, keepdims=True) - below_or_at
    return below_or_at


def _concat(arrays: Sequence[np.ndarray],
            masks: Optional[Sequence[np.ndarray]]) -> Tuple[np.ndarray, ...]:
    """Concatenate per-video arrays (masked) and return group ids."""
    if masks is None:
        masks = [np.ones(len(a), bool) for a in arrays]
    values = np.concatenate(
        [np.asarray(a, np.float64)[m] for a, m in zip(arrays, masks)])
    groups = np.concatenate([
        np.full(int(np.count_nonzero(m)), i, np.int64)
        for i, m in enumerate(masks)
    ])
    return values, groups


def ope_curves(arrays: Sequence[np.ndarray],
               thresholds: np.ndarray,
               above: bool,
               masks: Optional[Sequence[np.ndarray]] = None
               ) -> Tuple[np.ndarray, np.ndarray]:
    """Per-video curves: the share of (masked) frames passing each threshold.

    Args:
        arrays (Sequence[np.ndarray]): Per video, the per-frame values.
        thresholds (np.ndarray): (T,) ascending thresholds.
        above (bool): Pass means ``value > t`` (IoU) if True, else
            ``value <= t`` (centre errors).
        masks (Sequence[np.ndarray], optional): Per video, the frames that
            count (the denominator). Defaults to None (all frames).

    Returns:
        tuple[np.ndarray, np.ndarray]: Curves (V', T) of the V' videos with at
        least one counted frame, and the indices of those videos.
    """
    values, groups = _concat(arrays, masks)
    n = len(arrays)
    counts = grouped_threshold_counts(values, groups, n, thresholds, above)
    totals = np.bincount(groups, minlength=n)
    keep = np.flatnonzero(totals > 0)
    return counts[keep] / totals[keep, None].astype(np.float64), keep


def ope_metrics(iou: Sequence[np.ndarray],
                center_error: Sequence[np.ndarray],
                norm_center_error: Sequence[np.ndarray],
                convention: str,
                masks: Optional[Sequence[np.ndarray]] = None) -> dict:
    """Success AUC, precision at 20 px and normalised precision at 0.2.

    Args:
        iou (Sequence[np.ndarray]): Per video, per-frame IoU (misses < 0).
        center_error (Sequence[np.ndarray]): Per video, centre errors in
            pixels (misses +inf).
        norm_center_error (Sequence[np.ndarray]): Per video, normalised
            centre errors.
        convention (str): Picks the threshold sets, see ``OPE_THRESHOLDS``.
        masks (Sequence[np.ndarray], optional): Per video, counted frames.

    Returns:
        dict: ``success``, ``precision``, ``norm_precision`` in percent
        (NaN if no frame counts), the averaged ``curves`` and per-video
        ``video_success`` / ``video_precision`` / ``video_norm_precision``
        keyed by video index.
    """
    ths = OPE_THRESHOLDS[convention]
    succ, keep = ope_curves(iou, ths['iou'], True, masks)
    prec, _ = ope_curves(center_error, ths['center'], False, masks)
    norm, _ = ope_curves(norm_center_error, ths['norm_center'], False, masks)
    out: dict = dict(num_videos=len(keep))
    if len(keep) == 0:
        nan = float('nan')
        out.update(success=nan, precision=nan, norm_precision=nan, curves={})
        return out
    succ_curve, prec_curve = succ.mean(axis=0), prec.mean(axis=0)
    norm_curve = norm.mean(axis=0)
    out.update(
        success=100.0 * float(np.mean(succ_curve)),
        precision=100.0 * float(prec_curve[PRECISION_INDEX]),
        norm_precision=100.0 * float(norm_curve[PRECISION_INDEX]),
        curves=dict(
            success=_curve(ths['iou'], succ_curve),
            precision=_curve(ths['center'], prec_curve),
            norm_precision=_curve(ths['norm_center'], norm_curve)),
        video_success=dict(zip(keep.tolist(), 100.0 * succ.mean(axis=1))),
        video_precision=dict(
            zip(keep.tolist(), 100.0 * prec[:, PRECISION_INDEX])),
        video_norm_precision=dict(
            zip(keep.tolist(), 100.0 * norm[:, PRECISION_INDEX])))
    return out


def _curve(thresholds: np.ndarray, values: np.ndarray) -> Dict[str, List]:
    """A JSON-ready curve in percent."""
    return dict(
        thresholds=[float(t) for t in thresholds],
        values=[100.0 * float(v) for v in values])
