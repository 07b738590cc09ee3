"""Point accuracy: is the predicted box centre inside the ground-truth box?

This is the criterion the project trains for. For an object of a few pixels
an IoU threshold punishes a one-pixel offset as hard as losing the target,
while "the centre lands on the object" is what a downstream consumer (a
camera pointing at it, a re-detector) actually needs.
"""
from typing import Optional, Sequence

import numpy as np

from .boxes import box_centers, points_in_boxes, valid_box_mask

__all__ = ['point_hits', 'point_accuracy']


def point_hits(pred_bboxes: np.ndarray, gt_bboxes: np.ndarray) -> np.ndarray:
    """Per frame: the continuous centre of the prediction is inside the gt box.

    Borders count as inside. Frames whose ground-truth box is not valid
    (absent, zero or negative size, NaN) and predictions with NaN are misses.

    Args:
        pred_bboxes (np.ndarray): (N, 4) xyxy predictions.
        gt_bboxes (np.ndarray): (N, 4) xyxy ground truth.

    Returns:
        np.ndarray: Boolean array of shape (N,).
    """
    pred_bboxes = np.asarray(pred_bboxes, np.float64)
    gt_bboxes = np.asarray(gt_bboxes, np.float64)
    return points_in_boxes(box_centers(pred_bboxes),
                           gt_bboxes) & valid_box_mask(gt_bboxes)


def point_accuracy(hits: Sequence[np.ndarray],
                   masks: Optional[Sequence[np.ndarray]] = None) -> float:
    """Share of frames, pooled over videos, that are point hits, in percent.

    Args:
        hits (Sequence[np.ndarray]): Per video, boolean hits per frame.
        masks (Sequence[np.ndarray], optional): Per video, the frames to
            count. Defaults to None (all frames).

    Returns:
        float: Percentage; NaN if no frame is counted.
    """
    num = den = 0
    for i, hit in enumerate(hits):
        mask = np.ones(len(hit), bool) if masks is None else masks[i]
        num += int(np.count_nonzero(hit & mask))
        den += int(np.count_nonzero(mask))
    return 100.0 * num / den if den else float('nan')
