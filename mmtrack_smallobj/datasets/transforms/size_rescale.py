"""Whole-frame rescaling that puts a pair's target into a chosen size bin.

Tracking sets rarely show targets of a few pixels. ``SizeBinRescale``
shrinks or enlarges the frames of a training pair (and their boxes) so that
the target's size ``sqrt(w * h)`` lands in a size bin, which makes small
sizes appear even when the raw data has none. Each output frame keeps its
input size: a shrunk frame is pasted onto a padded canvas, an enlarged one is
cropped to a window that holds the whole target, so batch shapes and compute
do not change.

It runs on the pair as a dict of lists, after the ``TransformBroadcaster``
that loads and resizes the frames and before ``PackTrackInputs``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmtrack.registry import TRANSFORMS

from mmtrack_smallobj.evaluation.functional.size_bins import (
    DEFAULT_SIZE_EDGES, check_size_edges)
from mmtrack_smallobj.utils.config_checks import check_number

# Keys the ``SizeRebalanceDataset`` wrapper sets, one entry per frame: the
# target size it drew and the [lo, hi) bin that size belongs to.
SIZE_TARGET_KEY = 'size_target'
SIZE_RANGE_KEY = 'size_range'


def box_size(box: np.ndarray) -> float:
    """``sqrt(w * h)`` of one x1,y1,x2,y2 box; 0 for a degenerate box."""
    w, h = float(box[2] - box[0]), float(box[3] - box[1])
    return float(np.sqrt(w * h)) if w > 0 and h > 0 else 0.0


@TRANSFORMS.register_module()
class SizeBinRescale(BaseTransform):
    """Rescale a pair's frames so that the target's size lands in a size bin.

    Two modes. Paired with ``SizeRebalanceDataset``, the results carry
    ``size_target`` and ``size_range`` (one entry per frame): a frame whose
    target is already inside ``size_range`` is left alone, any other is
    rescaled so that its target measures ``size_target``; ``weights`` and
    ``prob`` are then unused, and ``scale_range`` is not enforced because the
    wrapper planned within it at the nominal training scale. Alone, it
    rescales with probability ``prob`` to a size drawn log-uniformly inside
    a bin drawn with ``weights`` among the bins ``scale_range`` can reach.

    With ``share_factor`` (the default) every frame of the pair gets the
    factor that puts the last frame's target (the search frame) in the bin,
    so template and search keep their relative scale; otherwise each frame
    gets its own factor towards the same size. The factor is lowered when
    needed so that every target fits inside its frame. Sizes are reached to
    within the rounding of the rescaled frame or window to whole pixels. Frames whose target
    box is degenerate (an absent target) are never a reference: a pair whose
    reference is degenerate passes unchanged.

    Required keys: ``img`` and ``gt_bboxes`` (lists, one entry per frame, the
    boxes as ``(N, 4)`` x1,y1,x2,y2 arrays with the target first). Modified
    keys: ``img``, ``gt_bboxes``, ``scale_factor`` (if present). Added key:
    ``size_rescale_factor`` (the factor of each frame). Removed keys:
    ``size_target``, ``size_range``.

    Args:
        size_edges (Sequence[float]): Inner bin edges in pixels. Defaults to
            the evaluation toolkit's ``DEFAULT_SIZE_EDGES``.
        weights (Sequence[float], optional): Weight of each bin when used
            alone; ``None`` is uniform. Non-negative, summing to one.
        scale_range (tuple[float, float]): Smallest and largest factor
            (around 1) when used alone; ``SizeRebalanceDataset`` also reads
            it to know which bins rescaling can fill. Defaults to
            (0.125, 2.0).
        min_size (float): Smallest target size to draw, in pixels.
            Defaults to 2.
        share_factor (bool): One factor for the whole pair. Defaults to
            True.
        prob (float): Probability of rescaling when used alone. Defaults
            to 1.
        pad_val (float | str): Canvas value around a shrunk frame, or
            ``'mean'`` for each frame's mean colour. Defaults to 'mean'.
    """

    def __init__(self,
                 size_edges: Sequence[float] = DEFAULT_SIZE_EDGES,
                 weights: Optional[Sequence[float]] = None,
                 scale_range: Tuple[float, float] = (0.125, 2.0),
                 min_size: float = 2.0,
                 share_factor: bool = True,
                 prob: float = 1.0,
                 pad_val: Union[float, str] = 'mean') -> None:
        edges = check_size_edges(size_edges)
        self.bin_lows = np.concatenate([[0.0], edges])
        self.bin_highs = np.concatenate([edges, [np.inf]])
        num_bins = len(self.bin_lows)
        self.weights = check_size_weights(weights, num_bins, 'SizeBinRescale')
        low, high = (float(v) for v in scale_range)
        if not 0 < low <= 1 <= high:
            raise ValueError('SizeBinRescale: scale_range must be (low, high) '
                             f'with 0 < low <= 1 <= high, got {scale_range!r}')
        check_number('SizeBinRescale: min_size', min_size, 0, low_open=True)
        check_number('SizeBinRescale: prob', prob, 0, 1)
        if isinstance(pad_val, str) and pad_val != 'mean':
            raise ValueError("SizeBinRescale: pad_val must be a number or "
                             f"'mean', got {pad_val!r}")
        self.scale_range = (low, high)
        self.min_size = float(min_size)
        self.share_factor = share_factor
        self.prob = prob
        self.pad_val = pad_val

    def _standalone_target(self, size: float, limit: float) -> float:
        """Draw a target size for a reference ``size`` (no wrapper keys).

        Args:
            size (float): Current size of the reference target.
            limit (float): Largest factor that keeps every target inside
                its frame.

        Returns:
            float: The size to reach; ``size`` itself when no rescale.
        """
        if np.random.random() >= self.prob:
            return size
        low = max(size * self.scale_range[0], self.min_size)
        high = size * min(self.scale_range[1], limit)
        lows = np.maximum(self.bin_lows, low)
        highs = np.minimum(self.bin_highs, high)
        weights = self.weights * (highs > lows)
        if weights.sum() <= 0:
            return size
        b = np.random.choice(len(weights), p=weights / weights.sum())
        return float(
            np.exp(np.random.uniform(np.log(lows[b]), np.log(highs[b]))))

    def _factors(self, results: dict, sizes: List[float],
                 limits: List[float]) -> List[float]:
        """One factor per frame, from the wrapper's keys or a fresh draw."""
        targets = results.pop(SIZE_TARGET_KEY, None)
        ranges = results.pop(SIZE_RANGE_KEY, None)
        last = len(sizes) - 1
        if targets is None:
            if sizes[last] <= 0:
                return [1.0] * len(sizes)
            # Alone: one size for the pair, drawn from the search frame's;
            # an empty range means "always rescale to it".
            target = self._standalone_target(sizes[last], min(limits))
            targets = [target] * len(sizes)
            ranges = [(target, target)] * len(sizes)
        factors = []
        for i, size in enumerate(sizes):
            ref = last if self.share_factor else i
            size = sizes[ref]
            low, high = ranges[ref]
            if size <= 0 or low <= size < high:
                factors.append(1.0)
                continue
            cap = min(limits) if self.share_factor else limits[i]
            factors.append(min(float(targets[ref]) / size, cap))
        return factors

    def _shrink(self, img: np.ndarray, boxes: np.ndarray, factor: float,
                shift: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Shrink a frame by ``factor`` and paste it on a canvas of its size.

        Args:
            img (np.ndarray): (H, W) or (H, W, C) frame.
            boxes (np.ndarray): (N, 4) boxes inside the frame.
            factor (float): Scale factor below 1.
            shift (np.ndarray): Two numbers in [0, 1]: where the shrunk
                frame goes within the canvas.

        Returns:
            tuple[np.ndarray, np.ndarray]: The frame and the boxes.
        """
        h, w = img.shape[:2]
        nw, nh = max(1, round(w * factor)), max(1, round(h * factor))
        small, k = img, 1
        # Exact halvings first: OpenCV's area interpolation is fast at 2:1
        # (about 20x its general case) and averages the pixels a small
        # target keeps; an odd last row or column is dropped.
        while small.shape[1] >= 2 * nw and small.shape[0] >= 2 * nh:
            even_h, even_w = small.shape[0] // 2 * 2, small.shape[1] // 2 * 2
            small = cv2.resize(
                small[:even_h, :even_w], (even_w // 2, even_h // 2),
                interpolation=cv2.INTER_AREA)
            k *= 2
        sx, sy = nw / (small.shape[1] * k), nh / (small.shape[0] * k)
        if small.shape[:2] != (nh, nw):
            # What is left is a ratio in (1/2, 1]: bilinear does not alias.
            small = cv2.resize(small, (nw, nh), interpolation=cv2.INTER_LINEAR)
        channels = img.shape[2] if img.ndim == 3 else 1
        pad = (list(cv2.mean(small)[:channels]) if self.pad_val == 'mean'
               else [float(self.pad_val)] * channels)
        ox = int(round(shift[0] * (w - nw)))
        oy = int(round(shift[1] * (h - nh)))
        # copyMakeBorder pads in one pass, ~50x faster than filling a numpy
        # canvas by broadcasting.
        canvas = cv2.copyMakeBorder(
            small, oy, h - nh - oy, ox, w - nw - ox, cv2.BORDER_CONSTANT,
            value=pad).reshape(img.shape)
        scale = np.array([sx, sy, sx, sy], np.float32)
        offset = np.array([ox, oy, ox, oy], np.float32)
        return canvas, boxes * scale + offset

    def _enlarge(self, img: np.ndarray, boxes: np.ndarray, factor: float,
                 shift: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Enlarge a window of the frame by ``factor`` to the frame's size.

        The window holds the whole target (the first box); cropping before
        resizing never builds the whole enlarged frame. The window has whole
        pixels, so the factor is exact to about ``0.5 / window size``.

        Args:
            img (np.ndarray): (H, W) or (H, W, C) frame.
            boxes (np.ndarray): (N, 4) boxes inside the frame.
            factor (float): Scale factor above 1.
            shift (np.ndarray): Two numbers in [0, 1]: where the window goes
                within its allowed range.

        Returns:
            tuple[np.ndarray, np.ndarray]: The frame and the boxes.
        """
        h, w = img.shape[:2]
        crop_w = min(w, max(1, round(w / factor)))
        crop_h = min(h, max(1, round(h / factor)))
        target = boxes[0] if len(boxes) else np.zeros(4, np.float32)
        origin = []
        for axis, size, crop in ((0, w, crop_w), (1, h, crop_h)):
            # The window [o, o + crop) must hold [target[axis],
            # target[axis + 2]) and stay inside the frame.
            lo = max(0, int(np.ceil(target[axis + 2] - crop)))
            hi = min(int(np.floor(target[axis])), size - crop)
            if lo > hi:  # target larger than the window: centre on it
                lo = hi = int(np.clip(
                    round((target[axis] + target[axis + 2] - crop) / 2), 0,
                    size - crop))
            origin.append(int(round(lo + shift[axis] * (hi - lo))))
        x0, y0 = origin
        out = cv2.resize(img[y0:y0 + crop_h, x0:x0 + crop_w], (w, h),
                         interpolation=cv2.INTER_LINEAR).reshape(img.shape)
        fx, fy = w / crop_w, h / crop_h
        offset = np.array([x0, y0, x0, y0], np.float32)
        return out, (boxes - offset) * np.array([fx, fy, fx, fy], np.float32)

    def transform(self, results: dict) -> dict:
        """Rescale every frame of the pair.

        Args:
            results (dict): The pair as a dict of lists.

        Returns:
            dict: The same dict, updated.
        """
        imgs, all_boxes = results.get('img'), results.get('gt_bboxes')
        if not isinstance(imgs, list) or not isinstance(all_boxes, list):
            raise TypeError(
                "SizeBinRescale needs 'img' and 'gt_bboxes' as lists (one "
                'entry per frame): put it after the TransformBroadcaster '
                'that loads the frames, not inside it')
        if 'gt_masks' in results:
            raise ValueError("SizeBinRescale rescales boxes only; results "
                             "carry 'gt_masks'")
        clipped, sizes, limits = [], [], []
        for img, boxes in zip(imgs, all_boxes):
            if not isinstance(boxes, np.ndarray):
                raise TypeError("SizeBinRescale: 'gt_bboxes' entries must be "
                                f'numpy arrays, got {type(boxes).__name__}')
            h, w = img.shape[:2]
            boxes = np.clip(
                boxes.astype(np.float32), 0,
                np.array([w, h, w, h], np.float32))
            clipped.append(boxes)
            sizes.append(box_size(boxes[0]) if len(boxes) else 0.0)
            bw = float(boxes[0, 2] - boxes[0, 0]) if len(boxes) else 0.0
            bh = float(boxes[0, 3] - boxes[0, 1]) if len(boxes) else 0.0
            limits.append(min(w / bw if bw > 0 else np.inf,
                              h / bh if bh > 0 else np.inf))
        factors = self._factors(results, sizes, limits)
        shift = np.random.random(2)
        for i, factor in enumerate(factors):
            if factor != 1.0:
                warp = self._shrink if factor < 1 else self._enlarge
                imgs[i], clipped[i] = warp(imgs[i], clipped[i], factor, shift)
                h, w = imgs[i].shape[:2]
                clipped[i] = np.clip(clipped[i], 0,
                                     np.array([w, h, w, h], np.float32))
        results['gt_bboxes'] = clipped
        if 'scale_factor' in results:
            results['scale_factor'] = [
                tuple(float(s) * f for s in sf)
                for sf, f in zip(results['scale_factor'], factors)
            ]
        results['size_rescale_factor'] = factors
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale_range={self.scale_range}, '
                f'min_size={self.min_size}, share_factor={self.share_factor}, '
                f'prob={self.prob}, pad_val={self.pad_val!r})')


def check_size_weights(weights: Optional[Sequence[float]], num_bins: int,
                       owner: str) -> np.ndarray:
    """Validate size-bin weights; ``None`` gives uniform weights.

    Args:
        weights (Sequence[float], optional): One weight per bin.
        num_bins (int): Number of bins.
        owner (str): Class named in the error messages.

    Returns:
        np.ndarray: The weights as floats.
    """
    if weights is None:
        return np.full(num_bins, 1.0 / num_bins)
    arr = np.asarray(list(weights), np.float64)
    if arr.shape != (num_bins, ):
        raise ValueError(f'{owner}: weights has {arr.size} entries but the '
                         f'size edges give {num_bins} bins')
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f'{owner}: weights must be finite and non-negative, '
                         f'got {list(weights)!r}')
    if abs(arr.sum() - 1.0) > 1e-6:
        raise ValueError(f'{owner}: weights must sum to 1, got sum '
                         f'{arr.sum():.6g} for {list(weights)!r}; divide them '
                         'by their sum')
    return arr
