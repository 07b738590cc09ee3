"""Losses (mmdet's loss contract) registered into mmtrack's MODELS registry."""
from .hard_max_point_loss import HardMaxPointLoss, grid_points
from .shrinkage_loss import ShrinkageBCELoss, ShrinkageLoss

__all__ = [
    'HardMaxPointLoss', 'ShrinkageBCELoss', 'ShrinkageLoss', 'grid_points'
]
