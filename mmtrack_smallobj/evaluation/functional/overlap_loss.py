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
* ``lost_box_error``: point hits on frames that show the target, whose box
  is the wrong size or shape; box regression (or smoothing) is what can win
  it back.

On small objects the third part is large even when the centre is right: a
one-pixel shift costs a 6 px box more than a quarter of its IoU. Every part
is in points of 100 over all the frames evaluated, so the rows of a
breakdown (by size, by visibility) add up to the overall row's parts, save
the frames no bin holds (those without a ground-truth box, or the lasot
convention's absent ones). The frames are pooled over videos, as point accuracy
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
        ``hit_overlap`` (mean overlap of the masked point hits on frames
        that show the target, in percent; None without one) and
        ``num_hits``, their number.

    Raises:
        ValueError: if there is no frame at all.
    """
    total = sum(len(f.iou) for f in frames)
    if total == 0:
        raise ValueError('overlap_loss needs at least one frame')
    if masks is None:
        masks = [np.ones(len(f.iou), bool) for f in frames]
    iou, present, hit = (np.concatenate(
        [getattr(f, name)[mask] for f, mask in zip(frames, masks)])
                         for name in ('iou', 'present', 'point_hit'))
    # Each frame's part: 0 absent, 1 shown but missed, 2 shown and hit. A
    # failure is encoded as IoU -1 (see FrameScores): it scores 0.
    part = present.astype(np.int64) + (present & hit)
    lost = np.bincount(
        part, weights=1.0 - np.clip(iou.astype(np.float64), 0.0, 1.0),
        minlength=3)
    count = np.bincount(part, minlength=3)
    out = {
        name: 100.0 * value / total
        for name, value in zip(OVERLAP_LOSS_PARTS, lost)
    }
    num_frames, num_hits = len(part), int(count[2])
    out['mean_overlap'] = (100.0 * (num_frames - lost.sum()) /
                           num_frames if num_frames else None)
    out['hit_overlap'] = (100.0 * (num_hits - lost[2]) /
                          num_hits if num_hits else None)
    out['num_hits'] = num_hits
    return out
