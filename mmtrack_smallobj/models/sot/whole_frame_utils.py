"""What the trackers that search whole frames share.

:class:`GlobalSearchTracker`, :class:`SiamRCNN` and the motion-only
:class:`MotionHeatmapTracker` reject unknown ``test_cfg`` keys, train on one
frame a sample (or a pair), start from a first box that must be usable, and
evaluate on the frame as it was loaded rather than on the preprocessor's
padded batch; the two detectors also search each frame at one test scale.
:func:`head_in_float32` keeps a tracker's head out of reduced precision.
"""
import functools
import math
from contextlib import nullcontext
from typing import Callable, ContextManager, Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmdet.structures.bbox import HorizontalBoxes, bbox_cxcywh_to_xyxy
from mmtrack.utils import SampleList
from torch import Tensor

from ...utils.config_checks import check_number


def check_test_scale(test_cfg: dict) -> None:
    """Reject a test scale that cannot work.

    A short side below 1 px shrinks every frame to 1 px: garbage boxes with
    score 0 instead of an error.

    Args:
        test_cfg (dict): With ``short_side`` and ``size_divisor``.

    Raises:
        ValueError: if either is below 1 or not a number, or
            ``size_divisor`` (which sets whole-pixel padding) is not an
            integer.
    """
    check_number('test_cfg.short_side', test_cfg['short_side'], 1)
    check_number('test_cfg.size_divisor', test_cfg['size_divisor'], 1,
                 integer=True)


def single_frames(inputs: Dict[str, Tensor], *names: str) -> List[Tensor]:
    """The training frames of a batch, one a sample.

    Args:
        inputs (dict[str, Tensor]): The batch's inputs.
        *names (str): Their keys to read, e.g. 'img', 'search_img'.

    Returns:
        list[Tensor]: For each name, the (N, C, H, W) frames.

    Raises:
        ValueError: unless every input is (N, 1, C, H, W).
    """
    imgs = [inputs[name] for name in names]
    for name, img in zip(names, imgs):
        if img.dim() != 5 or img.size(1) != 1:
            raise ValueError(f'inputs[{name!r}] must be (N, 1, C, H, W),'
                             f' got {tuple(img.shape)}')
    return [img[:, 0] for img in imgs]


def other_object_boxes(data_samples: SampleList) -> Optional[Tensor]:
    """The search frames' objects after the target, padded to one tensor.

    Args:
        data_samples (list[TrackDataSample]): With ``search_gt_instances``
            whose first box is the target's.

    Returns:
        Tensor, optional: (N, M, 4) boxes x1, y1, x2, y2, M the most other
        objects of a sample, zero rows where a sample has fewer; None when
        no sample has another object (SOT pairs).
    """
    others = [sample.search_gt_instances.bboxes[1:] for sample in data_samples]
    most = max(len(boxes) for boxes in others)
    if most == 0:
        return None
    padded = others[0].new_zeros(len(others), most, 4).float()
    for i, boxes in enumerate(others):
        padded[i, :len(boxes)] = boxes
    return padded


def visible_target_boxes(data_samples: SampleList,
                         search_boxes: Tensor) -> Optional[Tensor]:
    """The part of each search frame's target box left showing, as
    ``SeqTargetOcclusion`` records it (meta key ``target_visible_bbox``,
    packed for the search frame as ``search_target_visible_bbox``).

    Args:
        data_samples (list[TrackDataSample]): The batch.
        search_boxes (Tensor): (N, 4) their target boxes, x1, y1, x2, y2.

    Returns:
        Tensor, optional: (N, 4) boxes; a sample without the key (or with
        None) shows its whole box. None when no sample has it.

    Raises:
        ValueError: if a visible part is empty or not inside its box, as
            when a geometric transform ran after ``SeqTargetOcclusion``.
    """
    key = 'search_target_visible_bbox'
    parts = [sample.metainfo.get(key) for sample in data_samples]
    if all(part is None for part in parts):
        return None
    visible = search_boxes.clone()
    for i, part in enumerate(parts):
        if part is not None:
            visible[i] = torch.as_tensor(part, dtype=visible.dtype).view(4)
    # A float32 box round-trips through numpy exactly; the margin is for
    # boxes packed as float64 and compared in float32.
    margin = 1e-3
    bad = ((visible[:, :2] < search_boxes[:, :2] - margin).any(1)
           | (visible[:, 2:] > search_boxes[:, 2:] + margin).any(1)
           | (visible[:, 2:] <= visible[:, :2]).any(1))
    if bad.any():
        i = int(bad.nonzero()[0])
        raise ValueError(
            f'{key} of sample {i}, {visible[i].tolist()}, is not a '
            f'non-empty part of its target box {search_boxes[i].tolist()}; '
            'no geometric transform may follow SeqTargetOcclusion')
    return visible


def test_scale_shape(height: int, width: int, short_side: int,
                     max_long_side: Optional[int]) -> Tuple[int, int]:
    """Frame size after resizing to the test scale, aspect ratio kept.

    Args:
        height (int): Input height.
        width (int): Input width.
        short_side (int): Target length of the shorter side.
        max_long_side (int, optional): Cap on the longer side.

    Returns:
        tuple[int, int]: (height, width) at the test scale.
    """
    scale = short_side / min(height, width)
    if max_long_side is not None:
        scale = min(scale, max_long_side / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def resize_to_test_scale(
        img: Tensor,
        test_cfg: dict) -> Tuple[Tensor, Tensor, Tuple[int, int]]:
    """Resize (and pad) one frame to the test scale.

    Args:
        img (Tensor): (1, C, H, W) frame.
        test_cfg (dict): The tracker's ``short_side``, ``max_long_side``
            (None for no cap) and ``size_divisor``.

    Returns:
        tuple[Tensor, Tensor, tuple[int, int]]: the resized (1, C, H', W')
        frame, padded at the bottom and right to a multiple of
        ``size_divisor``; the (4,) x, y, x, y factors from input to resized
        pixels; the resized (unpadded) height and width.
    """
    height, width = img.shape[-2:]
    new_h, new_w = test_scale_shape(height, width, test_cfg['short_side'],
                                    test_cfg['max_long_side'])
    if (new_h, new_w) != (height, width):
        img = F.interpolate(
            img, size=(new_h, new_w), mode='bilinear', align_corners=False)
    divisor = test_cfg['size_divisor']
    pad_h = math.ceil(new_h / divisor) * divisor - new_h
    pad_w = math.ceil(new_w / divisor) * divisor - new_w
    if pad_h or pad_w:
        img = F.pad(img, (0, pad_w, 0, pad_h))
    factor = img.new_tensor(
        [new_w / width, new_h / height, new_w / width, new_h / height])
    return img, factor, (new_h, new_w)


def clip_to_image(boxes: Tensor, height: int, width: int) -> Tensor:
    """A copy of ``boxes`` (..., 4) x1, y1, x2, y2 clipped to a ``width`` x
    ``height`` image, by mmdet's ``HorizontalBoxes.clip_``."""
    clipped = HorizontalBoxes(boxes.reshape(-1, 4))
    clipped.clip_((height, width))
    return clipped.tensor.reshape(boxes.shape)


def check_first_box(box: Tensor, height: int, width: int, where: str) -> None:
    """Reject a first-frame box that a tracker cannot start from.

    Args:
        box (Tensor): (4,) x1, y1, x2, y2 in input pixels.
        height (int): Image height.
        width (int): Image width.
        where (str): What the error names, e.g. the first frame's path.

    Raises:
        ValueError: if the box is not finite, has no positive size, or lies
            outside the ``width`` x ``height`` image.
    """
    if not bool(torch.isfinite(box).all()):
        raise ValueError(f'first-frame box of {where} is not finite: '
                         f'{box.tolist()}')
    if not (box[2] > box[0] and box[3] > box[1]):
        raise ValueError(f'first-frame box of {where} has no positive size '
                         f'(x1, y1, x2, y2 = {box.tolist()})')
    if box[0] >= width or box[1] >= height or box[2] <= 0 or box[3] <= 0:
        raise ValueError(f'first-frame box of {where} (x1, y1, x2, y2 = '
                         f'{box.tolist()}) lies outside the {width}x{height} '
                         'image')


def head_in_float32(method: Callable) -> Callable:
    """Decorate a tracker's ``loss``, ``init`` and ``track``: under
    ``torch.autocast`` (``--amp`` training, fp16/bf16 inference) only the
    features (:func:`feature_precision`) keep the caller's precision, and
    the rest of the method runs in float32.

    Why: the head's template correlation sums C x k x k products, which
    grew past float16's range in about ten AMP iterations of the DLA-34
    config (inf, then NaN losses); and in bfloat16 (8-bit mantissa) or
    float16 the scores that rank candidates and the few-pixel boxes move
    enough to lose the target (success 54 -> 6 on the synthetic test set).
    The backbone and neck hold most of the work and tolerate both.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        device_type = next(self.parameters()).device.type
        # A nested call finds autocast off and leaves the dtype alone.
        if not torch.is_autocast_enabled(device_type):
            return method(self, *args, **kwargs)
        self._feature_dtype = torch.get_autocast_dtype(device_type)
        try:
            with torch.autocast(device_type, enabled=False):
                return method(self, *args, **kwargs)
        finally:
            self._feature_dtype = None

    return wrapper


def feature_precision(tracker: 'WholeFrameTrackerMixin',
                      device_type: str) -> ContextManager:
    """The context for a tracker's backbone and neck: the autocast that
    :func:`head_in_float32` found on entry, or, outside such a method, the
    caller's own state unchanged."""
    dtype = tracker._feature_dtype
    return nullcontext() if dtype is None else torch.autocast(
        device_type, dtype=dtype)


class WholeFrameTrackerMixin:
    """The first box and the evaluation of a whole-frame tracker.

    ``predict`` is mmtrack's OPE or VOT evaluation
    (``BaseSingleObjectTracker.predict``) on the frame without the
    preprocessor's padding: it pads frames to a multiple of its size
    divisor, and searched and clipped with it, boxes could land in the
    padding, outside the image. It keeps the first frame's path, so that
    ``_first_box`` names the file of a bad first box. Put the mixin before
    ``BaseSingleObjectTracker`` among the bases.
    """

    _first_frame_path: Optional[str] = None
    # The caller's autocast dtype while a head_in_float32 method runs.
    _feature_dtype: Optional[torch.dtype] = None

    def _first_box(self, img: Tensor) -> Tensor:
        """mmtrack's first-frame box, ``self.memo.bbox`` (cx, cy, w, h), as
        (4,) x1, y1, x2, y2, checked by :func:`check_first_box` against the
        (1, C, H, W) first frame ``img``."""
        box = bbox_cxcywh_to_xyxy(self.memo.bbox.float().view(1, 4))[0]
        check_first_box(box, img.size(-2), img.size(-1),
                        self._first_frame_path or 'the first frame')
        return box

    def predict(self, inputs: Dict[str, Tensor], data_samples: SampleList,
                **kwargs) -> SampleList:
        """Crop the padding, note the first frame's path, then predict.

        Args:
            inputs (dict[str, Tensor]): ``img`` (1, 1, C, H, W).
            data_samples (list[TrackDataSample]): Its ``img_shape`` is the
                unpadded size; ``frame_id`` 0 marks a video's first frame.

        Returns:
            list[TrackDataSample]: With ``pred_track_instances``.
        """
        metainfo = data_samples[0].metainfo
        if metainfo.get('frame_id', -1) == 0:
            self._first_frame_path = metainfo.get('img_path')
        height, width = metainfo.get('img_shape', inputs['img'].shape[-2:])
        inputs = {**inputs, 'img': inputs['img'][..., :height, :width]}
        return super().predict(inputs, data_samples, **kwargs)
