"""Where a tracker's mean overlap is lost: absent, missed or ill-fitted.

The OPE success AUC is the mean overlap over every frame (a failure counts
0) sampled on a grid of 21 thresholds. Its shortfall from 100 splits exactly,
frame by frame, into three parts that call for different work:

* ``lost_absent``: frames that do not show the target. Under the lasot
  convention they score 0 whatever the tracker does, and a perfect tracker
  loses exactly this part.
* ``lost_missed``: frames that show the target but whose predicted centre lies
  outside its box (no point hit): the tracker followed something else, which
  candidate ranking, re-detection or the score maps must mend.
* ``lost_box_error``: point hits whose box is the wrong size or shape; box
  regression (or smoothing) is what can win it back.

On small objects the third part is large even when the centre is right: a
one-pixel shift costs a 6 px box more than a quarter of its IoU. Every part
is in points of 100 over all the frames evaluated, so the rows of a
breakdown by size add up to the overall row's ``lost_missed`` and
``lost_box_error``. The frames are pooled over videos, as point accuracy
pools them; the success AUC averages per video, so the two differ where
videos (or a bin's share of them) differ in length.
"""
from typing import Dict, Optional, Sequence

import numpy as np

from .frame_scores import FrameScores

__all__ = ['OVERLAP_LOSS_PARTS', 'overlap_loss']

OVERLAP_LOSS_PARTS = ('lost_absent', 'lost_missed', 'lost_box_error')


def overlap_loss(frames: Sequence[FrameScores],
                 masks: Optional[Sequence[np.ndarray]] = None) -> Dict:
    """Split the mean overlap's shortfall from 100 into its three parts.

    Args:
        frames (Sequence[FrameScores]): Per video, from ``score_video``.
        masks (Sequence[np.ndarray], optional): Per video, the frames to
            split (e.g. one size bin's). Defaults to None (all frames).
            Every part is divided by the number of all frames, with or
            without masks.

    Returns:
        dict: ``mean_overlap`` (over the masked frames, in percent; None
        over none), the three ``OVERLAP_LOSS_PARTS`` (points of 100 over
        all frames; with no masks they sum to ``100 - mean_overlap``),
        ``hit_overlap`` (mean overlap of the masked point hits, in percent;
        None without one) and ``num_hits``.

    Raises:
        ValueError: if there is no frame at all.
    """
    total = sum(len(f.iou) for f in frames)
    if total == 0:
        raise ValueError('overlap_loss needs at least one frame')
    parts = dict.fromkeys(OVERLAP_LOSS_PARTS, 0.0)
    overlap_sum = hit_overlap_sum = 0.0
    num_frames = num_hits = 0
    for i, f in enumerate(frames):
        mask = np.ones(len(f.iou), bool) if masks is None else masks[i]
        # A failure is encoded as IoU -1 (see FrameScores): it scores 0.
        overlap = np.clip(np.asarray(f.iou, np.float64), 0.0, 1.0)[mask]
        present, hit = f.present[mask], f.point_hit[mask]
        on_target = present & hit
        parts['lost_absent'] += float(np.sum(1.0 - overlap[~present]))
        parts['lost_missed'] += float(np.sum(1.0 - overlap[present & ~hit]))
        parts['lost_box_error'] += float(np.sum(1.0 - overlap[on_target]))
        overlap_sum += float(overlap.sum())
        hit_overlap_sum += float(overlap[on_target].sum())
        num_frames += len(overlap)
        num_hits += int(on_target.sum())
    out = {part: 100.0 * value / total for part, value in parts.items()}
    out['mean_overlap'] = (100.0 * overlap_sum /
                           num_frames if num_frames else None)
    out['hit_overlap'] = (100.0 * hit_overlap_sum /
                          num_hits if num_hits else None)
    out['num_hits'] = num_hits
    return out
