"""Re-rank a frame's candidates by how much they look like the first box.

The head's score mixes likeness to the template with general objectness, and
after a few minutes of training on a CPU the second dominates: on the
learning benchmark's checkpoint the top candidates of a frame score within a
few hundredths of each other (0.53 to 0.57 on a video where the target came
second), while the target is among the ten best candidates on 80 to 95% of
the visible frames. Two cues that compare each candidate with the first box
itself, which is known, break those near-ties, as a verification stage
(SiamRCNN's re-detection, DAT's colour model) does:

* feature likeness: the cosine similarity of the candidate's features,
  pooled on its box as the template was, with the first frame's template
  (learned features; one level, the finest by default);
* colour: the distance between the mean colours of the central part of the
  candidate's box and of the first box, in the normalised input (small
  targets are a few pixels whose colour is most of what there is to see).

A candidate's rank is ``score + feature_weight * likeness - colour_weight *
colour_distance``. The reported score stays the head's probability unless
``confidence='ranking'`` reports the chosen candidate's rank score instead:
on long-term videos it tells frames without the target from frames with it
better (`docs/global_search.md`). On four
validation sets of 12 synthetic videos each (seeds 9000 to 9300), with the
learning benchmark's session 8 checkpoint, the mean success / point accuracy
went from 36.1 / 48.0 to 48.7 / 66.7 with 30 candidates a frame (the colour
cue alone: 48.3 / 66.9; the feature cue alone, 10 candidates: 42.7 / 56.0).
The synthetic objects are flat-coloured, which favours the colour cue; on
other data its weight is worth re-tuning (0 turns it off).
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.structures import InstanceData
from torch import Tensor, nn

from ...utils.config_checks import (check_choice, check_number,
                                    merge_optional_cfg)
from ..layers.device_ops import roi_align

DEFAULT_VERIFICATION = dict(
    feature_weight=0.3,
    colour_weight=0.2,
    colour_ratio=0.5,
    feature_level=0,
    confidence='probability')
CONFIDENCES = ('probability', 'ranking')


def check_verification_cfg(cfg: Optional[dict],
                           num_levels: int) -> Optional[dict]:
    """Validate ``test_cfg.verification``; fill its defaults.

    Args:
        cfg (dict, optional): ``feature_weight`` and ``colour_weight``
            (numbers >= 0), ``colour_ratio`` (in (0, 1], the share of the
            box's width and height, about its centre, whose colour counts),
            ``feature_level`` (the head level whose features are
            compared) and ``confidence``, the score ``track`` reports with
            the 'top1' and 'position' strategies ('reid' reports its
            association's): 'probability' (the head's) or 'ranking' (the
            rank score below); None turns verification off.
        num_levels (int): The head's levels.

    Returns:
        dict, optional: The full config, or None when off.

    Raises:
        TypeError: Neither a dict nor None.
        KeyError: An unknown key.
        ValueError: A negative weight, a ratio outside (0, 1], a level
            the head does not have or another confidence.
    """
    section = 'test_cfg.verification'
    cfg = merge_optional_cfg('GlobalSearchTracker', cfg,
                             DEFAULT_VERIFICATION, section)
    if cfg is None:
        return None
    for key in ('feature_weight', 'colour_weight'):
        check_number(f'{section}.{key}', cfg[key], 0)
    check_number(f'{section}.colour_ratio', cfg['colour_ratio'], 0, 1,
                 low_open=True)
    check_number(f'{section}.feature_level', cfg['feature_level'], 0,
                 num_levels, high_open=True, integer=True)
    check_choice(f'{section}.confidence', cfg['confidence'], CONFIDENCES)
    return cfg


def mean_colours(img: Tensor, boxes: Tensor, ratio: float) -> Tensor:
    """Mean colour of the central part of each box.

    Args:
        img (Tensor): (1, C, H, W) frame.
        boxes (Tensor): (K, 4) x1, y1, x2, y2 in ``img`` pixels.
        ratio (float): Share of each side kept about the box's centre.

    Returns:
        Tensor: (K, C) means, bilinear samples about one pixel apart.
    """
    central = HorizontalBoxes(boxes.float(), clone=True)
    central.resize_((ratio, ratio))
    rois = torch.cat([central.tensor.new_zeros(len(boxes), 1),
                      central.tensor], dim=1)
    # Sampling ratio 0: RoIAlign takes about one sample a pixel, so a 1 x 1
    # output is the box's average.
    return roi_align(img, rois, (1, 1), 1.0, sampling_ratio=0)[:, :, 0, 0]


def verified_scores(head: nn.Module, feats: Sequence[Tensor],
                    templates: Sequence[Tensor], img: Tensor,
                    boxes_scaled: Tensor, boxes: Tensor, scores: Tensor,
                    first_colour: Tensor, cfg: dict) -> Tensor:
    """The ranking score of every candidate of one frame.

    Args:
        head (nn.Module): The :class:`PointGlobalSearchHead` that pooled
            ``templates``.
        feats (Sequence[Tensor]): (1, C, H_l, W_l) features of the frame
            at the test scale.
        templates (Sequence[Tensor]): (1, C, k, k) per level, the first
            frame's.
        img (Tensor): (1, 3, H, W) the frame as given (normalised).
        boxes_scaled (Tensor): (K, 4) candidates in ``feats``' input
            pixels.
        boxes (Tensor): (K, 4) the same candidates in ``img`` pixels.
        scores (Tensor): (K,) the head's probabilities.
        first_colour (Tensor): (3,) :func:`mean_colours` of the first box.
        cfg (dict): From :func:`check_verification_cfg`.

    Returns:
        Tensor: (K,) ``scores`` plus the weighted likeness, minus the
        weighted colour distance.
    """
    ranked = scores.float().clone()
    if cfg['feature_weight'] > 0:
        level = cfg['feature_level']
        pooled, = head.pool_templates(
            feats, boxes_scaled,
            image_index=boxes_scaled.new_zeros(len(boxes_scaled)),
            levels=(level, ))
        likeness = F.cosine_similarity(
            pooled.flatten(1).float(),
            templates[level].flatten(1).float(), dim=1)
        ranked += cfg['feature_weight'] * likeness
    if cfg['colour_weight'] > 0:
        colours = mean_colours(img, boxes, cfg['colour_ratio'])
        distance = (colours - first_colour.to(colours)).norm(dim=1)
        ranked -= cfg['colour_weight'] * distance
    return ranked


def rank_candidates(head: nn.Module, feats: Sequence[Tensor],
                    templates: Sequence[Tensor], img: Tensor,
                    candidates: InstanceData, boxes_scaled: Tensor,
                    first_colour: Tensor,
                    cfg: dict) -> Tuple[InstanceData, Tensor]:
    """Sort one frame's candidates by :func:`verified_scores`.

    Args:
        head, feats, templates, img, first_colour, cfg: As in
            :func:`verified_scores`.
        candidates (InstanceData): ``bboxes`` in ``img`` pixels and
            ``scores``, the head's probabilities.
        boxes_scaled (Tensor): (K, 4) the same boxes in ``feats``' input
            pixels.

    Returns:
        tuple[InstanceData, Tensor]: The candidates best first, with their
        ``ranking_scores`` (their ``scores`` unchanged), and
        ``boxes_scaled`` in the same order.
    """
    ranked = verified_scores(head, feats, templates, img, boxes_scaled,
                             candidates.bboxes, candidates.scores,
                             first_colour, cfg)
    order = ranked.argsort(descending=True)
    candidates = candidates[order]
    candidates.ranking_scores = ranked[order]
    return candidates, boxes_scaled[order]
