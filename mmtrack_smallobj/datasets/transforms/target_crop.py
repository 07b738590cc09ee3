"""Random windows of a template/search frame pair that contain the target.

The global-search tracker searches whole frames at test time, and its
network is fully convolutional, so it can learn from windows of the frames:
a search window still holds the target and many look-alike negatives, and a
template window only needs the box and the receptive field around it. On a
CPU this makes an iteration several times cheaper than whole frames, for
the same number of pairs. The window's position is random, so the target
appears anywhere in it, as it does in a whole frame.
"""
import math
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmtrack.registry import TRANSFORMS

from ...utils.config_checks import check_number


def as_box_array(boxes) -> np.ndarray:
    """(N, 4) float array from numpy boxes or mmdet box structures."""
    tensor = getattr(boxes, 'tensor', None)
    if tensor is not None:
        return tensor.cpu().numpy().astype(np.float64)
    return np.asarray(boxes, dtype=np.float64).reshape(-1, 4)


def _like(boxes, array: np.ndarray):
    """``array`` in the type of ``boxes`` (numpy or an mmdet box type)."""
    if getattr(boxes, 'tensor', None) is not None:
        return type(boxes)(array.astype(np.float32))
    return array.astype(np.asarray(boxes).dtype)


def window_side(box: np.ndarray, min_side: int, margin: int,
                divisor: int) -> Tuple[int, int]:
    """(width, height) of a window that holds ``box`` with ``margin``
    pixels on each side, at least ``min_side``, rounded up to ``divisor``.
    """
    width = max(min_side, box[2] - box[0] + 2 * margin)
    height = max(min_side, box[3] - box[1] + 2 * margin)
    return (int(math.ceil(width / divisor) * divisor),
            int(math.ceil(height / divisor) * divisor))


def window_origin(box: np.ndarray, size: Tuple[int, int], margin: int,
                  image_size: Tuple[int, int],
                  rng: np.random.Generator) -> np.ndarray:
    """Random top-left corner of a ``size`` window holding ``box`` with
    ``margin`` pixels around it (as far as the window allows), inside the
    ``image_size`` (width, height) frame where it can be."""
    origin = []
    for axis in range(2):
        low = box[axis + 2] + margin - size[axis]
        high = box[axis] - margin
        if low > high:  # the box does not fit with its margin: centre it
            low = high = (box[axis] + box[axis + 2] - size[axis]) / 2
        inside_low = max(low, 0)
        inside_high = min(high, image_size[axis] - size[axis])
        if inside_low <= inside_high:
            # Padding carries no negatives: stay inside the frame.
            low, high = inside_low, inside_high
        origin.append(math.floor(rng.uniform(low, high)))
    return np.array(origin, dtype=np.int64)


def crop_with_padding(img: np.ndarray, origin: np.ndarray,
                      size: Tuple[int, int], pad_value: Sequence[float]
                      ) -> np.ndarray:
    """The ``size`` window at ``origin``; parts outside the image are
    filled with ``pad_value``."""
    width, height = size
    out = np.empty((height, width) + img.shape[2:], dtype=img.dtype)
    out[...] = np.asarray(pad_value, dtype=img.dtype)
    x0, y0 = int(origin[0]), int(origin[1])
    src_x0, src_y0 = max(x0, 0), max(y0, 0)
    src_x1 = min(x0 + width, img.shape[1])
    src_y1 = min(y0 + height, img.shape[0])
    if src_x1 > src_x0 and src_y1 > src_y0:
        out[src_y0 - y0:src_y1 - y0, src_x0 - x0:src_x1 - x0] = \
            img[src_y0:src_y1, src_x0:src_x1]
    return out


def frame_mean_colour(img: np.ndarray) -> np.ndarray:
    """Mean colour of an (H, W, C) or (H, W) frame: what the transforms fill
    with, which the data preprocessor's normalisation maps near zero."""
    return img.reshape(-1, *img.shape[2:]).mean(0)


def draw_generator(own: Optional[np.random.Generator]
                   ) -> np.random.Generator:
    """A transform's random generator: ``own`` (seeded, for tests) if set,
    else one seeded from numpy's global state, which mmengine seeds per
    worker."""
    if own is not None:
        return own
    return np.random.default_rng(np.random.randint(2**31))


@TRANSFORMS.register_module()
class SeqTargetCrop(BaseTransform):
    """Cut a random window around the target from each frame of a pair.

    Runs on the list-valued results of a pair (after
    ``TransformBroadcaster``), one window size per frame: a small one for
    the template frame, a larger one for the search frame. A window grows
    beyond its size when the box and ``margin`` do not fit, so a large
    target is never cut. Windows reaching outside the frame are padded with
    the frame's mean colour, which the data preprocessor's normalisation
    maps near zero.

    Args:
        crop_sizes (Sequence[int]): Smallest window side per frame, e.g.
            ``(96, 160)`` for template and search.
        margins (Sequence[int]): Pixels kept around the box per frame: the
            template's should cover the backbone's receptive field, the
            search's lets the target sit anywhere else in the window.
            Defaults to ``(32, 8)``.
        size_divisor (int): Window sides are rounded up to a multiple of
            it, as the network's input must be. Defaults to 32.
        seed (int, optional): Seed of this transform's own generator, for
            tests; None draws from numpy's global state, which mmengine
            seeds per worker. Defaults to None.
    """

    def __init__(self,
                 crop_sizes: Sequence[int] = (96, 160),
                 margins: Sequence[int] = (32, 8),
                 size_divisor: int = 32,
                 seed: Optional[int] = None) -> None:
        if len(crop_sizes) != len(margins):
            raise ValueError(f'crop_sizes {tuple(crop_sizes)} and margins '
                             f'{tuple(margins)} must name the same frames')
        # Floats pass, truncated, so that computed sizes (1.5 * 64) work.
        self.crop_sizes = tuple(
            int(check_number(f'crop_sizes[{i}]', size, 1))
            for i, size in enumerate(crop_sizes))
        self.margins = tuple(
            int(check_number(f'margins[{i}]', margin, 0))
            for i, margin in enumerate(margins))
        self.size_divisor = int(check_number('size_divisor', size_divisor, 1))
        self.seed = seed
        self._rng = (np.random.default_rng(seed) if seed is not None else
                     None)

    def transform(self, results: dict) -> dict:
        """Crop every frame of the pair and shift its boxes.

        Args:
            results (dict): Lists ``img`` and ``gt_bboxes`` (one entry per
                frame, first box the target), ``img_shape``.

        Returns:
            dict: The same lists for the windows.
        """
        imgs: List[np.ndarray] = results['img']
        if len(imgs) != len(self.crop_sizes):
            raise ValueError(f'SeqTargetCrop has {len(self.crop_sizes)} '
                             f'crop_sizes but the pair has {len(imgs)} '
                             'frames')
        rng = draw_generator(self._rng)
        for i, img in enumerate(imgs):
            boxes = as_box_array(results['gt_bboxes'][i])
            if len(boxes) == 0 or not np.isfinite(boxes[0]).all():
                raise ValueError('SeqTargetCrop needs the target box on '
                                 f'frame {i} of the pair, got {boxes}')
            size = window_side(boxes[0], self.crop_sizes[i], self.margins[i],
                               self.size_divisor)
            origin = window_origin(boxes[0], size, self.margins[i],
                                   (img.shape[1], img.shape[0]), rng)
            imgs[i] = crop_with_padding(img, origin, size,
                                        frame_mean_colour(img))
            shifted = boxes - np.tile(origin, 2)
            results['gt_bboxes'][i] = _like(results['gt_bboxes'][i], shifted)
            if 'img_shape' in results:
                results['img_shape'][i] = imgs[i].shape[:2]
        results['img'] = imgs
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(crop_sizes={self.crop_sizes}, '
                f'margins={self.margins}, size_divisor={self.size_divisor})')
