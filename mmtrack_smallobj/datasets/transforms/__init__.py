"""Data transforms registered into mmtrack's TRANSFORMS registry."""
from .loading import LoadImageFromFileChecked  # noqa: F401
from .mot_pair_sampling import MOTIdentityPairSampling, num_identities
from .pair_sampling import VisiblePairSampling, visible_frame_indices
from .target_crop import SeqTargetCrop
from .size_rescale import SizeBinRescale

__all__ = [
    'VisiblePairSampling', 'visible_frame_indices', 'SizeBinRescale',
    'MOTIdentityPairSampling', 'num_identities', 'SeqTargetCrop'
]
