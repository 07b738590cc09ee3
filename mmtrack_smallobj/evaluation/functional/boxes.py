"""Box conversions and aligned (per-frame) IoU and centre definitions.

Inside the package a box is continuous ``x1, y1, x2, y2`` with ``x2 = x + w``;
files hold ``x, y, w, h`` and are converted at the edges by
:func:`xywh_to_xyxy` / :func:`xyxy_to_xywh`.

Every function here is *aligned*: it pairs row ``i`` of one array with row
``i`` of the other, so evaluating a video is O(frames), unlike the N x N
overlap matrix mmtrack builds per video and then reads the diagonal of.

The toolkits we reproduce disagree on small details (float32 vs float64,
where an epsilon goes, clipping to the image). Each reference gets its own
function so that a named convention reproduces its reference exactly instead
of approximately; the arithmetic order follows the reference wherever a
rounding difference could flip a threshold comparison.
"""
from typing import Optional, Tuple

import numpy as np

__all__ = [
    'xywh_to_xyxy', 'xyxy_to_xywh', 'box_centers', 'box_sizes',
    'valid_box_mask', 'aligned_iou', 'aligned_iou_mmdet',
    'aligned_iou_got10k', 'clip_boxes_got10k', 'points_in_boxes'
]


def xywh_to_xyxy(boxes: np.ndarray) -> np.ndarray:
    """Convert ``x, y, w, h`` rows (the file format) to ``x1, y1, x2, y2``.

    Args:
        boxes (np.ndarray): Array of shape (N, 4).

    Returns:
        np.ndarray: New float64 array of shape (N, 4) with ``x2 = x + w``.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    out = boxes.copy()
    out[:, 2:] = boxes[:, :2] + boxes[:, 2:]
    return out


def xyxy_to_xywh(boxes: np.ndarray) -> np.ndarray:
    """Convert ``x1, y1, x2, y2`` rows back to the ``x, y, w, h`` file format.

    Args:
        boxes (np.ndarray): Array of shape (N, 4).

    Returns:
        np.ndarray: New float64 array of shape (N, 4) with ``w = x2 - x1``.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    out = boxes.copy()
    out[:, 2:] = boxes[:, 2:] - boxes[:, :2]
    return out


def box_centers(boxes: np.ndarray) -> np.ndarray:
    """Continuous centres ``((x1 + x2) / 2, (y1 + y2) / 2)`` of xyxy boxes.

    Args:
        boxes (np.ndarray): Array of shape (N, 4), xyxy.

    Returns:
        np.ndarray: Array of shape (N, 2).
    """
    return 0.5 * (boxes[:, :2] + boxes[:, 2:])


def box_sizes(boxes: np.ndarray) -> np.ndarray:
    """Object size ``sqrt(w * h)`` in pixels; NaN where the box is not valid.

    Args:
        boxes (np.ndarray): Array of shape (N, 4), xyxy.

    Returns:
        np.ndarray: Array of shape (N,).
    """
    wh = boxes[:, 2:] - boxes[:, :2]
    sizes = np.full(len(boxes), np.nan)
    valid = valid_box_mask(boxes)
    sizes[valid] = np.sqrt(wh[valid, 0] * wh[valid, 1])
    return sizes


def valid_box_mask(boxes: np.ndarray) -> np.ndarray:
    """Rows that are finite with strictly positive width and height.

    Args:
        boxes (np.ndarray): Array of shape (N, 4), xyxy.

    Returns:
        np.ndarray: Boolean array of shape (N,).
    """
    with np.errstate(invalid='ignore'):
        finite = np.isfinite(boxes).all(axis=1)
        return finite & (boxes[:, 2] > boxes[:, 0]) & (
            boxes[:, 3] > boxes[:, 1])


def aligned_iou(boxes1: np.ndarray, boxes2: np.ndarray) -> np.ndarray:
    """Plain continuous IoU of paired xyxy boxes, in float64, no epsilon.

    Used by the 'lasot' convention (pytracking's ``calc_iou_overlap``, whose
    ``-1``/``+1`` pixel offsets cancel out to exactly this). A pair whose union
    is not positive gets NaN, which callers must treat as a miss.

    Args:
        boxes1 (np.ndarray): Array of shape (N, 4), xyxy.
        boxes2 (np.ndarray): Array of shape (N, 4), xyxy.

    Returns:
        np.ndarray: Array of shape (N,).
    """
    iw = np.minimum(boxes1[:, 2], boxes2[:, 2]) - np.maximum(
        boxes1[:, 0], boxes2[:, 0])
    ih = np.minimum(boxes1[:, 3], boxes2[:, 3]) - np.maximum(
        boxes1[:, 1], boxes2[:, 1])
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    union = area1 + area2 - inter
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = inter / union
    iou[~(union > 0)] = np.nan
    return iou


def aligned_iou_mmdet(gt_boxes: np.ndarray,
                      pred_boxes: np.ndarray,
                      eps: float = 1e-6) -> np.ndarray:
    """IoU as mmdet's numpy ``bbox_overlaps`` computes one diagonal entry.

    mmtrack's ``success_overlap`` reads the diagonal of
    ``bbox_overlaps(gt, pred)``: float32 arithmetic, ``union`` floored at
    ``eps``, no ``+1``. The operations below are in the same order and dtype so
    that the float32 results are bit-identical.

    Args:
        gt_boxes (np.ndarray): Array of shape (N, 4), xyxy.
        pred_boxes (np.ndarray): Array of shape (N, 4), xyxy.
        eps (float): Floor of the union. Defaults to 1e-6.

    Returns:
        np.ndarray: float32 array of shape (N,).
    """
    b1 = gt_boxes.astype(np.float32)
    b2 = pred_boxes.astype(np.float32)
    area1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    area2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    with np.errstate(invalid='ignore'):
        x_start = np.maximum(b1[:, 0], b2[:, 0])
        y_start = np.maximum(b1[:, 1], b2[:, 1])
        x_end = np.minimum(b1[:, 2], b2[:, 2])
        y_end = np.minimum(b1[:, 3], b2[:, 3])
        overlap = np.maximum(x_end - x_start, 0) * np.maximum(
            y_end - y_start, 0)
        union = np.maximum(area1 + area2 - overlap, eps)
        return overlap / union


def clip_boxes_got10k(boxes: np.ndarray, bound: Tuple[float,
                                                      float]) -> np.ndarray:
    """Bound boxes to the image the way the got10k toolkit's ``rect_iou`` does.

    The toolkit clips ``x`` to ``[0, W]`` and then ``w`` to ``[0, W - x]``;
    a box sticking out on the left is therefore shifted, not cut. That is
    reproduced here in xyxy form.

    Args:
        boxes (np.ndarray): Array of shape (N, 4), xyxy.
        bound (tuple[float, float]): Image ``(width, height)``.

    Returns:
        np.ndarray: New array of shape (N, 4), xyxy.
    """
    out = np.empty_like(boxes, dtype=np.float64)
    for axis, limit in ((0, bound[0]), (1, bound[1])):
        start = np.clip(boxes[:, axis], 0, limit)
        length = np.clip(boxes[:, axis + 2] - boxes[:, axis], 0,
                         limit - start)
        out[:, axis] = start
        out[:, axis + 2] = start + length
    return out


def aligned_iou_got10k(boxes1: np.ndarray,
                       boxes2: np.ndarray,
                       bound: Optional[Tuple[float, float]] = None
                       ) -> np.ndarray:
    """IoU as the got10k toolkit's ``rect_iou`` computes it.

    Float64, machine epsilon added to the union, result clipped to [0, 1],
    optionally after bounding both boxes to the image. Areas are products of
    the (possibly negative) widths and heights, as in the toolkit. NaN inputs
    give NaN, as there.

    Args:
        boxes1 (np.ndarray): Array of shape (N, 4), xyxy.
        boxes2 (np.ndarray): Array of shape (N, 4), xyxy.
        bound (tuple[float, float], optional): Image ``(width, height)``.
            Defaults to None (no bounding).

    Returns:
        np.ndarray: Array of shape (N,).
    """
    if bound is not None:
        boxes1 = clip_boxes_got10k(boxes1, bound)
        boxes2 = clip_boxes_got10k(boxes2, bound)
    wh1 = boxes1[:, 2:] - boxes1[:, :2]
    wh2 = boxes2[:, 2:] - boxes2[:, :2]
    with np.errstate(invalid='ignore'):
        iw = np.maximum(
            np.minimum(boxes1[:, 2], boxes2[:, 2]) -
            np.maximum(boxes1[:, 0], boxes2[:, 0]), 0)
        ih = np.maximum(
            np.minimum(boxes1[:, 3], boxes2[:, 3]) -
            np.maximum(boxes1[:, 1], boxes2[:, 1]), 0)
        inter = iw * ih
        union = wh1[:, 0] * wh1[:, 1] + wh2[:, 0] * wh2[:, 1] - inter
        with np.errstate(divide='ignore'):
            iou = inter / (union + np.finfo(float).eps)
    return np.clip(iou, 0.0, 1.0)


def points_in_boxes(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Whether each point lies inside its paired box, borders included.

    Args:
        points (np.ndarray): Array of shape (N, 2).
        boxes (np.ndarray): Array of shape (N, 4), xyxy.

    Returns:
        np.ndarray: Boolean array of shape (N,); False for NaN inputs.
    """
    with np.errstate(invalid='ignore'):
        return ((points[:, 0] >= boxes[:, 0]) & (points[:, 0] <= boxes[:, 2])
                & (points[:, 1] >= boxes[:, 1]) &
                (points[:, 1] <= boxes[:, 3]))
