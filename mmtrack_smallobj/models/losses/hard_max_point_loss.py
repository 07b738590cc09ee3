"""Hard positive/negative max-point loss for point-based global-search heads.

A global-search tracker reads the target off the arg-max of a score map, so
the criterion that matters is "the highest point falls inside the box". This
loss trains exactly that, per image and level:

* positives: the ``num_points`` highest-scoring points inside the box, pushed
  to 1;
* negatives: the ``num_points`` highest-scoring points outside it, pushed to 0;
* a selected point already on the right side of the margin is not trained.

There is always at least one positive and, unless the box covers the whole
map, one negative, so "everything 0" is never a minimum. ``num_points`` is the
same for every object size, so large objects do not outweigh small ones. The
exact rules are in :class:`HardMaxPointLoss` and ``docs/losses.md``.
"""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.losses.utils import weight_reduce_loss
from torch import Tensor

from mmtrack.registry import MODELS

from ...utils.config_checks import check_number
from .reduction import check_reduction, resolve_reduction

TensorOrList = Union[Tensor, Sequence[Tensor]]


def grid_points(featmap_size: Tuple[int, int],
                stride: float,
                offset: float = 0.5,
                device: Union[str, torch.device] = 'cpu') -> Tensor:
    """Image-pixel coordinates of the points of one feature level.

    Args:
        featmap_size (tuple[int, int]): (H, W) of the level.
        stride (float): Pixels per cell.
        offset (float): Position of the point inside its cell, in cells;
            0.5 puts it at the cell centre ``(j + 0.5) * stride``.
            Defaults to 0.5.
        device (str | torch.device): Device of the result. Defaults to 'cpu'.

    Returns:
        Tensor: (H * W, 2) x, y coordinates in row-major order, matching
        ``score.flatten(-2)``.
    """
    height, width = featmap_size
    xs = (torch.arange(width, device=device, dtype=torch.float32) +
          offset) * stride
    ys = (torch.arange(height, device=device, dtype=torch.float32) +
          offset) * stride
    yy, xx = torch.meshgrid(ys, xs, indexing='ij')
    return torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=-1)


def _stack_levels(cls_scores: Sequence[Tensor],
                  points: Sequence[Tensor]) -> Tuple[Tensor, Tensor, Tensor]:
    """Pad the levels to one (N, L, P) tensor so that nothing loops over them.

    Args:
        cls_scores (Sequence[Tensor]): (N, 1, H_l, W_l) logits per level.
        points (Sequence[Tensor]): (H_l * W_l, 2) points per level.

    Returns:
        tuple[Tensor, Tensor, Tensor]: logits (N, L, P) padded with 0,
        points (L, P, 2) padded with 0, and the (L, P) mask of real points.
    """
    assert len(cls_scores) == len(points), (
        f'{len(cls_scores)} score levels but {len(points)} point levels')
    sizes = [score.shape[-2] * score.shape[-1] for score in cls_scores]
    num_max = max(sizes)
    logits, grids, real = [], [], []
    for score, level_points, size in zip(cls_scores, points, sizes):
        assert score.dim() == 4 and score.size(1) == 1, (
            f'cls_score must be (N, 1, H, W), got {tuple(score.shape)}')
        assert level_points.shape == (size, 2), (
            f'points must be ({size}, 2), got {tuple(level_points.shape)}')
        logits.append(F.pad(score.flatten(1), (0, num_max - size)))
        grids.append(F.pad(level_points, (0, 0, 0, num_max - size)))
        mask = level_points.new_zeros(num_max, dtype=torch.bool)
        mask[:size] = True
        real.append(mask)
    return (torch.stack(logits, dim=1), torch.stack(grids, dim=0),
            torch.stack(real, dim=0))


def inside_mask(points: Tensor, real: Tensor, gt_bboxes: Tensor) -> Tensor:
    """Which points count as inside each box.

    A point is inside when it lies strictly inside the box. Where no point of
    a level does (a box smaller than a cell, or off the map), the single
    point nearest to the box centre is inside instead.

    Args:
        points (Tensor): (L, P, 2) point coordinates.
        real (Tensor): (L, P) mask of real (not padding) points.
        gt_bboxes (Tensor): (N, 4) boxes, continuous x1, y1, x2, y2.

    Returns:
        Tensor: (N, L, P) bool mask, False on padding.
    """
    px = points[None, :, :, 0]
    py = points[None, :, :, 1]
    x1, y1, x2, y2 = (gt_bboxes[:, i, None, None] for i in range(4))
    strict = (px > x1) & (px < x2) & (py > y1) & (py < y2) & real[None]
    centre_x, centre_y = (x1 + x2) / 2, (y1 + y2) / 2
    dist = (px - centre_x)**2 + (py - centre_y)**2
    dist = dist.masked_fill(~real[None], float('inf'))
    nearest = F.one_hot(dist.argmin(dim=-1), dist.size(-1)).bool()
    has_inside = strict.any(dim=-1, keepdim=True)
    return torch.where(has_inside, strict, nearest)


def ignored_mask(points: Tensor, real: Tensor,
                 ignore_bboxes: Tensor) -> Tensor:
    """Which points lie inside any of each image's ignored boxes.

    Args:
        points (Tensor): (L, P, 2) point coordinates.
        real (Tensor): (L, P) mask of real (not padding) points.
        ignore_bboxes (Tensor): (N, M, 4) boxes x1, y1, x2, y2 per image;
            a row without positive width and height (the zero padding of
            images with fewer boxes) ignores nothing.

    Returns:
        Tensor: (N, L, P) bool mask: inside (by :func:`inside_mask`'s
        rules, so a box smaller than a cell ignores its nearest point) at
        least one used box.
    """
    num_images, num_boxes = ignore_bboxes.shape[:2]
    if num_boxes == 0:
        return real.new_zeros((num_images, ) + real.shape)
    boxes = ignore_bboxes.reshape(-1, 4).to(points.dtype)
    inside = inside_mask(points, real, boxes).view(num_images, num_boxes,
                                                   *real.shape)
    used = ((ignore_bboxes[..., 2] > ignore_bboxes[..., 0])
            & (ignore_bboxes[..., 3] > ignore_bboxes[..., 1]))
    return (inside & used[..., None, None]).any(dim=1)


def _select_hardest(logits: Tensor, candidates: Tensor,
                    num_points: int) -> Tuple[Tensor, Tensor]:
    """The ``num_points`` highest logits among the candidates.

    Args:
        logits (Tensor): (N, L, P) logits.
        candidates (Tensor): (N, L, P) bool mask of eligible points.
        num_points (int): How many to take.

    Returns:
        tuple[Tensor, Tensor]: the selected logits (N, L, num_points), still
        attached to the graph, and the mask of slots holding a real
        candidate (fewer than ``num_points`` candidates leaves slots empty).
    """
    k = min(num_points, logits.size(-1))
    masked = logits.detach().masked_fill(~candidates, float('-inf'))
    index = masked.topk(k, dim=-1).indices
    selected = logits.gather(-1, index)
    valid = candidates.gather(-1, index)
    if k < num_points:
        selected = F.pad(selected, (0, num_points - k))
        valid = F.pad(valid, (0, num_points - k))
    return selected, valid


@MODELS.register_module()
class HardMaxPointLoss(nn.Module):
    """Hard positive/negative max-point loss.

    Rules, per image and level, on ``p = sigmoid(logit)``:

    * Inside: a point lies strictly inside the box (``x1 < x < x2`` and
      ``y1 < y < y2``); if none does, the one point nearest to the box centre
      (ties to the lowest row-major index). Every other point is outside, so
      boxes touching or crossing the map border need no special case.
    * Positives: the ``num_points`` highest-scoring inside points, target 1.
      Negatives: the ``num_points`` highest-scoring outside points, target 0.
      With fewer candidates than ``num_points`` the missing slots are empty.
      Points inside an ``ignore_bboxes`` box (and not inside the target's)
      are never negatives.
    * Margin: a positive is trained while ``p <= margin``, a negative while
      ``p >= 1 - margin``; past that its loss and gradient are 0. At the
      default 0.5 a zero-initialised map (p = 0.5) is still trained.
    * Each trained point costs its binary cross-entropy; the loss has shape
      (N, L, 2, num_points), index 0 of dim 2 for positives, 1 for negatives.
    * 'mean' divides by ``avg_factor`` or, if None, by the number of
      non-empty slots, trained or not, so the scale is steady in training.

    Args:
        num_points (int): Positives and negatives taken per image and level.
            Defaults to 1.
        margin (float): Probability past which a selected point is not
            trained, in (0, 1]. Defaults to 0.5.
        reduction (str): 'none', 'mean' or 'sum'. Defaults to 'mean'.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self,
                 num_points: int = 1,
                 margin: float = 0.5,
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        check_number('num_points', num_points, 1, integer=True)
        check_number('margin', margin, 0, 1, low_open=True)
        self.num_points = num_points
        self.margin = margin
        self.reduction = check_reduction(reduction)
        self.loss_weight = loss_weight

    def forward(self,
                cls_score: TensorOrList,
                gt_bboxes: Tensor,
                points: TensorOrList,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None,
                ignore_bboxes: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            cls_score (Tensor | Sequence[Tensor]): (N, 1, H, W) logits, or a
                list of them over levels.
            gt_bboxes (Tensor): (N, 4) one box per image, continuous x1, y1,
                x2, y2 in the same pixels as ``points``.
            points (Tensor | Sequence[Tensor]): (H * W, 2) x, y of each
                level's points in row-major order, e.g. from
                :func:`grid_points`; the same for every image.
            weight (Tensor, optional): (N,) per-image weight.
            avg_factor (float, optional): Divisor for 'mean'. Defaults to the
                number of selected points.
            reduction_override (str, optional): Replaces ``self.reduction``.
            ignore_bboxes (Tensor, optional): (N, M, 4) other objects per
                image (x1, y1, x2, y2, zero rows as padding) whose points
                are never negatives: look-alikes that appearance cannot
                tell from the target. Points inside the target's box stay
                positive candidates.

        Returns:
            Tensor: The loss; (N, L, 2, num_points) for 'none'. An empty
            batch gives a scalar zero that keeps the graph, as in mmdet.
        """
        reduction = resolve_reduction(reduction_override, self.reduction)
        if isinstance(cls_score, Tensor):
            cls_score, points = [cls_score], [points]
        if gt_bboxes.size(0) == 0:
            return sum(score.sum() for score in cls_score) * 0
        logits, grid, real = _stack_levels(cls_score, points)
        assert gt_bboxes.shape == (logits.size(0), 4), (
            f'gt_bboxes must be ({logits.size(0)}, 4), got '
            f'{tuple(gt_bboxes.shape)}')
        inside = inside_mask(grid, real, gt_bboxes.to(grid.dtype))
        outside = real[None] & ~inside
        if ignore_bboxes is not None:
            assert (ignore_bboxes.dim() == 3
                    and ignore_bboxes.shape[0] == logits.size(0)
                    and ignore_bboxes.shape[2] == 4), (
                    f'ignore_bboxes must be ({logits.size(0)}, M, 4), got '
                    f'{tuple(ignore_bboxes.shape)}')
            outside &= ~ignored_mask(grid, real, ignore_bboxes)

        pos, pos_valid = _select_hardest(logits, inside, self.num_points)
        neg, neg_valid = _select_hardest(logits, outside, self.num_points)
        selected = torch.stack([pos, neg], dim=2)
        valid = torch.stack([pos_valid, neg_valid], dim=2)
        target = torch.zeros_like(selected)
        target[:, :, 0] = 1
        prob = selected.detach().sigmoid()
        trained = torch.where(target > 0, prob <= self.margin,
                              prob >= 1 - self.margin) & valid
        loss = F.binary_cross_entropy_with_logits(
            selected, target, reduction='none') * trained

        if weight is not None:
            weight = weight.float().view(-1, 1, 1, 1)
        if avg_factor is None and reduction == 'mean':
            # A tensor, not .item(): no device sync in the training loop.
            avg_factor = valid.sum().to(loss.dtype)
        return self.loss_weight * weight_reduce_loss(loss, weight, reduction,
                                                     avg_factor)
