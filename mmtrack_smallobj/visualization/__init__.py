"""Plots of evaluation results (matplotlib, Agg backend)."""
from .sot_plots import (plot_all, plot_precision_curve, plot_size_bins,
                        plot_success_curve)

__all__ = [
    'plot_all', 'plot_precision_curve', 'plot_size_bins', 'plot_success_curve'
]
