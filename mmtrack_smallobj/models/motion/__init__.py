"""Motion models: where the target is likely to be, from its past track."""
from .motion_heatmap_net import (MotionHeatmapNet, init_history, push_history,
                                 render_heatmaps)

__all__ = [
    'MotionHeatmapNet', 'init_history', 'push_history', 'render_heatmaps'
]
