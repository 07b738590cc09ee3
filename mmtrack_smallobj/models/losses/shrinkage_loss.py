"""Shrinkage losses from Lu et al., "Deep Object Tracking with Shrinkage Loss".

Two forms of the same idea, shrinking the contribution of easy samples so that
the few hard ones (the target, its distractors) are not drowned by the
background:

* ``ShrinkageLoss``: regression on dense soft labels or box deltas,
  ``L = exp(Y) * l^2 / (1 + exp(a * (c - l)))`` with ``l = |P - Y|``.
* ``ShrinkageBCELoss``: binary (sigmoid) or softmax cross-entropy re-weighted
  by ``exp(p_t) / (1 + exp(a * (p_t - c)))`` and by class-ratio weights.

Both follow mmdet's loss contract (``loss_weight``, ``reduction``,
``avg_factor``, ``reduction_override``). The formulas are written out in
``docs/losses.md``.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.losses.utils import weight_reduce_loss, weighted_loss
from torch import Tensor

from mmtrack.registry import MODELS

from .reduction import check_reduction, resolve_reduction


@weighted_loss
def shrinkage_loss(pred: Tensor,
                   target: Tensor,
                   a: float = 10.0,
                   c: float = 0.2,
                   use_target_weight: bool = True) -> Tensor:
    """Element-wise regression shrinkage loss.

    Args:
        pred (Tensor): Predictions ``P`` of any shape.
        target (Tensor): Targets ``Y`` of the same shape.
        a (float): Shrinkage speed. Defaults to 10.0.
        c (float): Shrinkage location: absolute errors well below ``c`` are
            shrunk towards zero. Defaults to 0.2.
        use_target_weight (bool): Multiply by ``exp(Y)``. Defaults to True.

    Returns:
        Tensor: Element-wise loss, the shape of ``pred``.
    """
    if target.numel() == 0:
        return pred.sum() * 0
    assert pred.size() == target.size(), (
        f'pred {tuple(pred.shape)} and target {tuple(target.shape)} differ')
    diff = (pred - target).abs()
    # 1 / (1 + exp(a (c - l))) is sigmoid(a (l - c)); the sigmoid form does
    # not overflow for large errors.
    loss = diff * diff * torch.sigmoid(a * (diff - c))
    if use_target_weight:
        loss = loss * torch.exp(target)
    return loss


def _class_balance_weights(classes: Tensor, mass: Tensor,
                           num_classes: int) -> Tensor:
    """Weights that give every present class the same total mass.

    Args:
        classes (Tensor): Long class index of each element.
        mass (Tensor): Non-negative mass of each element, the shape of
            ``classes`` (the caller's weight, or ones). Zero-mass elements
            (ignored, unsampled) do not count.
        num_classes (int): Number of classes.

    Returns:
        Tensor: ``total / (num_present * class_total[class])`` per element,
        the shape of ``classes``; 1 everywhere when nothing has mass.
    """
    mass = mass.detach().to(torch.float32)
    totals = mass.new_zeros(num_classes).scatter_add_(
        0, classes.reshape(-1), mass.reshape(-1))
    present = totals > 0
    num_present = present.sum()
    if num_present == 0:
        return torch.ones_like(mass)
    per_class = torch.where(
        present,
        totals.sum() / (num_present * totals.clamp(min=1e-12)),
        totals.new_zeros(()))
    return per_class[classes]


def shrinkage_bce_loss(pred: Tensor,
                       target: Tensor,
                       weight: Optional[Tensor] = None,
                       a: float = 10.0,
                       c: float = 0.6,
                       use_sigmoid: bool = True,
                       class_balance: bool = True,
                       reduction: str = 'mean',
                       avg_factor: Optional[float] = None) -> Tensor:
    """Cross-entropy re-weighted by the classification shrinkage factor.

    Three calling conventions, chosen from the shapes:

    * ``use_sigmoid=True`` and ``target.shape == pred.shape``: binary targets
      in {0, 1} (e.g. a score map); element-wise sigmoid BCE.
    * ``use_sigmoid=True``, ``pred`` (N, C) and ``target`` (N,) long: mmdet's
      FocalLoss convention; label ``C`` is background (all-zero one-hot row),
      negative labels are ignored.
    * ``use_sigmoid=False``, ``pred`` (N, C) and ``target`` (N,) long: softmax
      cross-entropy as mmdet's CrossEntropyLoss, which mmtrack's
      SiameseRPNHead calls with (num_anchors, 2) logits; ``p_t`` is the
      softmax probability of the true class; negative labels are ignored.

    Args:
        pred (Tensor): Logits.
        target (Tensor): Binary targets or long labels, see above.
        weight (Tensor, optional): Element-wise weight, the shape of the
            element-wise loss, or (N,) for the label conventions.
        a (float): Shrinkage speed. Defaults to 10.0.
        c (float): Shrinkage location in ``p_t``. Defaults to 0.6.
        use_sigmoid (bool): Sigmoid (True) or softmax (False) logits.
        class_balance (bool): Multiply by class-ratio weights, see
            :func:`_class_balance_weights`. Defaults to True.
        reduction (str): 'none', 'mean' or 'sum'. Defaults to 'mean'.
        avg_factor (float, optional): Divisor for 'mean'. Defaults to None.

    Returns:
        Tensor: The loss; element-wise for 'none' ((N, C) for sigmoid label
        input, (N,) for softmax).
    """
    if target.numel() == 0:
        return pred.sum() * 0
    if use_sigmoid and target.shape == pred.shape:
        target = target.type_as(pred)
        valid = torch.ones_like(pred, dtype=torch.bool)
    else:
        assert pred.dim() == 2 and target.dim() == 1 and (
            pred.size(0) == target.size(0)), (
                'label input needs pred (N, C) and target (N,), got '
                f'{tuple(pred.shape)} and {tuple(target.shape)}')
        target = target.long()
        valid = target >= 0
        if use_sigmoid and weight is not None and weight.dim() == 1:
            # A per-row weight covers every class of its (N, C) row.
            weight = weight.view(-1, 1)
    if use_sigmoid:
        if target.dtype == torch.long:
            # Label C (background) becomes an all-zero one-hot row.
            num_classes = pred.size(1)
            onehot = F.one_hot(target.clamp(min=0), num_classes + 1)
            target = onehot[:, :num_classes].type_as(pred)
            valid = valid.view(-1, 1).expand_as(pred)
        prob = pred.sigmoid()
        p_t = prob * target + (1 - prob) * (1 - target)
        ce = F.binary_cross_entropy_with_logits(pred, target, reduction='none')
        classes = (target > 0.5).long()
        num_classes_balance = 2
    else:
        labels = target.clamp(min=0)
        log_p_t = F.log_softmax(pred, dim=1).gather(
            1, labels.view(-1, 1)).squeeze(1)
        p_t = log_p_t.exp()
        ce = -log_p_t
        classes = labels
        num_classes_balance = pred.size(1)

    # 1 / (1 + exp(a (p_t - c))) is sigmoid(a (c - p_t)). Not detached, as in
    # mmdet's focal loss: the product stays decreasing in p_t (tested).
    loss = torch.exp(p_t) * torch.sigmoid(a * (c - p_t)) * ce
    loss = loss * valid
    if class_balance:
        mass = valid.to(pred.dtype)
        if weight is not None:
            mass = mass * weight.expand_as(loss)
        loss = loss * _class_balance_weights(classes, mass,
                                             num_classes_balance)
    if weight is not None:
        weight = weight.float()
    return weight_reduce_loss(loss, weight, reduction, avg_factor)


@MODELS.register_module()
class ShrinkageLoss(nn.Module):
    """Regression shrinkage loss, ``exp(Y) l^2 / (1 + exp(a (c - l)))``.

    A drop-in for mmdet's L1/L2 losses on dense soft-label maps (the paper's
    use) or box deltas. ``exp(Y)`` up-weights the target's peak of a soft
    label map; for signed targets such as box deltas it is asymmetric, so turn
    it off with ``use_target_weight=False`` there.

    Args:
        a (float): Shrinkage speed. Defaults to 10.0.
        c (float): Shrinkage location (absolute error). Defaults to 0.2.
        use_target_weight (bool): Multiply by ``exp(Y)``. Defaults to True.
        reduction (str): 'none', 'mean' or 'sum'. Defaults to 'mean'.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self,
                 a: float = 10.0,
                 c: float = 0.2,
                 use_target_weight: bool = True,
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.a = a
        self.c = c
        self.use_target_weight = use_target_weight
        self.reduction = check_reduction(reduction)
        self.loss_weight = loss_weight

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Predictions of any shape.
            target (Tensor): Targets of the same shape.
            weight (Tensor, optional): Element-wise weight. Defaults to None.
            avg_factor (float, optional): Divisor for 'mean'. Defaults to None.
            reduction_override (str, optional): Replaces ``self.reduction``.

        Returns:
            Tensor: The weighted loss.
        """
        reduction = resolve_reduction(reduction_override, self.reduction)
        return self.loss_weight * shrinkage_loss(
            pred,
            target,
            weight,
            reduction=reduction,
            avg_factor=avg_factor,
            a=self.a,
            c=self.c,
            use_target_weight=self.use_target_weight)


@MODELS.register_module()
class ShrinkageBCELoss(nn.Module):
    """Classification shrinkage loss: re-weighted (binary) cross-entropy.

    Each element's cross-entropy is multiplied by
    ``exp(p_t) / (1 + exp(a (p_t - c)))``, ``p_t`` being the probability given
    to the true class, and, with ``class_balance``, by a class-ratio weight
    ``total_mass / (num_present_classes * class_mass)`` computed over the whole
    call (positives vs negatives for sigmoid input, the true class for softmax
    input). Mass is the caller's ``weight`` (1 when absent), so inputs that are
    already balanced, as mmtrack's SiamRPN sampler weights are for positive
    pairs, are left unchanged. Usable as ``loss_cls`` in place of mmdet's
    FocalLoss (sigmoid) or CrossEntropyLoss (softmax, as in SiameseRPNHead).

    Args:
        a (float): Shrinkage speed. Defaults to 10.0.
        c (float): Shrinkage location in ``p_t``. Defaults to 0.6.
        use_sigmoid (bool): Sigmoid (True) or softmax (False) logits.
            Defaults to True.
        class_balance (bool): Apply the class-ratio weights. Defaults to True.
        reduction (str): 'none', 'mean' or 'sum'. Defaults to 'mean'.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self,
                 a: float = 10.0,
                 c: float = 0.6,
                 use_sigmoid: bool = True,
                 class_balance: bool = True,
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.a = a
        self.c = c
        self.use_sigmoid = use_sigmoid
        self.class_balance = class_balance
        self.reduction = check_reduction(reduction)
        self.loss_weight = loss_weight

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Logits, see :func:`shrinkage_bce_loss` for shapes.
            target (Tensor): Binary targets or long labels.
            weight (Tensor, optional): Element-wise (or per-row) weight.
            avg_factor (float, optional): Divisor for 'mean'. Defaults to None.
            reduction_override (str, optional): Replaces ``self.reduction``.

        Returns:
            Tensor: The weighted loss.
        """
        reduction = resolve_reduction(reduction_override, self.reduction)
        return self.loss_weight * shrinkage_bce_loss(
            pred,
            target,
            weight,
            a=self.a,
            c=self.c,
            use_sigmoid=self.use_sigmoid,
            class_balance=self.class_balance,
            reduction=reduction,
            avg_factor=avg_factor)
