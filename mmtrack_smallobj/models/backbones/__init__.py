"""Backbones registered into mmtrack's MODELS registry."""
from .dla import DLA
from .high_res_shallow_net import HighResShallowNet

__all__ = ['DLA', 'HighResShallowNet']
