"""Histogram of a training set's target sizes, before and after rebalancing.

Reads the train_dataloader's dataset of any config, measures ``sqrt(w * h)``
of every drawable target (visible, valid box) at the training scale, and
prints the share of each size bin as a table. With ``--rebalanced`` it also
draws ``--samples`` pairs as ``SizeRebalanceDataset`` would (the config's
own wrapper, or a default one around a plain dataset) and reports the sizes
they are given, rescaling included. Both histograms go to one PNG.

Example::

    python tools/analysis/size_stats.py \
        configs/size_rebalance/*_synthetic-lasot-imbalanced_size-rebalance.py \
        --rebalanced --out work_dirs/size_stats.png

"After" sizes are the targets the wrapper plans at the nominal training
scale; the pipeline's own random resize jitter comes on top.
"""
import argparse
import copy
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.utils import track_iter_progress  # noqa: E402

import mmtrack_smallobj  # noqa: F401,E402
from mmtrack.registry import DATASETS  # noqa: E402
from mmtrack.utils import register_all_modules  # noqa: E402
from mmtrack_smallobj.datasets import SizeRebalanceDataset  # noqa: E402
from mmtrack_smallobj.datasets.size_index import (load_or_scan,  # noqa: E402
                                                  sot_datasets)
from mmtrack_smallobj.evaluation.functional.size_bins import (  # noqa: E402
    DEFAULT_SIZE_EDGES, assign_size_bins, size_bin_labels)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config whose train_dataloader '
                        'dataset is measured')
    parser.add_argument('--out', required=True, help='PNG to write')
    parser.add_argument('--rebalanced', action='store_true',
                        help='also draw pairs as SizeRebalanceDataset does')
    parser.add_argument('--samples', type=int, default=20000,
                        help='pairs drawn for the "after" histogram')
    parser.add_argument('--scale', default=None, metavar='WxH',
                        help='training scale (default: the wrapper\'s, else '
                        'the pipeline\'s Resize/RandomResize scale, else raw '
                        'pixels)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    args = parser.parse_args(argv)
    if args.samples < 1:
        parser.error('--samples must be >= 1')
    if args.scale is not None:
        try:
            w, h = (int(v) for v in args.scale.lower().split('x'))
        except ValueError:
            parser.error(f'--scale must be WxH, got {args.scale!r}')
        args.scale = (w, h)
    return args


def pipeline_scale(dataset_cfg: dict) -> Optional[Tuple[int, int]]:
    """The ``scale`` of the first Resize/RandomResize in a dataset config's
    pipeline (inside wrappers and TransformBroadcaster too), if any."""
    stack = [dataset_cfg]
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            if node.get('type') in ('Resize', 'RandomResize', 'mmdet.Resize',
                                    'mmcv.RandomResize') and 'scale' in node:
                return tuple(node['scale'])
            stack.extend(node.get(k) for k in ('dataset', 'datasets',
                                               'pipeline', 'transforms'))
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return None


def bin_shares(sizes: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Fraction of ``sizes`` in each bin."""
    counts = np.bincount(
        assign_size_bins(sizes, edges), minlength=len(edges) + 1)
    return counts / max(len(sizes), 1)


def format_table(labels: List[str], frames: np.ndarray,
                 before: np.ndarray, after: Optional[np.ndarray],
                 weights: Optional[np.ndarray]) -> str:
    """The per-bin table, one row per size bin and a total row."""
    header = ['size bin (px)', 'frames', 'before %']
    if after is not None:
        header += ['after %', 'weight %']
    rows = [header]
    for i, label in enumerate(labels):
        row = [label, str(int(frames[i])), f'{100 * before[i]:.1f}']
        if after is not None:
            row += [f'{100 * after[i]:.1f}', f'{100 * weights[i]:.1f}']
        rows.append(row)
    rows.append(['all', str(int(frames.sum())), '100.0'] +
                (['100.0', '100.0'] if after is not None else []))
    widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
    lines = ['  '.join(cell.rjust(w) for cell, w in zip(r, widths))
             for r in rows]
    lines.insert(1, '  '.join('-' * w for w in widths))
    return '\n'.join(lines)


def plot(out: str, labels: List[str], before_sizes: np.ndarray,
         after_sizes: Optional[np.ndarray], edges: Sequence[float],
         title: str) -> None:
    """Per-bin bars (left) and a fine log-scale histogram (right)."""
    fig, (ax_bins, ax_fine) = plt.subplots(1, 2, figsize=(11, 4))
    x = np.arange(len(labels))
    width = 0.4 if after_sizes is not None else 0.8
    ax_bins.bar(x - (width / 2 if after_sizes is not None else 0),
                100 * bin_shares(before_sizes, edges), width, label='before')
    if after_sizes is not None:
        ax_bins.bar(x + width / 2, 100 * bin_shares(after_sizes, edges),
                    width, label='after rebalancing')
    ax_bins.set_xticks(x, labels)
    ax_bins.set_xlabel('target size sqrt(w*h) (px)')
    ax_bins.set_ylabel('share (%)')
    ax_bins.legend()
    all_sizes = np.concatenate([before_sizes] + (
        [after_sizes] if after_sizes is not None else []))
    low = max(float(all_sizes.min()), 1.0)
    high = max(float(all_sizes.max()), low * 2)
    fine = np.geomspace(low, high, 41)
    for sizes, label in ((before_sizes, 'before'),
                         (after_sizes, 'after rebalancing')):
        if sizes is not None:
            ax_fine.hist(sizes, fine, weights=np.full(len(sizes),
                                                      100 / len(sizes)),
                         histtype='step', label=label)
    for edge in edges:
        ax_fine.axvline(edge, color='grey', lw=0.5, ls=':')
    ax_fine.set_xscale('log')
    ax_fine.set_xlabel('target size sqrt(w*h) (px)')
    ax_fine.set_ylabel('share per log-spaced bin (%)')
    ax_fine.legend()
    fig.suptitle(title)
    fig.tight_layout()
    folder = osp.dirname(osp.abspath(out))
    os.makedirs(folder, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)


def draw_targets(wrapper: SizeRebalanceDataset, samples: int) -> np.ndarray:
    """Target sizes of the first ``samples`` pairs the wrapper plans, with a
    progress bar (tqdm if installed, else mmengine's)."""
    indices = range(samples)
    try:
        from tqdm import tqdm
        indices = tqdm(indices, desc='pairs', unit='pair', mininterval=0.5)
    except ImportError:
        indices = track_iter_progress(list(indices))
    return np.array([wrapper.plan(i).target for i in indices], np.float64)


def main(argv: Optional[List[str]] = None) -> None:
    """Measure, print and plot."""
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    register_all_modules(init_default_scope=False)
    init_default_scope(cfg.get('default_scope', 'mmtrack'))
    dataset_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    dataset_cfg = dataset_cfg.to_dict() if hasattr(
        dataset_cfg, 'to_dict') else dataset_cfg
    wrapper = None
    if dataset_cfg.get('type') == 'SizeRebalanceDataset':
        if args.scale is not None:
            dataset_cfg['scale'] = args.scale
        if dataset_cfg.get('seed') is None:  # the same table on every run
            dataset_cfg['seed'] = 0
        wrapper = DATASETS.build(dict(dataset_cfg, lazy_init=True))
        wrapper.full_init(progress=True)
        sizes = wrapper.target_sizes()
        datasets = wrapper.datasets
    else:
        scale = args.scale or pipeline_scale(dataset_cfg)
        built = DATASETS.build(dataset_cfg)
        datasets, _ = sot_datasets(built)
        for ds in datasets:
            ds.full_init()
        scans = load_or_scan(datasets, scale, progress=True)
        sizes = np.concatenate([s['size'] for s in scans]).astype(np.float64)
        if args.rebalanced:
            wrapper = SizeRebalanceDataset(built, scale=scale, seed=0)
    if len(sizes) == 0:
        raise SystemExit(f'{args.config}: no drawable target in the '
                         'training set')
    edges = wrapper.size_edges if wrapper is not None else DEFAULT_SIZE_EDGES
    labels = size_bin_labels(edges)
    frames = np.bincount(assign_size_bins(sizes, edges),
                         minlength=len(labels))
    after = draw_targets(wrapper, args.samples) if args.rebalanced else None
    scale = wrapper.scale if wrapper is not None else (
        args.scale or pipeline_scale(dataset_cfg))
    where = f'at scale {scale[0]}x{scale[1]}' if scale else 'in raw pixels'
    print(f'{len(sizes)} drawable targets in '
          f'{sum(len(ds) for ds in datasets)} videos, sizes {where}' +
          (f'; {args.samples} rebalanced pairs' if after is not None else ''))
    print(
        format_table(labels, frames, bin_shares(sizes, edges),
                     bin_shares(after, edges) if after is not None else None,
                     wrapper.bin_probs if wrapper is not None else None))
    plot(args.out, labels, sizes, after, edges,
         f'{osp.basename(args.config)} ({where})')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
