"""Plots of evaluation results (matplotlib, Agg backend) and drawing on
video frames (OpenCV)."""
from .comparison_plots import (comparison_tables, plot_comparison_bins,
                               plot_comparison_curves,
                               plot_comparison_size_bins,
                               write_comparison_report)
from .frame_drawing import (draw_box, draw_tracking_frame, memo_absent,
                            memo_candidates, memo_tracklets)
from .sot_plots import (plot_all, plot_overlap_loss, plot_precision_curve,
                        plot_size_bins, plot_success_curve,
                        plot_visibility_bins)

__all__ = [
    'plot_all', 'plot_overlap_loss', 'plot_precision_curve', 'plot_size_bins',
    'plot_success_curve', 'plot_visibility_bins', 'comparison_tables',
    'plot_comparison_bins', 'plot_comparison_curves',
    'plot_comparison_size_bins',
    'write_comparison_report', 'draw_box', 'draw_tracking_frame',
    'memo_absent', 'memo_candidates', 'memo_tracklets'
]
