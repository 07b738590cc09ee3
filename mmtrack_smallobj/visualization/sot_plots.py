"""PNG plots of an evaluation dict: success curve, precision curve, a
per-size-bin bar chart, and where the mean overlap is lost.

The curves draw the overall curve and one curve per size bin, because for
small objects the overall curve hides where a tracker breaks down.
matplotlib's Agg backend is selected explicitly so that plotting works on
headless machines and never opens a window.
"""
import os
import os.path as osp
from typing import Dict, List, Sequence

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from ..evaluation.functional import (BREAKDOWN_LABELS,  # noqa: E402
                                     OVERLAP_LOSS_PARTS)

__all__ = [
    'plot_success_curve', 'plot_precision_curve', 'plot_size_bins',
    'plot_visibility_bins', 'plot_overlap_loss', 'plot_all'
]

# The overlap-loss chart's stacked parts: label and colour.
_LOSS_STYLE = dict(
    lost_absent=('absent frames', '0.6'),
    lost_missed=('target missed', 'tab:red'),
    lost_box_error=('box error on hits', 'tab:orange'))


def _non_empty_bins(metrics: Dict, field: str) -> Dict[str, Dict]:
    """The bins of ``metrics[field]`` that hold frames, in order."""
    return {
        name: m
        for name, m in (metrics.get(field) or {}).items()
        if m.get('num_frames')
    }


def _label_bins(ax, bins: Dict[str, Dict]) -> None:
    """One x tick per bin: its name and its number of frames."""
    ax.set_xticks(range(len(bins)))
    ax.set_xticklabels([f"{n}\n({m['num_frames']} fr)"
                        for n, m in bins.items()])


def _save(fig, out_file: str) -> str:
    """Lay out, write and close ``fig``; returns ``out_file``."""
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)
    return out_file


def _plot_curve(metrics: Dict, key: str, score_key: str, out_file: str,
                xlabel: str, title: str) -> str:
    """One curve plot with the overall and per-bin curves."""
    curves = metrics.get('curves') or {}
    if key not in curves:
        raise ValueError(f'metrics have no {key} curve to plot')
    fig, ax = plt.subplots(figsize=(6, 4.5))
    overall = curves[key]
    score = metrics.get(score_key)
    label = 'all' if score is None else f'all [{score:.1f}]'
    ax.plot(overall['thresholds'], overall['values'], 'k-', lw=2,
            label=label)
    by_size = curves.get('by_size') or {}
    for name, bin_curves in by_size.items():
        curve = bin_curves.get(key)
        if not curve:
            continue
        bin_score = (metrics.get('by_size', {}).get(name) or {}).get(score_key)
        text = name if bin_score is None else f'{name} [{bin_score:.1f}]'
        ax.plot(curve['thresholds'], curve['values'], '--', lw=1, label=text)
    ax.set(
        xlabel=xlabel,
        ylabel='Success rate (%)' if key == 'success' else 'Precision (%)',
        ylim=(0, 100),
        xlim=(overall['thresholds'][0], overall['thresholds'][-1]),
        title=f"{title} ({metrics.get('convention', '?')} convention)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc='best', fontsize=8)
    return _save(fig, out_file)


def plot_success_curve(metrics: Dict, out_file: str) -> str:
    """Success (IoU) curve, overall and per size bin.

    Args:
        metrics (dict): Output of ``evaluate_videos``.
        out_file (str): PNG path.

    Returns:
        str: ``out_file``.
    """
    return _plot_curve(metrics, 'success', 'success', out_file,
                       'Overlap threshold', 'Success plot of OPE')


def plot_precision_curve(metrics: Dict, out_file: str) -> str:
    """Precision (centre error) curve, overall and per size bin.

    Args:
        metrics (dict): Output of ``evaluate_videos``.
        out_file (str): PNG path.

    Returns:
        str: ``out_file``.
    """
    return _plot_curve(metrics, 'precision', 'precision', out_file,
                       'Location error threshold (px)',
                       'Precision plot of OPE')


def _plot_bins(metrics: Dict, field: str, out_file: str,
               keys: Sequence[str], title: str) -> str:
    """Grouped bar chart of ``keys`` per bin of ``metrics[field]``, empty
    bins left out."""
    bins = _non_empty_bins(metrics, field)
    if not bins:
        raise ValueError(f"metrics have no non-empty {field[len('by_'):]} "
                         'bin to plot')
    names = list(bins)
    width = 0.8 / len(keys)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(names)), 4.5))
    for j, key in enumerate(keys):
        values = [bins[n].get(key) or 0.0 for n in names]
        xs = [i + (j - (len(keys) - 1) / 2) * width for i in range(len(names))]
        ax.bar(xs, values, width, label=key)
    _label_bins(ax, bins)
    ax.set(
        ylabel='%',
        ylim=(0, 100),
        xlabel=BREAKDOWN_LABELS[field][1],
        title=f"{title} ({metrics.get('convention', '?')} convention)")
    ax.grid(True, axis='y', alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, out_file)


def plot_size_bins(metrics: Dict,
                   out_file: str,
                   keys: Sequence[str] = ('success', 'precision',
                                          'point_accuracy')) -> str:
    """Grouped bar chart of some metrics per size bin (empty bins left out).

    Args:
        metrics (dict): Output of ``evaluate_videos``.
        out_file (str): PNG path.
        keys (Sequence[str]): Metrics to show. Defaults to success,
            precision and point accuracy.

    Returns:
        str: ``out_file``.
    """
    return _plot_bins(metrics, 'by_size', out_file, keys,
                      'Metrics per object size')


def plot_visibility_bins(metrics: Dict,
                         out_file: str,
                         keys: Sequence[str] = ('success', 'precision',
                                                'point_accuracy')) -> str:
    """:func:`plot_size_bins` over the visibility bins instead: needs
    ``metrics['by_visibility']`` (GOT-10k cover levels)."""
    return _plot_bins(metrics, 'by_visibility', out_file, keys,
                      'Metrics per target visibility')


def plot_overlap_loss(metrics: Dict, out_file: str) -> str:
    """Stacked bars of where the mean overlap is lost (absent frames, missed
    targets, box error on point hits; ``overlap_loss.py``): one bar for all
    frames and one per non-empty size bin, and a second panel with a bar
    per visibility bin when the metrics have them. A bin's bar is its share
    of the overall loss, so the bins' bars add up to the overall one's
    missed and box parts.

    Args:
        metrics (dict): Output of ``evaluate_videos``.
        out_file (str): PNG path.

    Returns:
        str: ``out_file``.

    Raises:
        ValueError: if the metrics have no overlap loss (older JSON files)
            or no breakdown.
    """
    if 'lost_absent' not in metrics:
        raise ValueError('metrics have no overlap loss to plot (lost_absent '
                         'and the rest come from evaluate_videos)')
    fields = [f for f in BREAKDOWN_LABELS if metrics.get(f)]
    if not fields:
        raise ValueError('metrics have no size or visibility bins to plot '
                         'the overlap loss over')
    fig, axes = plt.subplots(
        1, len(fields), figsize=(6 * len(fields), 4.5), squeeze=False)
    for ax, field in zip(axes[0], fields):
        rows = {'all': metrics, **_non_empty_bins(metrics, field)}
        bottom = [0.0] * len(rows)
        for part in OVERLAP_LOSS_PARTS:
            values = [m.get(part) or 0.0 for m in rows.values()]
            label, colour = _LOSS_STYLE[part]
            ax.bar(range(len(rows)), values, 0.6, bottom=bottom,
                   label=label, color=colour)
            bottom = [b + v for b, v in zip(bottom, values)]
        for i, total in enumerate(bottom):
            ax.text(i, total + 1, f'{total:.1f}', ha='center', fontsize=8)
        _label_bins(ax, rows)
        ax.set(
            ylabel='mean IoU points lost (of 100, over all frames)',
            ylim=(0, min(100.0, max(bottom) * 1.15 + 1)),
            xlabel=BREAKDOWN_LABELS[field][1])
        ax.grid(True, axis='y', alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle('Where the mean overlap is lost (mean IoU '
                 f"{metrics.get('mean_overlap') or 0.0:.1f}, "
                 f"{metrics.get('convention', '?')} convention)")
    return _save(fig, out_file)


def plot_all(metrics: Dict, out_dir: str) -> List[str]:
    """Write ``success.png``, ``precision.png``, ``size_bins.png``, with
    ``by_visibility`` ``visibility_bins.png``, and with the overlap loss
    (:func:`plot_overlap_loss`) ``overlap_lost.png``.

    Args:
        metrics (dict): Output of ``evaluate_videos``.
        out_dir (str): Folder, created if needed.

    Returns:
        list[str]: The written files.
    """
    os.makedirs(out_dir, exist_ok=True)
    return [
        plot_success_curve(metrics, osp.join(out_dir, 'success.png')),
        plot_precision_curve(metrics, osp.join(out_dir, 'precision.png')),
        plot_size_bins(metrics, osp.join(out_dir, 'size_bins.png')),
    ] + ([
        plot_visibility_bins(metrics,
                             osp.join(out_dir, 'visibility_bins.png'))
    ] if metrics.get('by_visibility') else []) + ([
        plot_overlap_loss(metrics, osp.join(out_dir, 'overlap_lost.png'))
    ] if 'lost_absent' in metrics else [])
