"""Plain-text tables of an evaluation dict (overall, per size bin and per
visibility bin, and where the overlap is lost), of long-term metrics at
absence thresholds and of candidate recall."""
import math
from typing import Dict, List, Optional, Sequence, Set

from .evaluate import CORE_METRICS, LT_METRICS
from .overlap_loss import OVERLAP_LOSS_PARTS

__all__ = [
    'BREAKDOWN_LABELS', 'format_metrics_table', 'format_absence_table',
    'format_candidate_recall_table'
]

# Per breakdown of an evaluation dict: its table's first column and a bar
# chart's x-axis label (the text tables here and the figures share them).
BREAKDOWN_LABELS = dict(
    by_size=('size (px)', 'object size sqrt(w*h) (px)'),
    by_visibility=('visible (%)', 'shown part of the target (%)'))

_HEADERS = dict(
    success='Success',
    precision='Prec@20',
    norm_precision='NPrec@.2',
    ao='AO',
    sr50='SR50',
    sr75='SR75',
    point_accuracy='PointAcc',
    lt_precision='LT-Pr',
    lt_recall='LT-Re',
    lt_fscore='LT-F',
    oxuva_tpr='OxUvA-TPR',
    oxuva_tnr='OxUvA-TNR',
    oxuva_maxgm='MaxGM',
    antiuav_sa='AntiUAV-SA',
    num_frames='frames',
    num_videos='videos',
    mean_overlap='MeanIoU',
    lost_absent='lost:absent',
    lost_missed='lost:missed',
    lost_box_error='lost:box',
    hit_overlap='HitIoU',
    num_hits='hits')
# The overlap-loss table's columns (see overlap_loss.py).
_OVERLAP_KEYS = ('mean_overlap', ) + OVERLAP_LOSS_PARTS + ('hit_overlap',
                                                          'num_hits')


def _cell(value: Optional[float], integer: bool = False) -> str:
    """A number with two decimals, or 'n/a' for an undefined value."""
    if value is None:
        return 'n/a'
    return str(int(value)) if integer else f'{value:.2f}'


def _table(first: str, rows: Sequence[Sequence[str]],
           keys: Sequence[str]) -> str:
    """Right-aligned columns with a rule under the header."""
    header = [first] + [_HEADERS.get(k, k) for k in keys]
    table = [header] + [list(r) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for j, row in enumerate(table):
        cells = [row[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append('  '.join(cells))
        if j == 0:
            lines.append('-' * len(lines[0]))
    return '\n'.join(lines)


def format_metrics_table(metrics: Dict) -> str:
    """Readable overall table, long-term table (if any), by-size table and
    by-visibility table (if any).

    Args:
        metrics (dict): Output of ``evaluate_videos`` / ``evaluate_results``.

    Returns:
        str: Multi-line text, percentages with two decimals.
    """
    keys = list(CORE_METRICS) + ['num_videos', 'num_frames']
    count = {'num_videos', 'num_frames'}
    title = f"convention: {metrics.get('convention', '?')}"
    if metrics.get('only_eval_visible'):
        title += ' (only_eval_visible)'
    parts: List[str] = [title]
    parts.append(
        _table('overall', [['all'] + [
            _cell(metrics.get(k), k in count) for k in keys
        ]], keys))
    if 'lt_fscore' in metrics:
        lt_keys = list(LT_METRICS)
        parts.append(
            _table('long-term', [[
                f"thr={metrics.get('presence_threshold', 0.5):g}"
            ] + [_cell(metrics.get(k)) for k in lt_keys]], lt_keys))
    parts += _breakdown_tables(metrics, keys, count)
    if 'lost_absent' in metrics:
        # Where the mean overlap is lost (overlap_loss.py), after the row of
        # all frames: a breakdown's bins add up to it.
        parts += _breakdown_tables(metrics, _OVERLAP_KEYS, {'num_hits'},
                                   'overlap lost, ', with_overall=True)
    return '\n\n'.join(parts)


def _breakdown_tables(metrics: Dict,
                      keys: Sequence[str],
                      count: Set[str],
                      title: str = '',
                      with_overall: bool = False) -> List[str]:
    """One table per breakdown present (size, visibility), rows per bin,
    after a row of all frames ``with_overall``; ``title`` prefixes the
    first column."""
    tables = []
    for field, (first, _) in BREAKDOWN_LABELS.items():
        bins = dict(metrics.get(field) or {})
        if bins:
            if with_overall:
                bins = {'all': metrics, **bins}
            rows = [[label] + [_cell(m.get(k), k in count) for k in keys]
                    for label, m in bins.items()]
            tables.append(_table(title + first, rows, keys))
    return tables


def format_candidate_recall_table(recall: Dict) -> str:
    """The point accuracy, its ceiling with these candidates and that of a
    perfect tracker, then recall@k of the visible frames overall, per size
    bin and per visibility bin (if any).

    Args:
        recall (dict): Output of ``candidate_recall``.

    Returns:
        str: Multi-line text, percentages with two decimals.
    """
    keys = ['frames', 'chosen'] + [f'recall@{k}' for k in recall['top_k']]
    count = {'frames'}
    parts = [
        'point accuracy (lasot convention): '
        f"{_cell(recall['point_accuracy'])}; ceiling with these "
        f"candidates: {_cell(recall['point_accuracy_ceiling'])}; a perfect "
        f"tracker: {_cell(recall['point_accuracy_perfect'])}",
        _table('visible frames', [['all'] + [
            _cell(recall['overall'][k], k in count) for k in keys
        ]], keys)
    ]
    parts += _breakdown_tables(recall, keys, count)
    return '\n\n'.join(parts)


def format_absence_table(rows: Dict[str, Dict[str, float]],
                         thresholds: Dict[str, float]) -> str:
    """Long-term metrics at absence thresholds, one row per setting.

    Args:
        rows (dict[str, dict[str, float]]): Row name to the metrics of
            ``long_term_sweep`` at one threshold (percent; NaN undefined).
        thresholds (dict[str, float]): Row name to its threshold.

    Returns:
        str: The table, with 'n/a' for undefined values.
    """
    keys = list(LT_METRICS)
    table = [[name, f'{thresholds[name]:.6g}'] + [
        _cell(None if math.isnan(row[k]) else row[k]) for k in keys
    ] for name, row in rows.items()]
    return _table('', table, ['threshold'] + keys)
