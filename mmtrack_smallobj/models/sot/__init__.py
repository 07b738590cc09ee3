"""Single-object trackers."""
from .dasiamrpn import DaSiamRPN
from .global_search_tracker import GlobalSearchTracker
from .motion_heatmap_tracker import MotionHeatmapTracker
from .siam_rcnn import SiamRCNN

__all__ = [
    'DaSiamRPN', 'GlobalSearchTracker', 'MotionHeatmapTracker', 'SiamRCNN'
]
