"""The training losses of :class:`PointGlobalSearchHead`, by points.

Kept apart from the head's layers and inference: how every level's points
become targets (inside the target's box, inside an ignored other object, or
background), the score-map loss (the max-point loss or a dense mmdet loss)
and the box regression of the inside points nearest the box centre.
"""
from typing import Dict, Optional, Sequence, Tuple

import torch
from mmdet.structures.bbox import HorizontalBoxes
from torch import Tensor

from ...utils.config_checks import check_number, merge_optional_cfg
from ..losses.hard_max_point_loss import (HardMaxPointLoss, grid_points,
                                          ignored_mask, inside_mask)

DEFAULT_CENTRE_SAMPLING = dict(ratio=0.5, min_cells=2)


def decode_points(points: Tensor, distances: Tensor) -> Tensor:
    """Boxes from points and their distances to the four sides.

    Distances may be negative (a point just outside a box smaller than a
    cell); the corners are sorted so that the box is always valid.

    Args:
        points (Tensor): (..., 2) x, y.
        distances (Tensor): (..., 4) left, top, right, bottom.

    Returns:
        Tensor: (..., 4) boxes x1, y1, x2, y2.
    """
    xa = points[..., 0] - distances[..., 0]
    ya = points[..., 1] - distances[..., 1]
    xb = points[..., 0] + distances[..., 2]
    yb = points[..., 1] + distances[..., 3]
    return torch.stack([
        torch.minimum(xa, xb),
        torch.minimum(ya, yb),
        torch.maximum(xa, xb),
        torch.maximum(ya, yb)
    ], dim=-1)


def check_centre_sampling(cfg: Optional[dict]) -> Optional[dict]:
    """Validate a head's ``centre_sampling``; fill its defaults.

    Args:
        cfg (dict, optional): ``ratio`` in (0, 1] (the central box's side
            over the box's) and ``min_cells`` >= 0 (on a level whose
            stride the central box's shorter side does not exceed this many
            times, the whole box is used); None turns it off.

    Returns:
        dict, optional: The full config, or None when off.

    Raises:
        TypeError: Neither a dict nor None.
        KeyError: An unknown key.
        ValueError: A ratio outside (0, 1] or a negative ``min_cells``.
    """
    cfg = merge_optional_cfg('PointGlobalSearchHead', cfg,
                             DEFAULT_CENTRE_SAMPLING, 'centre_sampling')
    if cfg is None:
        return None
    check_number('centre_sampling.ratio', cfg['ratio'], 0, 1, low_open=True)
    check_number('centre_sampling.min_cells', cfg['min_cells'], 0)
    return cfg


def central_boxes(gt_bboxes: Tensor, stride: int, ratio: float,
                  min_cells: float) -> Tensor:
    """The boxes scaled about their centres by ``ratio`` where the result's
    shorter side spans more than ``min_cells`` cells of ``stride`` pixels;
    the boxes themselves elsewhere (a small box keeps all its points).

    Args:
        gt_bboxes (Tensor): (N, 4) x1, y1, x2, y2.
        stride (int): The level's stride in pixels.
        ratio (float): Side of the central box over the box's.
        min_cells (float): See above.

    Returns:
        Tensor: (N, 4) boxes.
    """
    central = HorizontalBoxes(gt_bboxes, clone=True)
    central.resize_((ratio, ratio))
    wide = central.widths.minimum(central.heights) > min_cells * stride
    return torch.where(wide[:, None], central.tensor, gt_bboxes)


def _inside(points: Tensor, boxes: Tensor) -> Tensor:
    """Which of one level's points (P, 2) are inside each box (N, P)."""
    real = points.new_ones(1, len(points), dtype=torch.bool)
    return inside_mask(points[None], real, boxes)[:, 0]


class PointHeadLossMixin:
    """Losses of a head with per-level ``cls``/``reg`` outputs.

    The host sets ``strides``, ``loss_cls``, ``loss_bbox``,
    ``num_reg_points`` and ``centre_sampling`` (None or a dict checked by
    :func:`check_centre_sampling`) and implements ``pool_templates`` and
    ``forward`` (score logits and side distances per level).
    """

    def _level_points(self, score: Tensor, stride: int) -> Tensor:
        return grid_points(score.shape[-2:], stride, device=score.device)

    def loss_by_feat(
            self,
            cls_scores: Sequence[Tensor],
            distances: Sequence[Tensor],
            gt_bboxes: Tensor,
            ignore_bboxes: Optional[Tensor] = None,
            visible_bboxes: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Per-level classification and box losses.

        Args:
            cls_scores (Sequence[Tensor]): (N, 1, H_l, W_l) logits per level.
            distances (Sequence[Tensor]): (N, 4, H_l, W_l) per level.
            gt_bboxes (Tensor): (N, 4) search-frame boxes x1, y1, x2, y2.
            ignore_bboxes (Tensor, optional): (N, M, 4) other objects of
                the search frames (zero rows as padding) whose points are
                not background for the score maps; points inside the
                target's box still are the target.
            visible_bboxes (Tensor, optional): (N, 4) the part of each box
                not hidden by an occluder (the box itself where nothing
                hides it). The score maps' target points and the points
                that regress the (whole) box are taken from it; the hidden
                rest of the box is ignored, neither target nor background.

        Returns:
            dict[str, Tensor]: ``loss_cls_s<stride>`` and
            ``loss_bbox_s<stride>`` for every level.
        """
        losses = {}
        gt_bboxes = gt_bboxes.float()
        shown = gt_bboxes if visible_bboxes is None else \
            visible_bboxes.to(gt_bboxes)
        for score, dist, stride in zip(cls_scores, distances, self.strides):
            points, inside = self._level_targets(score, stride, shown)
            losses[f'loss_cls_s{stride}'] = self._score_loss(
                score, stride, points, inside, shown, ignore_bboxes,
                None if visible_bboxes is None else gt_bboxes)
            losses[f'loss_bbox_s{stride}'] = self._bbox_loss(
                dist, points, inside, shown, gt_bboxes)
        return losses

    def cls_loss_by_feat(self, cls_scores: Sequence[Tensor],
                         gt_bboxes: Tensor) -> Dict[str, Tensor]:
        """The classification losses of :meth:`loss_by_feat` alone, for
        training the score layers without the distances.

        Args:
            cls_scores (Sequence[Tensor]): (N, 1, H_l, W_l) logits per level.
            gt_bboxes (Tensor): (N, 4) boxes x1, y1, x2, y2.

        Returns:
            dict[str, Tensor]: ``loss_cls_s<stride>`` for every level.
        """
        losses = {}
        gt_bboxes = gt_bboxes.float()
        for score, stride in zip(cls_scores, self.strides):
            points, inside = self._level_targets(score, stride, gt_bboxes)
            losses[f'loss_cls_s{stride}'] = self._score_loss(
                score, stride, points, inside, gt_bboxes)
        return losses

    def _level_targets(self, score: Tensor, stride: int,
                       gt_bboxes: Tensor) -> Tuple[Tensor, Tensor]:
        """A level's points (P, 2) and which are inside each box (N, P)."""
        points = self._level_points(score, stride)
        return points, _inside(points, gt_bboxes)

    def _score_loss(self,
                    score: Tensor,
                    stride: int,
                    points: Tensor,
                    inside: Tensor,
                    gt_bboxes: Tensor,
                    ignore_bboxes: Optional[Tensor] = None,
                    whole_bboxes: Optional[Tensor] = None) -> Tensor:
        """One level's score-map loss, with centre sampling when it is on:
        the central box's points are the target, the rest of the box is
        ignored (a box's corners are often background or another object,
        and the max-point loss would otherwise promote them). With
        ``whole_bboxes`` (the boxes when ``gt_bboxes`` is their visible
        part), the rest of those is ignored too."""
        if self.centre_sampling is None and whole_bboxes is None:
            return self._cls_loss(score, points, inside, gt_bboxes,
                                  ignore_bboxes)
        ring = (gt_bboxes if whole_bboxes is None else whole_bboxes)[:, None]
        if self.centre_sampling is not None:
            gt_bboxes = central_boxes(gt_bboxes, stride,
                                      **self.centre_sampling)
            inside = _inside(points, gt_bboxes)
        ignore_bboxes = ring if ignore_bboxes is None else torch.cat(
            [ignore_bboxes.to(ring), ring], dim=1)
        return self._cls_loss(score, points, inside, gt_bboxes,
                              ignore_bboxes)

    def _cls_loss(self,
                  score: Tensor,
                  points: Tensor,
                  inside: Tensor,
                  gt_bboxes: Tensor,
                  ignore_bboxes: Optional[Tensor] = None) -> Tensor:
        if isinstance(self.loss_cls, HardMaxPointLoss):
            return self.loss_cls(
                score, gt_bboxes, points, ignore_bboxes=ignore_bboxes)
        # mmdet's sigmoid convention: label 0 is the target, 1 background.
        labels = (~inside).long().flatten()
        num_pos = inside.sum().clamp(min=1).float()
        extra = {}
        if ignore_bboxes is not None:
            ignored = ignored_mask(points[None],
                                   inside.new_ones(1, len(points)),
                                   ignore_bboxes)[:, 0]
            extra['weight'] = (inside | ~ignored).float().flatten()
        return self.loss_cls(
            score.flatten(1).reshape(-1, 1),
            labels,
            avg_factor=num_pos,
            **extra)

    def _bbox_loss(self, dist: Tensor, points: Tensor, inside: Tensor,
                   regions: Tensor, gt_bboxes: Tensor) -> Tensor:
        """The box loss of the ``num_reg_points`` points inside each of
        ``regions`` (the boxes or their visible parts) nearest its centre,
        each regressing the whole box."""
        centre = (regions[:, :2] + regions[:, 2:]) / 2
        sq_dist = ((points[None] - centre[:, None])**2).sum(-1)
        sq_dist = sq_dist.masked_fill(~inside, float('inf'))
        k = min(self.num_reg_points, points.size(0))
        nearest = sq_dist.topk(k, dim=1, largest=False)
        valid = torch.isfinite(nearest.values)
        pred_dist = dist.flatten(2).transpose(1, 2).gather(
            1, nearest.indices[..., None].expand(-1, -1, 4))
        pred_boxes = decode_points(points[nearest.indices], pred_dist)
        target = gt_bboxes[:, None].expand_as(pred_boxes)
        return self.loss_bbox(
            pred_boxes[valid],
            target[valid],
            avg_factor=valid.sum().clamp(min=1).float())

    def loss(self,
             template_feats: Sequence[Tensor],
             search_feats: Sequence[Tensor],
             template_bboxes: Tensor,
             search_bboxes: Tensor,
             ignore_bboxes: Optional[Tensor] = None,
             visible_bboxes: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Losses of a batch of template/search frame pairs.

        Args:
            template_feats (Sequence[Tensor]): Template-frame feature maps.
            search_feats (Sequence[Tensor]): Search-frame feature maps.
            template_bboxes (Tensor): (N, 4) template boxes, x1, y1, x2, y2.
            search_bboxes (Tensor): (N, 4) search boxes, x1, y1, x2, y2.
            ignore_bboxes (Tensor, optional): See :meth:`loss_by_feat`.
            visible_bboxes (Tensor, optional): See :meth:`loss_by_feat`.

        Returns:
            dict[str, Tensor]: Per-level losses.
        """
        templates = self.pool_templates(template_feats, template_bboxes)
        cls_scores, distances = self(templates, search_feats)
        return self.loss_by_feat(cls_scores, distances, search_bboxes,
                                 ignore_bboxes, visible_bboxes)
