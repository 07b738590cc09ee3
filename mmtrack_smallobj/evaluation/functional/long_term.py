"""Long-term tracking metrics that use the tracker's confidence.

* VOT long-term tracking precision / recall / F-score (Lukezic et al.,
  vot-toolkit ``analysis/tpr.py``): thresholds taken from the pooled
  confidences, per-sequence precision and recall curves averaged over
  sequences, F-score maximised over thresholds.
* OxUvA TPR, TNR and MaxGM (Valmadre et al. 2018) at one presence threshold,
  frames pooled over videos.
* Anti-UAV state accuracy (SA): per frame IoU when the target is present,
  1 for correctly reporting absence, 0 otherwise; averaged per video, then
  over videos.

Inputs are per-frame arrays from ``frame_scores``: ``lt_iou`` (IoU on
present frames, 0 elsewhere), ``present`` (ground truth says the target is
there), ``reported`` (the prediction is a usable box) and the confidences.
A frame is *predicted present* when it is reported with confidence at or
above the threshold; NaN confidences never are.
"""
import math
from typing import Dict, Sequence

import numpy as np

__all__ = [
    'determine_thresholds', 'vot_lt_curves', 'vot_lt_metrics',
    'oxuva_metrics', 'oxuva_max_gm', 'antiuav_state_accuracy'
]


def determine_thresholds(scores: np.ndarray,
                         resolution: int = 100) -> np.ndarray:
    """Confidence thresholds as the VOT toolkit picks them.

    Args:
        scores (np.ndarray): Pooled confidences; NaN are ignored.
        resolution (int): Number of thresholds including the two infinite
            ends. Defaults to 100.

    Returns:
        np.ndarray: Descending thresholds from +inf to -inf.
    """
    scores = np.asarray(scores, np.float64)
    scores = np.sort(scores[~np.isnan(scores)])[::-1]
    if len(scores) > resolution - 2:
        delta = math.floor(len(scores) / (resolution - 2))
        idxs = np.round(
            np.linspace(delta, len(scores) - delta,
                        num=resolution - 2)).astype(int)
        inner = scores[idxs]
    else:
        inner = scores
    return np.concatenate([[np.inf], inner, [-np.inf]])


def _pr_curves(overlap: np.ndarray, conf: np.ndarray, n_present: int,
               thresholds: np.ndarray) -> np.ndarray:
    """Precision and recall of one sequence at each threshold, (2, T)."""
    order = np.argsort(conf, kind='stable')
    conf_sorted, ov_sorted = conf[order], overlap[order]
    suffix = np.concatenate([np.cumsum(ov_sorted[::-1])[::-1], [0.0]])
    # frames with conf >= th are the ones from this index on
    start = np.searchsorted(conf_sorted, thresholds, side='left')
    count = len(conf_sorted) - start
    sums = suffix[start]
    with np.errstate(invalid='ignore', divide='ignore'):
        precision = np.where(count > 0, sums / np.maximum(count, 1), 1.0)
        recall = np.where(count > 0, sums / n_present, 0.0)
    return np.stack([precision, recall])


def vot_lt_curves(lt_iou: Sequence[np.ndarray],
                  present: Sequence[np.ndarray],
                  reported: Sequence[np.ndarray],
                  scores: Sequence[np.ndarray],
                  thresholds: np.ndarray) -> Dict[str, np.ndarray]:
    """VOT long-term precision, recall and F-score at given thresholds.

    The curves :func:`vot_lt_metrics` maximises over, at any thresholds
    (e.g. one fixed absence threshold), as fractions in [0, 1].

    Args:
        lt_iou, present, reported, scores: As in :func:`vot_lt_metrics`.
        thresholds (np.ndarray): (T,) confidences; a frame is predicted
            present at ``t`` when it is reported with confidence ``>= t``.

    Returns:
        dict: ``precision``, ``recall`` and ``fscore``, each (T,); F is 0
        where precision and recall are both 0.
    """
    thresholds = np.asarray(thresholds, np.float64).reshape(-1)
    pr, re = [], []
    for ov, pres, rep, score in zip(lt_iou, present, reported, scores):
        conf = np.where(rep, score, np.nan)
        n_present = int(np.count_nonzero(pres))
        ok = ~np.isnan(conf)
        curves = _pr_curves(ov[ok], conf[ok], n_present, thresholds)
        pr.append(curves[0])
        if n_present > 0:
            re.append(curves[1])
    pr_curve = np.mean(pr, axis=0)
    re_curve = np.mean(re, axis=0) if re else np.zeros_like(pr_curve)
    with np.errstate(invalid='ignore', divide='ignore'):
        f_curve = 2 * pr_curve * re_curve / (pr_curve + re_curve)
    return dict(
        precision=pr_curve,
        recall=re_curve,
        fscore=np.nan_to_num(f_curve, nan=0.0))


def vot_lt_metrics(lt_iou: Sequence[np.ndarray],
                   present: Sequence[np.ndarray],
                   reported: Sequence[np.ndarray],
                   scores: Sequence[np.ndarray],
                   resolution: int = 100) -> Dict[str, float]:
    """VOT long-term precision, recall and F-score, in percent.

    Precision at a threshold is the mean IoU over frames predicted present
    (1 if there are none), recall the IoU summed over them divided by the
    number of present frames. Sequences without a present frame have no
    recall and are left out of the recall average.

    Args:
        lt_iou (Sequence[np.ndarray]): Per video, IoU on present frames and
            0 elsewhere.
        present (Sequence[np.ndarray]): Per video, target-present flags.
        reported (Sequence[np.ndarray]): Per video, usable-prediction flags.
        scores (Sequence[np.ndarray]): Per video, confidences.
        resolution (int): Number of thresholds. Defaults to 100.

    Returns:
        dict: ``lt_precision``, ``lt_recall``, ``lt_fscore`` (at the
        F-maximising threshold) and ``lt_threshold``.
    """
    confs = [np.where(r, s, np.nan) for r, s in zip(reported, scores)]
    thresholds = determine_thresholds(np.concatenate(confs), resolution)
    curves = vot_lt_curves(lt_iou, present, reported, scores, thresholds)
    best = int(np.argmax(curves['fscore']))
    return dict(
        lt_precision=100.0 * float(curves['precision'][best]),
        lt_recall=100.0 * float(curves['recall'][best]),
        lt_fscore=100.0 * float(curves['fscore'][best]),
        lt_threshold=float(thresholds[best]))


def oxuva_max_gm(tpr: float, tnr: float) -> float:
    """OxUvA MaxGM: the best geometric mean of TPR and TNR reachable by
    randomly mixing the tracker with one that always reports absence.

    ``max over p in [0, 1] of sqrt((1 - p) TPR * ((1 - p) TNR + p))``, in
    closed form: the maximum is at ``1 - p = min(1, 1 / (2 (1 - TNR)))``.

    Args:
        tpr (float): True positive rate in [0, 1].
        tnr (float): True negative rate in [0, 1].

    Returns:
        float: MaxGM in [0, 1]; NaN if either rate is NaN.
    """
    if math.isnan(tpr) or math.isnan(tnr):
        return float('nan')
    q = 1.0 if tnr >= 0.5 else 1.0 / (2.0 * (1.0 - tnr))
    return math.sqrt(q * tpr * (q * tnr + 1.0 - q))


def oxuva_metrics(lt_iou: Sequence[np.ndarray],
                  present: Sequence[np.ndarray],
                  reported: Sequence[np.ndarray],
                  scores: Sequence[np.ndarray],
                  threshold: float,
                  iou_threshold: float = 0.5) -> Dict[str, float]:
    """OxUvA TPR, TNR and MaxGM in percent, frames pooled over videos.

    Args:
        lt_iou, present, reported, scores: As in :func:`vot_lt_metrics`.
        threshold (float): Confidence at or above which a reported box means
            "present".
        iou_threshold (float): IoU a present prediction needs to be a true
            positive. Defaults to 0.5 (OxUvA).

    Returns:
        dict: ``oxuva_tpr``, ``oxuva_tnr``, ``oxuva_maxgm``; NaN where there
        is no present (TPR) or no absent (TNR) frame.
    """
    tp = n_pos = tn = n_neg = 0
    for ov, pres, rep, conf in zip(lt_iou, present, reported, scores):
        with np.errstate(invalid='ignore'):
            says_present = rep & (conf >= threshold)
        hit = pres & says_present & (ov >= iou_threshold)
        tp += int(np.count_nonzero(hit))
        n_pos += int(np.count_nonzero(pres))
        tn += int(np.count_nonzero(~pres & ~says_present))
        n_neg += int(np.count_nonzero(~pres))
    tpr = tp / n_pos if n_pos else float('nan')
    tnr = tn / n_neg if n_neg else float('nan')
    return dict(
        oxuva_tpr=100.0 * tpr,
        oxuva_tnr=100.0 * tnr,
        oxuva_maxgm=100.0 * oxuva_max_gm(tpr, tnr))


def antiuav_state_accuracy(lt_iou: Sequence[np.ndarray],
                           present: Sequence[np.ndarray],
                           reported: Sequence[np.ndarray],
                           scores: Sequence[np.ndarray],
                           threshold: float) -> float:
    """Anti-UAV state accuracy in percent.

    Per frame: the IoU if the target is present and predicted present, 1 if
    it is absent and predicted absent, 0 otherwise; averaged over the frames
    of each video, then over videos.

    Args:
        lt_iou, present, reported, scores: As in :func:`vot_lt_metrics`.
        threshold (float): Presence threshold on the confidence.

    Returns:
        float: SA in percent.
    """
    per_video = []
    for ov, pres, rep, conf in zip(lt_iou, present, reported, scores):
        with np.errstate(invalid='ignore'):
            says_present = rep & (conf >= threshold)
        frame = np.where(pres, np.where(says_present, ov, 0.0),
                         np.where(says_present, 0.0, 1.0))
        per_video.append(np.mean(frame))
    return 100.0 * float(np.mean(per_video))
