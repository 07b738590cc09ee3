"""Box voting over a frame's decoded boxes."""
import torch
from mmdet.structures.bbox import bbox_overlaps
from torch import Tensor


def vote_boxes(kept: Tensor, boxes: Tensor, scores: Tensor,
               iou_thr: float) -> Tensor:
    """Box voting: each kept box becomes the score-weighted mean of the boxes
    that overlap it by at least ``iou_thr``.

    mmcv's NMS and mmdet's post-processing have no voting step (mmdet's
    only one, ``PAAHead.score_voting``, is a method of that head), hence
    this function.

    Args:
        kept (Tensor): (K, 4) boxes, x1, y1, x2, y2.
        boxes (Tensor): (M, 4) boxes they vote over, ``kept`` among them.
        scores (Tensor): (M,) non-negative weights of ``boxes``.
        iou_thr (float): Least IoU of a voting box with the kept one.

    Returns:
        Tensor: (K, 4) voted boxes; a kept box whose voters all weigh 0
        stays as it is.
    """
    weights = scores[None] * (bbox_overlaps(kept, boxes) >= iou_thr)
    total = weights.sum(1, keepdim=True)
    voted = (weights @ boxes) / total.clamp(min=1e-12)
    return torch.where(total > 0, voted, kept)
