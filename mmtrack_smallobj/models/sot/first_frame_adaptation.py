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
"""
import copy
from typing import Optional

import torch
from torch import Tensor, nn

from .whole_frame_utils import merge_cfg_defaults

DEFAULT_ADAPTATION = dict(steps=20, lr=5e-3)


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
    if cfg is None:
        return None
    if not isinstance(cfg, dict):
        raise TypeError('test_cfg.first_frame_adaptation must be a dict or '
                        f'None, got {cfg!r}')
    cfg = merge_cfg_defaults('GlobalSearchTracker', cfg, DEFAULT_ADAPTATION,
                             'test_cfg.first_frame_adaptation')
    steps, lr = cfg['steps'], cfg['lr']
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError('test_cfg.first_frame_adaptation.steps must be an '
                         f'integer >= 0, got {steps!r}')
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError('test_cfg.first_frame_adaptation.lr must be > 0, '
                         f'got {lr!r}')
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
