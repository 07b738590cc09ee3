"""Data-loading time per sample: plain pipeline against size rebalancing.

Generates a small synthetic LaSOT-layout training set with
``tools/make_synthetic.py`` in a temporary folder, then builds two datasets
from the CPU default's training pipeline
(``configs/_base_/datasets/synthetic_lasot_global_search_train.py``):

- plain: mmtrack's ``LaSOTDataset`` with that pipeline, as configured;
- rebalanced: ``SizeRebalanceDataset`` around it, with ``SizeBinRescale``
  after the ``TransformBroadcaster``, as in
  ``configs/size_rebalance/*_size-rebalance.py``.

Both run in this process (no DataLoader workers). Rounds alternate between
the two so that load on the machine hits both alike; each round times
``--samples`` consecutive samples, and the median round gives the per-sample
time. The one-off size scan of the wrapper is reported apart. The target is
a ratio of at most 1.05.

Example::

    OMP_NUM_THREADS=1 python tools/benchmarks/bench_size_rebalance.py \
        --videos 6 --frames 60 --samples 100 --rounds 7
"""
import argparse
import copy
import os.path as osp
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable, List, Optional

import cv2
import numpy as np
from mmengine.config import Config

import mmtrack_smallobj  # noqa: F401  (registers our components)
from mmtrack.registry import DATASETS
from mmtrack.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TRAIN_BASE = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets',
                      'synthetic_lasot_global_search_train.py')
TARGET_RATIO = 1.05


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--videos', type=int, default=6)
    parser.add_argument('--frames', type=int, default=60)
    parser.add_argument('--samples', type=int, default=100,
                        help='samples per timed round')
    parser.add_argument('--rounds', type=int, default=7,
                        help='timed rounds per pipeline (odd: the median '
                        'is one of them)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--size-bins', default='4-64:0.1,64-100:0.9',
                        help='generator size bins (the study\'s imbalance)')
    args = parser.parse_args(argv)
    for name in ('videos', 'frames', 'samples', 'rounds'):
        if getattr(args, name) < 1:
            parser.error(f'--{name} must be >= 1')
    return args


def make_data(out: str, args: argparse.Namespace) -> None:
    """Write the synthetic set with the generator's command line."""
    subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'make_synthetic.py'), out, '--format',
        'lasot', '--split', 'train', '--videos',
        str(args.videos), '--frames',
        str(args.frames), '--seed',
        str(args.seed), '--size-bins', args.size_bins, '--no-progress'
    ],
                   check=True)


def dataset_configs(data_root: str) -> tuple:
    """(plain, rebalanced) dataset configs over ``data_root``."""
    base = Config.fromfile(TRAIN_BASE)
    plain = copy.deepcopy(base.train_dataloader.dataset.to_dict())
    plain['data_root'] = data_root
    pipeline = copy.deepcopy(plain['pipeline'])
    after = [i for i, t in enumerate(pipeline)
             if t['type'] == 'TransformBroadcaster'][0] + 1
    pipeline.insert(after, dict(type='SizeBinRescale'))
    rebalanced = dict(
        type='SizeRebalanceDataset',
        dataset=dict(plain, pipeline=pipeline),
        scale=(320, 240),
        num_samples=100000,
        seed=0)
    return plain, rebalanced


def time_round(dataset, start: int, samples: int) -> float:
    """Seconds per sample over ``samples`` consecutive indices."""
    tic = time.perf_counter()
    for i in range(start, start + samples):
        dataset[i]
    return (time.perf_counter() - tic) / samples


class Stopwatch:
    """Wraps a bound method and adds up the seconds spent in it."""

    def __init__(self, method: Callable) -> None:
        self.method = method
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, *args, **kwargs):
        tic = time.perf_counter()
        try:
            return self.method(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - tic
            self.calls += 1


def main(argv: Optional[List[str]] = None) -> None:
    """Generate, build, time, print."""
    args = parse_args(argv)
    cv2.setNumThreads(1)
    register_all_modules(init_default_scope=True)
    np.random.seed(args.seed)
    with tempfile.TemporaryDirectory(prefix='bench_rebalance_') as tmp:
        data_root = osp.join(tmp, 'lasot_train') + '/'
        make_data(data_root, args)
        plain_cfg, rebalanced_cfg = dataset_configs(data_root)
        plain = DATASETS.build(plain_cfg)
        tic = time.perf_counter()
        rebalanced = DATASETS.build(rebalanced_cfg)
        scan = time.perf_counter() - tic
        runs: dict = {'plain': [], 'rebalanced': []}
        datasets: dict = {'plain': plain, 'rebalanced': rebalanced}
        order: Callable[[int], List[str]] = lambda r: (
            ['plain', 'rebalanced'] if r % 2 == 0 else
            ['rebalanced', 'plain'])
        for name in order(0):  # warm-up: file cache, lazy imports
            time_round(datasets[name], 0, max(5, args.samples // 10))
        # The wrapper's own parts, timed inside the rebalanced runs.
        rescaler = rebalanced._rescalers[0]
        parts = dict(plan=Stopwatch(rebalanced.plan),
                     rescale=Stopwatch(rescaler.transform))
        rebalanced.plan, rescaler.transform = parts['plan'], parts['rescale']
        for r in range(args.rounds):
            for name in order(r):
                runs[name].append(
                    time_round(datasets[name], (r + 1) * args.samples,
                               args.samples))
    plain_s = statistics.median(runs['plain'])
    rebalanced_s = statistics.median(runs['rebalanced'])
    ratio = rebalanced_s / plain_s
    print(f'{args.videos} videos x {args.frames} frames (320x240), '
          f'{args.rounds} rounds x {args.samples} samples, one process')
    print(f'{"pipeline":<52} {"ms/sample":>9}')
    print(f'{"plain (LaSOTDataset)":<52} {1e3 * plain_s:9.2f}')
    print(f'{"rebalanced (SizeRebalanceDataset + SizeBinRescale)":<52} '
          f'{1e3 * rebalanced_s:9.2f}')
    verdict = 'met' if ratio <= TARGET_RATIO else 'missed'
    print(f'ratio rebalanced / plain: {ratio:.3f} (target <= '
          f'{TARGET_RATIO:.2f}: {verdict})')
    for name, label in (('plan', 'of which choosing the frames (plan)'),
                        ('rescale', 'of which SizeBinRescale')):
        watch = parts[name]
        print(f'  {label:<50} {1e3 * watch.seconds / watch.calls:9.2f}')
    print(f'one-off size scan at build: {1e3 * scan:.0f} ms')


if __name__ == '__main__':
    main()
