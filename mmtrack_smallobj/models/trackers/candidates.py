"""One frame's candidates as the association takes them: numpy arrays,
bad rows dropped, unit embeddings; and their IoU with boxes."""
from typing import Tuple, Union

import numpy as np
import torch

ArrayLike = Union[np.ndarray, torch.Tensor]


def to_numpy(array: ArrayLike) -> np.ndarray:
    """A float64 numpy copy of a tensor (any device) or an array-like."""
    if isinstance(array, torch.Tensor):
        array = array.detach().cpu().numpy()
    return np.asarray(array, dtype=np.float64)


def box_iou(boxes1: np.ndarray, boxes2: np.ndarray) -> np.ndarray:
    """(T, N) IoU of x1, y1, x2, y2 boxes.

    In numpy because the whole association is: mmdet's ``bbox_overlaps``
    needs a torch round trip that costs more than this computation.
    """
    # Per-coordinate (T, 1) against (N,) arrays: faster than (T, N, 2)
    # slices at the sizes of a frame's candidates.
    x1, y1, x2, y2 = (boxes1[:, i:i + 1] for i in range(4))
    width = np.minimum(x2, boxes2[:, 2]) - np.maximum(x1, boxes2[:, 0])
    height = np.minimum(y2, boxes2[:, 3]) - np.maximum(y1, boxes2[:, 1])
    inter = np.maximum(width, 0) * np.maximum(height, 0)
    area1 = (x2 - x1) * (y2 - y1)
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    return inter / np.maximum(area1 + area2 - inter, 1e-12)


def clean_candidates(
        boxes: ArrayLike, scores: ArrayLike, embeddings: ArrayLike,
        dim: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop candidates with a non-finite value, no size or a zero
    embedding; normalise the embeddings.

    Args:
        boxes (ArrayLike): (N, 4) x1, y1, x2, y2.
        scores (ArrayLike): (N,).
        embeddings (ArrayLike): (N, dim).
        dim (int): The embedding size the association was started with.

    Returns:
        tuple: float64 boxes and scores and float32 unit embeddings of the
        kept candidates.

    Raises:
        ValueError: The three disagree on N, or the embeddings on ``dim``.
    """
    boxes = to_numpy(boxes).reshape(-1, 4)
    scores = to_numpy(scores).reshape(-1)
    embeddings = to_numpy(embeddings)
    if embeddings.size == 0:
        embeddings = embeddings.reshape(0, dim)
    if len(scores) != len(boxes) or embeddings.shape != (len(boxes), dim):
        raise ValueError(f'{len(boxes)} boxes need as many scores and '
                         f'({len(boxes)}, {dim}) embeddings, got '
                         f'{len(scores)} and {embeddings.shape}')
    # NaN or inf anywhere makes the norm non-finite; NaN coordinates fail
    # the size comparisons.
    norm = np.linalg.norm(embeddings, axis=1)
    good = (
        np.isfinite(scores) & np.isfinite(norm) & (norm > 0)
        & (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
        & np.isfinite(boxes.sum(1)))
    embeddings = embeddings[good] / norm[good, None]
    return boxes[good], scores[good], embeddings.astype(np.float32)
