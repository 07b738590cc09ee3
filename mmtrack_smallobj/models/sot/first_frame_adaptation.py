"""Adapt the score layers to one video's target on its first frame.

An offline-trained global-search head scores likeness to the template and
general objectness together. On the synthetic benchmark its per-video point
accuracy is bimodal (near 1 on some videos, near 0 on others): where a
salient object outscores the target on the first frame, it keeps doing so on
every frame. The first frame is the one frame whose box is known, so every
high-scoring point outside that box is a known distractor. A few gradient
steps of the head's own classification loss on that frame push them down and
the target up, as online trackers (MDNet, DiMP) learn on their first frame.

Only the score layers (one 3x3 convolution per branch) of a per-video copy
of the head learn, on tower features computed once: the steps cost about as
much as tracking a few frames, the box regression and the trained model stay
as they were, and nothing carries over from one video to the next.

The first box also calibrates the box sizes. A briefly trained regressor
pulls sizes towards the training set's typical size (on the learning
benchmark's checkpoint, boxes of 16-32 px targets came out 1.46 times too
large and those of 64-128 px targets 0.85 times too small, by the median
over frames whose point was right), and the bias is steady within a video.
The head's own box for the first frame, compared with the given one, gives a
width and a height factor that rescale every later candidate about its
centre: the points and scores are untouched.

The first box also sets the video's test scale. A target of a few pixels
covers one or two feature cells at the default scale and blurs into the
background; the whole frame is then searched at a larger short side, so
that the target spans about ``target_size`` pixels, up to ``max_zoom``
times the configured scale (on two validation sets, the 8-32 px targets
were found far more often at twice the scale, and large targets less).
"""
import copy
from typing import Optional

import torch
from torch import Tensor, nn

from ...utils.config_checks import check_number, merge_optional_cfg
from .whole_frame_utils import test_scale_shape

DEFAULT_ADAPTATION = dict(steps=20, lr=5e-3)
DEFAULT_SIZE_CALIBRATION = dict(max_ratio=2.0)
DEFAULT_SMALL_TARGET_ZOOM = dict(target_size=48.0, max_zoom=2.0)


def check_adaptation_cfg(cfg: Optional[dict]) -> Optional[dict]:
    """Validate ``test_cfg.first_frame_adaptation``; fill its defaults.

    Args:
        cfg (dict, optional): ``steps`` (gradient steps, >= 0) and ``lr``
            (Adam's learning rate, > 0); None turns adaptation off.

    Returns:
        dict, optional: The full config, or None when off.

    Raises:
        TypeError: Neither a dict nor None.
        KeyError: An unknown key.
        ValueError: A negative step count or a learning rate <= 0.
    """
    cfg = merge_optional_cfg('GlobalSearchTracker', cfg, DEFAULT_ADAPTATION,
                             'test_cfg.first_frame_adaptation')
    if cfg is None:
        return None
    check_number('test_cfg.first_frame_adaptation.steps', cfg['steps'], 0,
                 integer=True)
    check_number('test_cfg.first_frame_adaptation.lr', cfg['lr'], 0,
                 low_open=True)
    return cfg


def score_parameters(head: nn.Module) -> list:
    """The parameters of the head's score layers (``cls`` of each branch)."""
    return [p for branch in head.branches for p in branch['cls'].parameters()]


def adapt_head(head: nn.Module, templates: list, feats: list, bbox: Tensor,
               cfg: dict) -> nn.Module:
    """A copy of ``head`` whose score layers learned the first frame.

    Args:
        head (nn.Module): A :class:`PointGlobalSearchHead` (not modified).
        templates (list[Tensor]): (1, C, k, k) per level, pooled on
            ``bbox``.
        feats (list[Tensor]): (1, C, H_l, W_l) features of the first frame.
        bbox (Tensor): (4,) the first box, x1, y1, x2, y2 in the features'
            input pixels.
        cfg (dict): From :func:`check_adaptation_cfg`.

    Returns:
        nn.Module: The adapted copy, in eval mode, no parameter requiring
        gradients; ``head`` itself when ``steps`` is 0.
    """
    if cfg['steps'] == 0:
        return head
    adapted = copy.deepcopy(head).eval()
    adapted.requires_grad_(False)
    params = score_parameters(adapted)
    with torch.no_grad():
        tower = [feat.detach() for feat in head.encode(templates, feats)]
    gt_bboxes = bbox.detach().float()[None]
    with torch.enable_grad():
        for param in params:
            param.requires_grad_(True)
        optimizer = torch.optim.Adam(params, lr=cfg['lr'])
        for _ in range(cfg['steps']):
            losses = adapted.cls_loss_by_feat(
                adapted.score_maps(tower), gt_bboxes)
            loss = sum(losses.values())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    adapted.requires_grad_(False)
    return adapted


def check_size_calibration_cfg(cfg: Optional[dict]) -> Optional[dict]:
    """Validate ``test_cfg.size_calibration``; fill its defaults.

    Args:
        cfg (dict, optional): ``max_ratio`` (>= 1): the width and height
            factors are clamped to ``[1 / max_ratio, max_ratio]``; None
            turns calibration off.

    Returns:
        dict, optional: The full config, or None when off.

    Raises:
        TypeError: Neither a dict nor None.
        KeyError: An unknown key.
        ValueError: ``max_ratio`` below 1 or not a number.
    """
    cfg = merge_optional_cfg('GlobalSearchTracker', cfg,
                             DEFAULT_SIZE_CALIBRATION,
                             'test_cfg.size_calibration')
    if cfg is None:
        return None
    check_number('test_cfg.size_calibration.max_ratio', cfg['max_ratio'], 1)
    return cfg


def size_calibration(boxes: Tensor, bbox: Tensor, max_ratio: float) -> Tensor:
    """Width and height factors from the head's boxes on the first frame.

    The head's box for the target is the best-scoring candidate whose centre
    lies in the given box (candidates come sorted by score).

    Args:
        boxes (Tensor): (K, 4) the first frame's candidates, x1, y1, x2, y2,
            best first.
        bbox (Tensor): (4,) the given first box, in the same pixels.
        max_ratio (float): Factors are clamped to
            ``[1 / max_ratio, max_ratio]``.

    Returns:
        Tensor: (2,) the given width and height over the candidate's; ones
        when no candidate's centre is in the box.
    """
    ones = bbox.new_ones(2)
    if len(boxes) == 0:
        return ones
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2
    inside = ((centres >= bbox[:2]) & (centres <= bbox[2:])).all(dim=1)
    if not inside.any():
        return ones
    found = boxes[int(inside.nonzero()[0])]
    size = (found[2:] - found[:2]).clamp(min=1e-6)
    ratio = (bbox[2:] - bbox[:2]) / size
    return ratio.clamp(1 / max_ratio, max_ratio)


def check_small_target_zoom_cfg(cfg: Optional[dict]) -> Optional[dict]:
    """Validate ``test_cfg.small_target_zoom``; fill its defaults.

    Args:
        cfg (dict, optional): ``target_size`` (> 0, pixels of
            ``sqrt(w * h)`` the first box should span at the test scale)
            and ``max_zoom`` (>= 1, the largest factor on the configured
            short side); None turns the zoom off.

    Returns:
        dict, optional: The full config, or None when off.

    Raises:
        TypeError: Neither a dict nor None.
        KeyError: An unknown key.
        ValueError: A size <= 0 or a zoom below 1.
    """
    cfg = merge_optional_cfg('GlobalSearchTracker', cfg,
                             DEFAULT_SMALL_TARGET_ZOOM,
                             'test_cfg.small_target_zoom')
    if cfg is None:
        return None
    check_number('test_cfg.small_target_zoom.target_size',
                 cfg['target_size'], 0, low_open=True)
    check_number('test_cfg.small_target_zoom.max_zoom', cfg['max_zoom'], 1)
    return cfg


def zoomed_short_side(box: Tensor, height: int, width: int, test_cfg: dict,
                      cfg: dict) -> int:
    """The video's short side: the configured one, enlarged for a small
    first box.

    Args:
        box (Tensor): (4,) the first box, x1, y1, x2, y2 in input pixels.
        height (int): Input height.
        width (int): Input width.
        test_cfg (dict): The tracker's ``short_side`` and
            ``max_long_side``.
        cfg (dict): From :func:`check_small_target_zoom_cfg`.

    Returns:
        int: ``short_side`` times ``target_size`` over the box's size at the
        configured scale, clamped to ``[1, max_zoom]``.
    """
    scaled_h, _ = test_scale_shape(height, width, test_cfg['short_side'],
                                   test_cfg['max_long_side'])
    size = float(((box[2] - box[0]) * (box[3] - box[1])).sqrt())
    size_at_scale = size * scaled_h / height
    zoom = min(max(cfg['target_size'] / size_at_scale, 1.0), cfg['max_zoom'])
    return round(test_cfg['short_side'] * zoom)
