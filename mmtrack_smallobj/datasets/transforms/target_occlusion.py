"""Hide part of the target in a training frame, as an occluder would.

In long-term videos the target spends many frames half hidden: it walks
behind something, and its box, as LaSOT and GOT-10k annotate it, still
covers the hidden part. A tracker that only learned from whole targets
loses it exactly there. On the learning benchmark's test set (session 10)
the CPU default found a fully visible target on 97 % of its frames, one
60-90 % visible on 87 % and one at most 30 % visible on 23 %; on four
validation sets the target was among the 30 candidates on 35 % of the
frames where a quarter of it showed or less.

:class:`SeqTargetOcclusion` covers one side of the target box, a random
share of its width or height, with a patch of the same frame taken away from
the target (an occluder looks like the scene, not like the target), and
leaves the box as it was. mmdet's ``CutOut`` and torchvision's
``RandomErasing`` erase holes at random places with a fixed fill; neither
aims at the target box, which is what teaches the head to score the part
that still shows.
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmtrack.registry import TRANSFORMS

from ...utils.config_checks import check_number
from .target_crop import as_box_array, draw_generator, frame_mean_colour


def occluder_rect(box: np.ndarray, side: int, hidden: float,
                  overhang: float, image_size: Tuple[int, int]) -> np.ndarray:
    """Integer ``x1, y1, x2, y2`` of an occluder over one side of ``box``.

    Args:
        box (np.ndarray): (4,) the target box, x1, y1, x2, y2.
        side (int): The side it comes from: 0 left, 1 top, 2 right,
            3 bottom.
        hidden (float): Share of the box's extent across that side that is
            hidden, in (0, 1].
        overhang (float): How far the occluder reaches past the box on the
            other three sides, as a share of the box's size.
        image_size (tuple[int, int]): Frame width and height; the occluder
            is clipped to it.

    Returns:
        np.ndarray: (4,) int64 rectangle, possibly empty after clipping.
    """
    x1, y1, x2, y2 = (float(v) for v in box)
    width, height = x2 - x1, y2 - y1
    pad_x, pad_y = overhang * width, overhang * height
    rect = [x1 - pad_x, y1 - pad_y, x2 + pad_x, y2 + pad_y]
    if side == 0:
        rect[2] = x1 + hidden * width
    elif side == 1:
        rect[3] = y1 + hidden * height
    elif side == 2:
        rect[0] = x2 - hidden * width
    else:
        rect[1] = y2 - hidden * height
    low = np.floor(rect[:2]).clip(0, image_size)
    high = np.ceil(rect[2:]).clip(0, image_size)
    return np.concatenate([low, np.maximum(high, low)]).astype(np.int64)


def visible_part(box: np.ndarray, rect: np.ndarray,
                 side: int) -> Optional[np.ndarray]:
    """The part of ``box`` that an occluder ``rect`` from ``side`` (see
    :func:`occluder_rect`, which makes it span the box across that side)
    leaves showing.

    Args:
        box (np.ndarray): (4,) x1, y1, x2, y2.
        rect (np.ndarray): (4,) the occluder, x1, y1, x2, y2.
        side (int): 0 left, 1 top, 2 right, 3 bottom.

    Returns:
        np.ndarray | None: (4,) float32 box; None when nothing shows.
    """
    visible = np.asarray(box, np.float32).copy()
    if side < 2:  # the occluder's far edge is the visible part's near one
        visible[side] = max(visible[side], rect[side + 2])
    else:
        visible[side] = min(visible[side], rect[side - 2])
    if visible[2] <= visible[0] or visible[3] <= visible[1]:
        return None
    return visible


def _overlaps(rect: np.ndarray, box: np.ndarray) -> bool:
    return bool(rect[0] < box[2] and box[0] < rect[2] and rect[1] < box[3]
                and box[1] < rect[3])


@TRANSFORMS.register_module()
class SeqTargetOcclusion(BaseTransform):
    """Cover part of the target with a patch of its own frame.

    Runs on the list-valued results of a pair (after ``TransformBroadcaster``
    and, in our configs, ``SeqTargetCrop``). Each frame, with its own
    probability, gets one occluder over the side of the target box (the
    first box) it comes from, hiding a share of the box drawn from
    ``hidden_range`` and reaching up to ``max_overhang`` of the box's size
    past its other sides. The occluder is filled with a same-sized patch of
    the frame that does not touch the target box (up to 10 random tries;
    the frame's mean colour when none fits). Boxes are unchanged; a frame
    without a finite target box is left as it is.

    It adds ``target_visible_bbox``: per frame, the (4,) part of the target
    box left showing (the whole box when the frame was not occluded; None
    without a target box). Packed as a meta key (``PackTrackInputs(...,
    meta_keys=('target_visible_bbox', ))``), it lets
    :class:`GlobalSearchTracker` put the score maps' positives on the
    visible part only; so no geometric transform may follow this one.

    Args:
        prob (Sequence[float]): Per-frame probability, e.g. ``(0.0, 0.3)``
            for the search frame only.
        hidden_range (Sequence[float]): Lowest and highest hidden share,
            within (0, 1]. Defaults to ``(0.3, 0.9)``.
        max_overhang (float): >= 0. Defaults to 0.5.
        seed (int, optional): Seed of this transform's own generator, for
            tests; None draws from numpy's global state, which mmengine
            seeds per worker. Defaults to None.
    """

    def __init__(self,
                 prob: Sequence[float] = (0.0, 0.3),
                 hidden_range: Sequence[float] = (0.3, 0.9),
                 max_overhang: float = 0.5,
                 seed: Optional[int] = None) -> None:
        self.prob = tuple(
            check_number(f'SeqTargetOcclusion prob[{i}]', p, 0, 1)
            for i, p in enumerate(prob))
        if len(hidden_range) != 2 or not (
                0 < hidden_range[0] <= hidden_range[1] <= 1):
            raise ValueError('SeqTargetOcclusion hidden_range must be (low, '
                             'high) with 0 < low <= high <= 1, got '
                             f'{tuple(hidden_range)}')
        check_number('SeqTargetOcclusion max_overhang', max_overhang, 0)
        self.hidden_range = (float(hidden_range[0]), float(hidden_range[1]))
        self.max_overhang = float(max_overhang)
        self._rng = (np.random.default_rng(seed) if seed is not None else
                     None)

    def transform(self, results: dict) -> dict:
        """Occlude the target in some frames of the pair.

        Args:
            results (dict): Lists ``img`` and ``gt_bboxes`` (one entry per
                frame, first box the target).

        Returns:
            dict: The same results, images painted in place, with
            ``target_visible_bbox`` added.
        """
        imgs: List[np.ndarray] = results['img']
        if len(imgs) != len(self.prob):
            raise ValueError(f'SeqTargetOcclusion has {len(self.prob)} '
                             f'probabilities but the pair has {len(imgs)} '
                             'frames')
        rng = draw_generator(self._rng)
        visible_boxes: List[Optional[np.ndarray]] = []
        for i, img in enumerate(imgs):
            boxes = as_box_array(results['gt_bboxes'][i])
            if len(boxes) == 0 or not np.isfinite(boxes[0]).all():
                visible_boxes.append(None)  # nothing to hide
                continue
            box = boxes[0].astype(np.float32)
            visible_boxes.append(box)
            if rng.uniform() >= self.prob[i]:
                continue
            side = int(rng.integers(4))
            rect = occluder_rect(box, side, rng.uniform(*self.hidden_range),
                                 rng.uniform(0, self.max_overhang),
                                 (img.shape[1], img.shape[0]))
            visible = visible_part(box, rect, side)
            if visible is None:
                continue  # rounding to whole pixels would hide it all
            imgs[i] = self._paint(img, rect, box, rng)
            visible_boxes[i] = visible
        results['target_visible_bbox'] = visible_boxes
        return results

    @staticmethod
    def _paint(img: np.ndarray, rect: np.ndarray, box: np.ndarray,
               rng: np.random.Generator) -> np.ndarray:
        """``img`` with ``rect`` filled by a patch that misses ``box``."""
        width, height = int(rect[2] - rect[0]), int(rect[3] - rect[1])
        if width == 0 or height == 0:
            return img
        img = img.copy()
        for _ in range(10):
            x = int(rng.integers(0, img.shape[1] - width + 1))
            y = int(rng.integers(0, img.shape[0] - height + 1))
            source = np.array([x, y, x + width, y + height])
            if not _overlaps(source, box):
                img[rect[1]:rect[3], rect[0]:rect[2]] = \
                    img[y:y + height, x:x + width]
                return img
        img[rect[1]:rect[3], rect[0]:rect[2]] = frame_mean_colour(
            img).astype(img.dtype)
        return img

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'hidden_range={self.hidden_range}, '
                f'max_overhang={self.max_overhang})')
