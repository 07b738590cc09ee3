"""Data transforms registered into mmtrack's TRANSFORMS registry."""
from .pair_sampling import VisiblePairSampling, visible_frame_indices

__all__ = ['VisiblePairSampling', 'visible_frame_indices']
