"""Box geometry of a synthetic scene: camera mapping, clipping, visibility.

Boxes are integer ``x, y, w, h`` in the continuous convention (the box covers
pixel columns ``x .. x + w - 1``, so ``x2 = x + w``), and every object is
rendered to fill exactly its box. Annotations are therefore pixel exact, which
matters when the whole target is 4 pixels wide.
"""
from typing import Tuple

import numpy as np


def world_to_image(camera: np.ndarray, frame_size: Tuple[int, int],
                   xs: np.ndarray, ys: np.ndarray) -> Tuple[np.ndarray, ...]:
    """Map world points to image points for one or many frames.

    Args:
        camera (np.ndarray): ``(cx, cy, zoom)`` per frame, shape (..., 3).
        frame_size (tuple[int, int]): Frame width and height.
        xs (np.ndarray): World x, broadcastable against ``camera[..., 0]``.
        ys (np.ndarray): World y, likewise.

    Returns:
        tuple[np.ndarray, np.ndarray]: Image x and y.
    """
    zoom = camera[..., 2]
    return (zoom * (xs - camera[..., 0]) + frame_size[0] / 2,
            zoom * (ys - camera[..., 1]) + frame_size[1] / 2)


def image_to_world(camera: np.ndarray, frame_size: Tuple[int, int],
                   xs: np.ndarray, ys: np.ndarray) -> Tuple[np.ndarray, ...]:
    """Inverse of :func:`world_to_image`."""
    zoom = camera[..., 2]
    return ((xs - frame_size[0] / 2) / zoom + camera[..., 0],
            (ys - frame_size[1] / 2) / zoom + camera[..., 1])


def occluder_image_rects(occluders: np.ndarray, camera: np.ndarray,
                         frame_size: Tuple[int, int]) -> np.ndarray:
    """Integer image rectangles of world-fixed occluders in every frame.

    The world rectangle is rounded inwards, and the renderer paints exactly
    this rectangle, so 'covered' in the annotations means covered on screen.

    Args:
        occluders (np.ndarray): World ``x1, y1, x2, y2``, shape (M, 4).
        camera (np.ndarray): Camera per frame, shape (F, 3).
        frame_size (tuple[int, int]): Frame width and height.

    Returns:
        np.ndarray: ``x1, y1, x2, y2`` (exclusive ends), shape (F, M, 4),
            int64. Empty rectangles may have x2 <= x1.
    """
    cam = camera[:, None, :]
    x1, y1 = world_to_image(cam, frame_size, occluders[None, :, 0],
                            occluders[None, :, 1])
    x2, y2 = world_to_image(cam, frame_size, occluders[None, :, 2],
                            occluders[None, :, 3])
    rects = np.stack([np.ceil(x1), np.ceil(y1), np.floor(x2), np.floor(y2)],
                     axis=-1)
    return rects.astype(np.int64).reshape(len(camera), len(occluders), 4)


def clip_boxes(boxes: np.ndarray, frame_size: Tuple[int, int]) -> np.ndarray:
    """Clip ``x, y, w, h`` boxes to the frame; boxes fully outside become 0.

    Args:
        boxes (np.ndarray): Integer boxes, shape (..., 4).
        frame_size (tuple[int, int]): Frame width and height.

    Returns:
        np.ndarray: Clipped integer boxes, same shape.
    """
    x1 = np.clip(boxes[..., 0], 0, frame_size[0])
    y1 = np.clip(boxes[..., 1], 0, frame_size[1])
    x2 = np.clip(boxes[..., 0] + boxes[..., 2], 0, frame_size[0])
    y2 = np.clip(boxes[..., 1] + boxes[..., 3], 0, frame_size[1])
    clipped = np.stack([x1, y1, x2 - x1, y2 - y1], axis=-1)
    empty = (clipped[..., 2] <= 0) | (clipped[..., 3] <= 0)
    clipped[empty] = 0
    return clipped


def covered_area(box: np.ndarray, rects: np.ndarray) -> int:
    """Area of an ``x, y, w, h`` box covered by the union of rectangles.

    Args:
        box (np.ndarray): Integer box, shape (4,).
        rects (np.ndarray): Integer ``x1, y1, x2, y2``, shape (M, 4).

    Returns:
        int: Covered area in pixels.
    """
    bx1, by1, bx2, by2 = box[0], box[1], box[0] + box[2], box[1] + box[3]
    ix1 = np.maximum(rects[:, 0], bx1)
    iy1 = np.maximum(rects[:, 1], by1)
    ix2 = np.minimum(rects[:, 2], bx2)
    iy2 = np.minimum(rects[:, 3], by2)
    keep = (ix2 > ix1) & (iy2 > iy1)
    if not keep.any():
        return 0
    if keep.sum() == 1:
        i = int(np.flatnonzero(keep)[0])
        return int((ix2[i] - ix1[i]) * (iy2[i] - iy1[i]))
    # Several overlapping rectangles: rasterise the (small) box once.
    mask = np.zeros((by2 - by1, bx2 - bx1), dtype=bool)
    for i in np.flatnonzero(keep):
        mask[iy1[i] - by1:iy2[i] - by1, ix1[i] - bx1:ix2[i] - bx1] = True
    return int(mask.sum())


def visible_ratios(boxes: np.ndarray, occluder_rects: np.ndarray,
                   frame_size: Tuple[int, int]) -> np.ndarray:
    """Fraction of each object's full box that shows on screen.

    Objects are drawn in the order 1, 2, ..., N-1, then 0 (the target) on
    top, then the occluders over everything; what is outside the frame or
    under something drawn later does not show.

    Args:
        boxes (np.ndarray): Full integer boxes, shape (N, F, 4).
        occluder_rects (np.ndarray): Occluder rectangles, shape (F, M, 4).
        frame_size (tuple[int, int]): Frame width and height.

    Returns:
        np.ndarray: Visible ratios in [0, 1], shape (N, F).
    """
    num_objects, num_frames = boxes.shape[:2]
    clipped = clip_boxes(boxes, frame_size)
    full_area = np.maximum(boxes[..., 2] * boxes[..., 3], 1)
    ratios = np.zeros((num_objects, num_frames))
    # Objects drawn later than object i, in drawing order.
    above = {0: []}
    for i in range(1, num_objects):
        above[i] = list(range(i + 1, num_objects)) + [0]
    for i in range(num_objects):
        for t in range(num_frames):
            box = clipped[i, t]
            if box[2] == 0:
                continue
            rects = occluder_rects[t]
            if above[i]:
                others = boxes[above[i], t]
                others = np.concatenate(
                    [others[:, :2], others[:, :2] + others[:, 2:]], axis=1)
                rects = np.concatenate([rects, others], axis=0)
            shown = box[2] * box[3] - covered_area(box, rects)
            ratios[i, t] = shown / full_area[i, t]
    return ratios
