"""Data transforms registered into mmtrack's TRANSFORMS registry."""
from .loading import LoadImageFromFileChecked  # noqa: F401
from .pair_sampling import VisiblePairSampling, visible_frame_indices
from .size_rescale import SizeBinRescale

__all__ = ['VisiblePairSampling', 'visible_frame_indices', 'SizeBinRescale']
