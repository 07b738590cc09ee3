"""Building blocks shared by the models: device-agnostic RoI ops and the
template/search correlations."""
from .device_ops import nms, roi_align
from .template_correlation import CORRELATION_TYPES, TemplateCorrelation

__all__ = ['nms', 'roi_align', 'TemplateCorrelation', 'CORRELATION_TYPES']
