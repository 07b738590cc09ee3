"""Data transforms registered into mmtrack's TRANSFORMS registry."""
from .distractor_pair_sampling import (DistractorAwarePairSampling,
                                       video_category)
from .loading import LoadImageFromFileChecked  # noqa: F401
from .mot_pair_sampling import MOTIdentityPairSampling, num_identities
from .pair_sampling import (VisiblePairSampling, split_by_visible_ratio,
                            visible_frame_indices)
from .target_crop import SeqTargetCrop
from .target_occlusion import SeqTargetOcclusion
from .size_rescale import SizeBinRescale
from .trajectory_heatmap_sampling import (TrajectoryHeatmapSampling,
                                          gaussian_heatmaps)

__all__ = [
    'VisiblePairSampling', 'visible_frame_indices', 'split_by_visible_ratio',
    'SizeBinRescale',
    'MOTIdentityPairSampling', 'num_identities', 'SeqTargetCrop',
    'SeqTargetOcclusion',
    'DistractorAwarePairSampling', 'video_category',
    'TrajectoryHeatmapSampling', 'gaussian_heatmaps'
]
