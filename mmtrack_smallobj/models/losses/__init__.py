"""Losses (mmdet's loss contract) registered into mmtrack's MODELS registry."""
from .hard_max_point_loss import HardMaxPointLoss, grid_points
from .shrinkage_loss import ShrinkageBCELoss, ShrinkageLoss
from .task_loss_weighting import (FixedLossWeighting,
                                  UncertaintyLossWeighting, task_total)
from .two_logit_sigmoid_loss import TwoLogitSigmoidLoss

__all__ = [
    'HardMaxPointLoss', 'ShrinkageBCELoss', 'ShrinkageLoss', 'grid_points',
    'FixedLossWeighting', 'UncertaintyLossWeighting', 'task_total',
    'TwoLogitSigmoidLoss'
]
