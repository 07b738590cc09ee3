"""Building blocks shared by the models: device-agnostic RoI ops, box voting
and the template/search correlations."""
from .box_voting import vote_boxes
from .device_ops import nms, roi_align
from .template_correlation import CORRELATION_TYPES, TemplateCorrelation

__all__ = [
    'nms', 'roi_align', 'vote_boxes', 'TemplateCorrelation',
    'CORRELATION_TYPES'
]
