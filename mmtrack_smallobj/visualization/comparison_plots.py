"""Compare several trackers on one benchmark: curves on one figure, bars per
object-size bin and per visibility bin, and a markdown report with the
tables.

Every function takes ``{tracker name: evaluate_videos() dict}``; nothing
here computes a metric, so the pictures always show the numbers of
``tools/eval_results.py``. A tracker keeps its colour across figures, and
the curve legends are sorted by score, best first, as in the OTB and LaSOT
papers' plots.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

from ..evaluation.functional import (  # noqa: E402
    BREAKDOWN_LABELS, write_text_atomic)
from ..utils.config_checks import check_choice  # noqa: E402

__all__ = [
    'plot_comparison_curves', 'plot_comparison_bins',
    'plot_comparison_size_bins', 'comparison_tables',
    'write_comparison_report'
]

Metrics = Dict[str, Dict]

_NAMES = dict(
    success='Success (AUC)',
    precision='Precision@20px',
    norm_precision='Norm. precision@0.2',
    point_accuracy='Point accuracy',
    ao='AO',
    sr50='SR50')


def _color(index: int):
    """The tracker's colour, the same in every figure."""
    return plt.get_cmap('tab10')(index % 10)


def _cell(value: Optional[float]) -> str:
    """Two decimals, or 'n/a' for an undefined value (an empty bin)."""
    return 'n/a' if value is None else f'{value:.2f}'


def plot_comparison_curves(metrics: Metrics, out_file: str) -> str:
    """Success and precision curves of every tracker, side by side.

    Args:
        metrics (dict[str, dict]): Per tracker, ``evaluate_videos`` output.
        out_file (str): PNG path.

    Returns:
        str: ``out_file``.
    """
    items = list(metrics.items())
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, key, xlabel in ((axes[0], 'success', 'Overlap threshold'),
                            (axes[1], 'precision',
                             'Location error threshold (px)')):
        scores = [m.get(key) for _, m in items]
        order = sorted(
            range(len(items)),
            key=lambda i: -1.0 if scores[i] is None else -scores[i])
        for i in order:
            name, tracker = items[i]
            curve = (tracker.get('curves') or {}).get(key)
            if not curve:
                continue  # no counted frame: nothing to draw
            ax.plot(curve['thresholds'], curve['values'], color=_color(i),
                    lw=2, label=f'{name} [{_cell(tracker.get(key))}]')
        ax.set(xlabel=xlabel, ylim=(0, 100),
               ylabel='Success rate (%)' if key == 'success' else
               'Precision (%)', title=f'{key.capitalize()} plot of OPE')
        ax.grid(True, alpha=0.3)
        ax.legend(loc='best', fontsize=8)
    convention = next(iter(metrics.values())).get('convention', '?')
    fig.suptitle(f'{convention} convention', fontsize=9)
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)
    return out_file


def _bin_labels(metrics: Metrics, group: str = 'by_size') -> List[str]:
    """Bins of ``group`` with frames; the bins follow the ground truth, so
    they are the same for every tracker. Empty when a tracker's metrics
    lack the group (no cover levels for ``by_visibility``)."""
    if not all(m.get(group) for m in metrics.values()):
        return []
    first = next(iter(metrics.values()))
    return [label for label, m in first[group].items() if m.get('num_frames')]


def plot_comparison_bins(
        metrics: Metrics,
        out_file: str,
        group: str = 'by_size',
        keys: Sequence[str] = ('success', 'point_accuracy')) -> str:
    """Per bin of a breakdown, one bar per tracker, one panel per metric.

    Args:
        metrics (dict[str, dict]): Per tracker, ``evaluate_videos`` output.
        out_file (str): PNG path.
        group (str): 'by_size' or 'by_visibility'. Defaults to 'by_size'.
        keys (Sequence[str]): Metrics, one panel each. Defaults to success
            and point accuracy.

    Returns:
        str: ``out_file``.

    Raises:
        ValueError: If no bin of ``group`` has a frame.
    """
    check_choice('group', group, BREAKDOWN_LABELS)
    labels = _bin_labels(metrics, group)
    if not labels:
        raise ValueError(f'no {group} bin has a frame to plot')
    first = next(iter(metrics.values()))
    width = 0.8 / len(metrics)
    fig, axes = plt.subplots(
        1, len(keys), figsize=(max(6, 1.3 * len(labels)) * len(keys), 4.5),
        squeeze=False)
    for ax, key in zip(axes[0], keys):
        for i, (name, tracker) in enumerate(metrics.items()):
            values = [(tracker[group][b].get(key) or 0.0) for b in labels]
            xs = [j + (i - (len(metrics) - 1) / 2) * width
                  for j in range(len(labels))]
            ax.bar(xs, values, width, color=_color(i), label=name)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels([
            f"{b}\n({first[group][b]['num_frames']} fr)" for b in labels
        ])
        ax.set(ylabel='%', ylim=(0, 100), title=_NAMES.get(key, key),
               xlabel=BREAKDOWN_LABELS[group][1])
        ax.grid(True, axis='y', alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)
    return out_file


def plot_comparison_size_bins(
        metrics: Metrics,
        out_file: str,
        keys: Sequence[str] = ('success', 'point_accuracy')) -> str:
    """:func:`plot_comparison_bins` per object-size bin."""
    return plot_comparison_bins(metrics, out_file, 'by_size', keys)


def _md_table(header: Sequence[str],
              rows: Sequence[Sequence[str]],
              text_columns: int = 1) -> str:
    """A GitHub markdown table: the first ``text_columns`` columns left
    aligned, the numbers after them right aligned."""
    align = [':--' if i < text_columns else '--:' for i in range(len(header))]
    lines = [header, align] + [list(r) for r in rows]
    return '\n'.join('| ' + ' | '.join(line) + ' |' for line in lines)


def comparison_tables(metrics: Metrics) -> Dict[str, str]:
    """Markdown tables: overall, per size bin and per visibility bin (one
    row per bin and tracker), and per video (the best success of each
    video in bold).

    Args:
        metrics (dict[str, dict]): Per tracker, ``evaluate_videos`` output.

    Returns:
        dict[str, str]: ``overall``, ``by_size``, ``by_visibility`` (only
        when every tracker's metrics have it: GOT-10k cover levels) and
        ``per_video``.
    """
    keys = ('success', 'precision', 'norm_precision', 'point_accuracy',
            'ao', 'sr50')
    overall = _md_table(
        ['tracker'] + [_NAMES[k] for k in keys] + ['frames'],
        [[name] + [_cell(m.get(k)) for k in keys] + [str(m['num_frames'])]
         for name, m in metrics.items()])
    tables = dict(overall=overall)
    bin_keys = ('success', 'precision', 'point_accuracy')
    for group, (column, _) in BREAKDOWN_LABELS.items():
        labels = _bin_labels(metrics, group)
        if group != 'by_size' and not labels:
            continue
        rows = [[label, name, str(m[group][label]['num_frames'])] +
                [_cell(m[group][label].get(k)) for k in bin_keys]
                for label in labels for name, m in metrics.items()]
        tables[group] = _md_table([column, 'tracker', 'frames'] +
                                  [_NAMES[k] for k in bin_keys], rows,
                                  text_columns=2)
    first = next(iter(metrics.values()))
    rows = []
    for video, info in first['per_video'].items():
        success = [m['per_video'][video].get('success')
                   for m in metrics.values()]
        best = max((s for s in success if s is not None), default=None)
        cells = [f'**{_cell(s)}**' if s is not None and s == best and
                 len(metrics) > 1 else _cell(s) for s in success]
        cells += [_cell(m['per_video'][video].get('point_accuracy'))
                  for m in metrics.values()]
        rows.append([video, str(info['num_frames'])] + cells)
    per_video = _md_table(
        ['video', 'frames'] + [f'{n} success' for n in metrics] +
        [f'{n} point acc.' for n in metrics], rows)
    tables['per_video'] = per_video
    return tables


def write_comparison_report(metrics: Metrics,
                            out_dir: str,
                            description: Sequence[str] = ()) -> List[str]:
    """Write ``curves.png``, ``size_bins.png``, with cover levels
    ``visibility_bins.png``, and ``report.md``.

    Args:
        metrics (dict[str, dict]): Per tracker (in the order to show),
            ``evaluate_videos`` output over the same videos.
        out_dir (str): Folder, created if needed.
        description (Sequence[str]): Lines under the report's title (the
            data, the convention, the result folders).

    Returns:
        list[str]: The written files, ``report.md`` last.
    """
    if not metrics:
        raise ValueError('no trackers to compare')
    os.makedirs(out_dir, exist_ok=True)
    curves = plot_comparison_curves(metrics, osp.join(out_dir, 'curves.png'))
    bins = plot_comparison_size_bins(metrics,
                                     osp.join(out_dir, 'size_bins.png'))
    tables = comparison_tables(metrics)
    parts = ['# Tracker comparison', '\n'.join(f'- {d}' for d in description),
             '## Overall', tables['overall'],
             f'![success and precision curves]({osp.basename(curves)})',
             '## Per object size',
             'Size is sqrt(w*h) of the ground-truth box; bins without '
             'frames are left out.', tables['by_size'],
             f'![metrics per size bin]({osp.basename(bins)})']
    written = [curves, bins]
    if 'by_visibility' in tables:
        visibility = plot_comparison_bins(
            metrics, osp.join(out_dir, 'visibility_bins.png'),
            'by_visibility')
        parts += ['## Per target visibility',
                  'The shown part of the target, from GOT-10k cover levels; '
                  'absent frames are in no bin.', tables['by_visibility'],
                  f'![metrics per visibility bin]'
                  f'({osp.basename(visibility)})']
        written.append(visibility)
    parts += ['## Per video', tables['per_video']]
    report = osp.join(out_dir, 'report.md')
    # Written last and atomically: a report.md means the PNGs are there.
    write_text_atomic(report, '\n\n'.join(p for p in parts if p) + '\n')
    return written + [report]
