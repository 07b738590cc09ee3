"""Smooth the tracked box's size over frames and hold its aspect ratio.

The head regresses each frame's box on its own, and its size errors are
partly noise from frame to frame and partly a steady misreading of the
target's shape (on the learning benchmark's checkpoint a 16 px car came out
1.2 times too tall on the frames it was found, a 5 px aeroplane 1.2 times
too small), while a target's size and shape change slowly. Local-window
trackers (SiamFC, SiamRPN) therefore blend each frame's size into the
previous one with a learning rate; the whole-frame tracker does the same to
the box it reports, and in addition pulls the box's aspect ratio towards the
first box's, which is known:

* ``log(size) += size_lr * (log(sqrt(w * h)) - log(size))`` every frame the
  target is reported present (an absent frame's box is a guess and leaves
  the size as it was);
* ``log(w / h) = (1 - aspect_prior) * log(w / h) + aspect_prior *
  log(w0 / h0)``, except where the box touches the frame's edge: there the
  visible part of the target, and with it the ground-truth box, is cut by
  the edge and the head's own shape is kept.

The centre is the head's; the result is clipped to the frame. Only the
reported box changes: the candidates, their scores and the association are
as the head gave them. On four validation sets of 12 synthetic videos each
(seeds 9000 to 9300), replayed on session 9's tracking results, the mean
success went from 48.83 to 49.72 with ``size_lr=0.5, aspect_prior=0.5`` at
the same point accuracy (up to 49.87 with the aspect ratio held fully).
"""
import math
from typing import Optional, Sequence, Tuple

from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from torch import Tensor

from ...utils.config_checks import check_number, merge_optional_cfg
from .whole_frame_utils import clip_to_image

DEFAULT_BOX_SMOOTHING = dict(size_lr=0.5, aspect_prior=0.5)


def check_box_smoothing_cfg(cfg: Optional[dict]) -> Optional[dict]:
    """Validate ``test_cfg.box_smoothing``; fill its defaults.

    Args:
        cfg (dict, optional): ``size_lr`` (in (0, 1], the weight of the
            current frame's size; 1 does not smooth) and ``aspect_prior``
            (in [0, 1], the weight of the first box's aspect ratio; 0 keeps
            the head's); None turns smoothing off.

    Returns:
        dict, optional: The full config, or None when off.

    Raises:
        TypeError: Neither a dict nor None.
        KeyError: An unknown key.
        ValueError: A weight outside its range or not a number.
    """
    cfg = merge_optional_cfg('GlobalSearchTracker', cfg,
                             DEFAULT_BOX_SMOOTHING, 'test_cfg.box_smoothing')
    if cfg is None:
        return None
    check_number('test_cfg.box_smoothing.size_lr', cfg['size_lr'], 0, 1,
                 low_open=True)
    check_number('test_cfg.box_smoothing.aspect_prior', cfg['aspect_prior'],
                 0, 1)
    return cfg


def log_size_and_aspect(box: Sequence[float]) -> Tuple[float, float]:
    """``log(sqrt(w * h))`` and ``log(w / h)`` of an x1, y1, x2, y2 box
    (a (4,) tensor or four numbers).

    Sides are floored at 1e-3 pixels, so that a degenerate box gives
    finite numbers.
    """
    x1, y1, x2, y2 = (float(v) for v in box)
    width, height = max(x2 - x1, 1e-3), max(y2 - y1, 1e-3)
    return 0.5 * math.log(width * height), math.log(width / height)


def smooth_box(box: Tensor, log_size: float, first_log_aspect: float,
               image_size: Tuple[int, int],
               cfg: dict) -> Tuple[Tensor, float]:
    """The reported box: the head's centre with a smoothed size and shape.

    Args:
        box (Tensor): (4,) the head's box for this frame, x1, y1, x2, y2 in
            input pixels, already clipped to the frame.
        log_size (float): The smoothed ``log(sqrt(w * h))`` so far.
        first_log_aspect (float): ``log(w / h)`` of the first box.
        image_size (tuple[int, int]): Input height and width.
        cfg (dict): From :func:`check_box_smoothing_cfg`.

    Returns:
        tuple[Tensor, float]: The (4,) box, clipped to the frame, and the
        updated ``log_size``.
    """
    height, width = image_size
    x1, y1, x2, y2 = coords = box.tolist()
    box_log_size, log_aspect = log_size_and_aspect(coords)
    log_size += cfg['size_lr'] * (box_log_size - log_size)
    # One pixel of slack: the clip puts a cut box's side exactly on the
    # edge, and rounding may leave it a hair inside.
    at_edge = x1 <= 1 or y1 <= 1 or x2 >= width - 1 or y2 >= height - 1
    if not at_edge:
        prior = cfg['aspect_prior']
        log_aspect = (1 - prior) * log_aspect + prior * first_log_aspect
    size = [
        math.exp(log_size + 0.5 * log_aspect),
        math.exp(log_size - 0.5 * log_aspect)
    ]
    smoothed = bbox_cxcywh_to_xyxy(
        box.new_tensor([(x1 + x2) / 2, (y1 + y2) / 2, *size]))
    return clip_to_image(smoothed, height, width), log_size
