"""Sigmoid-form classification losses on SiamRPN's (background, target) logits.

mmtrack's ``SiameseRPNHead`` gives every anchor two logits and calls its
``loss_cls`` the way mmdet's softmax ``CrossEntropyLoss`` is called: ``(N, 2)``
logits, ``(N,)`` labels in {0 (background), 1 (target)} and per-anchor weights
(zero for anchors the sampler left out). At test time it ranks anchors by
``softmax(logits)[:, 1]``, which is ``sigmoid(l_1 - l_0)``.

mmdet's ``FocalLoss`` only has a sigmoid form, and its label convention (label
``C`` of ``C`` classes is background) would read the head's label 1 (target) as
background of a 1-class problem. ``TwoLogitSigmoidLoss`` bridges the two: it
hands the wrapped binary loss the single logit ``l_1 - l_0`` with a one-hot
``(N, 1)`` target, so the loss trains exactly the probability the head ranks
by. This is how the focal-loss SiamRPN++ of Lu et al. (TPAMI 2020, Table 2) is
configured; the classification shrinkage loss needs no adapter, as
``ShrinkageBCELoss(use_sigmoid=False)`` reads the two logits directly.
"""
import copy
from typing import Optional

import torch.nn as nn
from mmdet.models.losses.utils import weight_reduce_loss
from torch import Tensor

from mmtrack.registry import MODELS

from .reduction import check_reduction, resolve_reduction


@MODELS.register_module()
class TwoLogitSigmoidLoss(nn.Module):
    """Apply a binary (sigmoid) loss to ``(background, target)`` logit pairs.

    The wrapped loss computes element-wise values (it is built with
    ``reduction='none'``); this module applies ``reduction``, ``avg_factor``
    and ``loss_weight``, so they are set here, not in ``loss``. Negative
    labels are ignored (zero weight), as mmdet's CrossEntropyLoss ignores them.

    Args:
        loss (dict): Config of the binary loss, e.g.
            ``dict(type='mmdet.FocalLoss', gamma=2.0, alpha=0.25)`` or
            ``dict(type='ShrinkageBCELoss', use_sigmoid=True)``. It must take
            ``(N, 1)`` logits, ``(N, 1)`` {0, 1} targets and ``(N, 1)``
            weights, and must not set ``reduction`` or ``loss_weight``.
        reduction (str): 'none', 'mean' or 'sum'. Defaults to 'mean'.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self,
                 loss: dict,
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.reduction = check_reduction(reduction)
        for key in ('reduction', 'loss_weight'):
            if key in loss:
                raise ValueError(
                    f'TwoLogitSigmoidLoss applies {key} itself; set it on '
                    f'the wrapper, not in loss={loss}')
        # Copy: the caller's config stays as it was.
        inner = copy.deepcopy(dict(loss))
        inner['reduction'] = 'none'
        self.loss = MODELS.build(inner)
        self.loss_weight = loss_weight

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): (N, 2) logits, background then target.
            target (Tensor): (N,) long labels: 1 target, 0 background,
                negative ignored.
            weight (Tensor, optional): (N,) per-anchor weight.
            avg_factor (float, optional): Divisor for 'mean'. Defaults to None.
            reduction_override (str, optional): Replaces ``self.reduction``.

        Returns:
            Tensor: The weighted loss, (N,) for 'none'.
        """
        reduction = resolve_reduction(reduction_override, self.reduction)
        assert pred.dim() == 2 and pred.size(1) == 2 and target.shape == (
            pred.size(0), ), ('TwoLogitSigmoidLoss needs (N, 2) logits and '
                              f'(N,) labels, got {tuple(pred.shape)} and '
                              f'{tuple(target.shape)}')
        if target.numel() == 0:
            return pred.sum() * 0
        # softmax(l)[:, 1] == sigmoid(l_1 - l_0): the head's test-time score.
        logit = pred[:, 1:2] - pred[:, 0:1]
        valid = target >= 0
        binary = (target == 1).to(pred.dtype).view(-1, 1)
        mask = valid.to(pred.dtype).view(-1, 1)
        if weight is not None:
            assert weight.shape == target.shape, (
                f'weight {tuple(weight.shape)} must match labels '
                f'{tuple(target.shape)}')
            mask = mask * weight.to(pred.dtype).view(-1, 1)
        loss = self.loss(logit, binary, weight=mask)
        if loss.dim() == 2:
            loss = loss.squeeze(1)
        return self.loss_weight * weight_reduce_loss(
            loss, None, reduction, avg_factor)
