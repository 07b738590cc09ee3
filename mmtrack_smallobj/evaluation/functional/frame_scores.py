"""Per-frame scores of one video under a named evaluation convention.

This is the one place where the conventions differ. Each video is scored
once, frame by frame (IoU, centre error, normalised centre error, point hit,
which frames count for AO, which frames are present for long-term metrics);
every metric afterwards is a threshold count or a mean over these arrays, so
the conventions cannot leak into one another.

Conventions (see docs/evaluation.md for the full rules):

* ``'mmtrack'``: mmtrack's ``eval_sot_ope`` (float32 mmdet IoU, ground truth
  cast to float32, frames with an invalid ground-truth box are misses,
  optionally invisible frames too). Rows used as given; frame 0 not replaced.
* ``'got10k'``: the PyPI got10k toolkit. OPE after ``ExperimentOTB``
  (frame 0 replaced by ground truth, rows used as they are, no visibility);
  AO/SR after ``ExperimentGOT10k`` (frame 0 excluded, cover > 0 only, boxes
  bounded to the image).
* ``'lasot'``: pytracking's analysis with ``dataset='lasot'``, which follows
  the LaSOT toolkit (invalid results rejected, zero-size predictions carried
  forward, frame 0 replaced by ground truth, absent frames are failures).
"""
import warnings
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

from .boxes import (aligned_iou, aligned_iou_got10k, aligned_iou_mmdet,
                    box_centers, box_sizes, valid_box_mask)
from .point_accuracy import point_hits

CONVENTIONS = ('mmtrack', 'got10k', 'lasot')

__all__ = ['CONVENTIONS', 'VideoData', 'FrameScores', 'score_video']


@dataclass
class VideoData:
    """One video's ground truth and predictions, boxes xyxy (x2 = x + w).

    Args:
        name (str): Video name, as used for result files.
        gt_bboxes (np.ndarray): (N, 4) ground-truth boxes; absent frames as
            they are in the annotation (usually all zeros).
        pred_bboxes (np.ndarray): (N, 4) predicted boxes.
        visible (np.ndarray, optional): (N,) bool visibility flags, if the
            dataset has them.
        cover (np.ndarray, optional): (N,) GOT-10k cover labels (0..8).
        scores (np.ndarray, optional): (N,) prediction confidences.
        failed (np.ndarray, optional): (N,) bool rows forced to be failures
            (unreadable or missing result rows, accepted by an explicit flag).
        image_size (tuple[float, float], optional): ``(width, height)``,
            used by the got10k AO rule to bound boxes to the image.
        pred_source (str, optional): Path of the results file, for messages.
        gt_source (str, optional): Path of the annotation, for messages.
        absent (np.ndarray, optional): (N,) bool, True where the tracker
            reported the target absent (``pred_track_instances.absent``):
            such frames are never predicted present in the long-term
            metrics, whatever their confidence. The box still counts for
            the other metrics.
    """
    name: str
    gt_bboxes: np.ndarray
    pred_bboxes: np.ndarray
    visible: Optional[np.ndarray] = None
    cover: Optional[np.ndarray] = None
    scores: Optional[np.ndarray] = None
    failed: Optional[np.ndarray] = None
    image_size: Optional[Tuple[float, float]] = None
    pred_source: Optional[str] = None
    gt_source: Optional[str] = None
    absent: Optional[np.ndarray] = None

    def __post_init__(self) -> None:
        n = len(self.gt_bboxes)
        if len(self.pred_bboxes) != n:
            raise ValueError(
                f'video {self.name}: {len(self.pred_bboxes)} predicted boxes '
                f'for {n} ground-truth frames')
        for field in ('visible', 'cover', 'scores', 'failed', 'absent'):
            value = getattr(self, field)
            if value is not None and len(value) != n:
                raise ValueError(f'video {self.name}: {field} has '
                                 f'{len(value)} entries for {n} frames')


@dataclass
class FrameScores:
    """Per-frame quantities every metric is computed from.

    Misses are encoded so that threshold counts need no mask: ``iou`` is -1,
    centre errors are +inf. ``iou`` may be float32-valued under 'mmtrack'.

    Args:
        iou (np.ndarray): IoU used by the success curve.
        center_error (np.ndarray): Centre distance in pixels (precision).
        norm_center_error (np.ndarray): Centre distance relative to the
            ground-truth size (normalised precision).
        point_hit (np.ndarray): Predicted centre inside the ground-truth box.
        ao_iou (np.ndarray): IoU used by AO/SR.
        ao_mask (np.ndarray): Frames AO/SR are computed over.
        scored (np.ndarray): Frames with a ground-truth box the convention
            scores; only these are assigned to a size bin.
        size (np.ndarray): Ground-truth ``sqrt(w * h)``; NaN if not valid.
        present (np.ndarray): Target present (valid box, visible if flagged),
            for the long-term metrics.
        lt_iou (np.ndarray): IoU >= 0 on present frames, 0 elsewhere.
        reported (np.ndarray): The prediction is a usable box (finite, positive
            size, not a failed row) that the tracker did not report absent.
        scores (np.ndarray, optional): Confidences, if given.
    """
    iou: np.ndarray
    center_error: np.ndarray
    norm_center_error: np.ndarray
    point_hit: np.ndarray
    ao_iou: np.ndarray
    ao_mask: np.ndarray
    scored: np.ndarray
    size: np.ndarray
    present: np.ndarray
    lt_iou: np.ndarray
    reported: np.ndarray
    scores: Optional[np.ndarray] = None


def _where(video: VideoData, frame: int, source: Optional[str]) -> str:
    """Name the file and line of a frame for an error message."""
    if source:
        return f'{source}, line {frame + 1}'
    return f'video {video.name}, frame {frame}'


def _score_mmtrack(video: VideoData, only_eval_visible: bool) -> dict:
    """Mirror ``mmtrack.evaluation.functional.eval_sot_ope`` frame by frame."""
    # SOTMetric stacks ground truth as float32; predictions keep their dtype.
    gt = np.asarray(video.gt_bboxes).astype(np.float32)
    pred = np.asarray(video.pred_bboxes)
    n = len(gt)
    vis = np.ones(n, bool)
    if only_eval_visible and video.visible is not None:
        vis = np.asarray(video.visible, bool)
    with np.errstate(invalid='ignore', divide='ignore'):
        valid = vis & (gt[:, 2] > gt[:, 0]) & (gt[:, 3] > gt[:, 1])
        iou = np.full(n, -1.0)
        iou[valid] = aligned_iou_mmdet(gt[valid], pred[valid])

        gt_c = np.array((0.5 * (gt[:, 2] + gt[:, 0]),
                         0.5 * (gt[:, 3] + gt[:, 1]))).T
        pred_c = np.array((0.5 * (pred[:, 2] + pred[:, 0]),
                           0.5 * (pred[:, 3] + pred[:, 1]))).T
        # mmtrack fills frames whose gt centre is not > 0 with distance -1,
        # and -1 <= threshold: such (absent) frames are precision *hits*.
        # Frames dropped by only_eval_visible are simply not counted: misses.
        ce = np.where(vis, -1.0, np.inf)
        ok = vis & (gt_c[:, 0] > 0) & (gt_c[:, 1] > 0)
        ce[ok] = np.sqrt(np.sum((gt_c[ok] - pred_c[ok])**2, axis=1))

        gt_wh = np.array((gt[:, 2] - gt[:, 0], gt[:, 3] - gt[:, 1])).T
        n_gt_c = gt_c / (gt_wh + 1e-16)
        n_pred_c = pred_c / (gt_wh + 1e-16)
        nce = np.where(vis, -1.0, np.inf)
        ok = vis & (n_gt_c[:, 0] > 0) & (n_gt_c[:, 1] > 0)
        nce[ok] = np.sqrt(np.sum((n_gt_c[ok] - n_pred_c[ok])**2, axis=1))
    gt64 = gt.astype(np.float64)
    return dict(
        iou=iou,
        center_error=ce,
        norm_center_error=nce,
        pred=pred.astype(np.float64),
        scored=valid & valid_box_mask(gt64),
        ao_iou=np.where(valid, iou, 0.0),
        ao_mask=valid.copy(),
        gt=gt64)


def _score_got10k(video: VideoData) -> dict:
    """Mirror got10k's ExperimentOTB (OPE) and ExperimentGOT10k (AO/SR)."""
    gt = np.asarray(video.gt_bboxes, np.float64)
    raw = np.asarray(video.pred_bboxes, np.float64)
    pred = raw.copy()
    pred[0] = gt[0]
    n = len(gt)
    iou = aligned_iou_got10k(pred, gt)
    # got10k centres are x + (w - 1) / 2: the -1 cancels in differences.
    wh_p, wh_g = pred[:, 2:] - pred[:, :2], gt[:, 2:] - gt[:, :2]
    diff = (pred[:, :2] + (wh_p - 1) / 2) - (gt[:, :2] + (wh_g - 1) / 2)
    with np.errstate(invalid='ignore', divide='ignore'):
        ce = np.sqrt(np.sum(np.power(diff, 2), axis=-1))
        # Not in the PyPI toolkit: pytracking's normalisation by the
        # ground-truth size, applied to got10k's centres.
        nce = np.sqrt(np.sum((diff / wh_g)**2, axis=-1))
        nce[~((wh_g > 0).all(axis=1))] = np.inf

    if video.cover is not None:
        cover = np.asarray(video.cover)
    elif video.visible is not None:
        cover = np.asarray(video.visible, bool).astype(int)
    else:
        cover = np.ones(n, int)
    ao_mask = cover > 0
    ao_mask[0] = False
    ao_iou = aligned_iou_got10k(raw, gt, bound=video.image_size)
    return dict(
        iou=iou,
        center_error=ce,
        norm_center_error=nce,
        pred=pred,
        scored=valid_box_mask(gt),
        ao_iou=ao_iou,
        ao_mask=ao_mask,
        gt=gt)


def _carry_forward(pred: np.ndarray, zero: np.ndarray) -> np.ndarray:
    """Replace each flagged row by the last unflagged row before it."""
    idx = np.where(zero, 0, np.arange(len(pred)))
    idx[0] = 0
    idx = np.maximum.accumulate(idx)
    return pred[idx]


def _score_lasot(video: VideoData, failed: np.ndarray) -> dict:
    """Mirror pytracking's ``calc_seq_err_robust`` with dataset 'lasot'."""
    gt = np.asarray(video.gt_bboxes, np.float64)
    pred = np.asarray(video.pred_bboxes, np.float64).copy()
    n = len(gt)
    pred[failed] = 0.0
    wh = pred[:, 2:] - pred[:, :2]
    bad = ~np.isfinite(pred).all(axis=1) & ~failed
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f'{_where(video, i, video.pred_source)}: non-finite '
                         "box; the 'lasot' convention (pytracking) rejects "
                         'such results')
    neg = (wh < 0).any(axis=1)
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise ValueError(f'{_where(video, i, video.pred_source)}: negative '
                         "width or height; the 'lasot' convention "
                         '(pytracking) rejects such results')
    if np.isnan(gt).any():
        i = int(np.flatnonzero(np.isnan(gt).any(axis=1))[0])
        raise ValueError(f'{_where(video, i, video.gt_source)}: NaN in the '
                         "ground truth; the 'lasot' convention rejects it")
    pred = _carry_forward(pred, (wh == 0).any(axis=1))
    pred[0] = gt[0]

    vis = np.ones(n, bool)
    if video.visible is not None:
        vis = np.asarray(video.visible, bool)
    wh_g = gt[:, 2:] - gt[:, :2]
    valid = (wh_g > 0).all(axis=1) & vis
    with np.errstate(invalid='ignore', divide='ignore'):
        iou = aligned_iou(pred, gt)
        diff = box_centers(pred) - box_centers(gt)
        ce = np.sqrt(np.sum(diff**2, axis=1))
        nce = np.sqrt(np.sum((diff / wh_g)**2, axis=1))
    iou[~valid] = -1.0
    ce[~valid] = np.inf
    # pytracking marks invalid boxes -1 here (a hit at every threshold) and
    # only then absent frames +inf; we keep that order to reproduce it.
    nce[~valid] = -1.0
    nce[~vis] = np.inf
    return dict(
        iou=iou,
        center_error=ce,
        norm_center_error=nce,
        pred=pred,
        scored=valid.copy(),
        ao_iou=np.where(valid, iou, 0.0),
        ao_mask=valid.copy(),
        gt=gt)


def score_video(video: VideoData,
                convention: str = 'mmtrack',
                only_eval_visible: bool = False) -> FrameScores:
    """Score every frame of one video under a named convention.

    Args:
        video (VideoData): Ground truth and predictions.
        convention (str): One of ``CONVENTIONS``. Defaults to 'mmtrack'.
        only_eval_visible (bool): 'mmtrack' only: also count frames flagged
            invisible as misses, like ``SOTMetric`` with
            ``metric_options=dict(only_eval_visible=True)``. Defaults to False.

    Returns:
        FrameScores: The per-frame scores.
    """
    n = len(video.gt_bboxes)
    if n == 0:
        raise ValueError(f'video {video.name} has no frames')
    failed = (np.zeros(n, bool)
              if video.failed is None else np.asarray(video.failed, bool))
    if convention == 'mmtrack':
        out = _score_mmtrack(video, only_eval_visible)
    elif convention == 'got10k':
        out = _score_got10k(video)
    elif convention == 'lasot':
        out = _score_lasot(video, failed)
    else:
        raise ValueError(f'unknown convention {convention!r}; '
                         f'expected one of {CONVENTIONS}')
    gt, pred = out['gt'], out['pred']
    gt_ok = valid_box_mask(gt)
    present = gt_ok.copy()
    if video.visible is not None:
        present &= np.asarray(video.visible, bool)
    hits = point_hits(pred, gt) & out['scored']

    iou = np.where(np.isnan(out['iou']), -1.0, out['iou'])
    ce = np.where(np.isnan(out['center_error']), np.inf, out['center_error'])
    nce = np.where(
        np.isnan(out['norm_center_error']), np.inf, out['norm_center_error'])
    ao_iou = out['ao_iou'].astype(np.float64)
    nan_ao = np.isnan(ao_iou) & out['ao_mask'] & ~failed
    if nan_ao.any():
        # got10k's rect_iou gives NaN for NaN boxes and its AO becomes NaN;
        # a number is more useful, so such a frame scores IoU 0, loudly.
        warnings.warn(f'video {video.name}: {int(nan_ao.sum())} frame(s) '
                      'with NaN IoU (NaN boxes) scored as IoU 0 in AO/SR')
    ao_iou[np.isnan(ao_iou)] = 0.0
    iou[failed], ce[failed], nce[failed] = -1.0, np.inf, np.inf
    hits[failed] = False
    ao_iou[failed] = 0.0
    reported = valid_box_mask(np.asarray(video.pred_bboxes,
                                         np.float64)) & ~failed
    if video.absent is not None:
        # A box the tracker itself calls absent is its guess, not a claim
        # that the target is there: no threshold may count it present.
        reported &= ~np.asarray(video.absent, bool)
    scores = None
    if video.scores is not None:
        scores = np.asarray(video.scores, np.float64)
    return FrameScores(
        iou=iou,
        center_error=ce,
        norm_center_error=nce,
        point_hit=hits,
        ao_iou=ao_iou,
        ao_mask=out['ao_mask'],
        scored=out['scored'],
        size=box_sizes(gt),
        present=present,
        lt_iou=np.where(present, np.clip(iou, 0.0, 1.0), 0.0),
        reported=reported,
        scores=scores)
