"""Parameters, FLOPs and CPU time of our backbones against mmdet's ResNet-50.

Builds each backbone from its config in mmtrack's registry, counts its
parameters, counts multiply-accumulates with mmengine's jit-based analyser
(reported as FLOPs, one per multiply-add, mmengine's convention; it skips
BatchNorm, ReLU, additions and pooling, which are small next to the
convolutions), and times
``--repeats`` forward passes (eval mode, no grad, after ``--warmup`` passes)
on one random ``1 x 3 x H x W`` image. Every number is also given as a ratio
to ResNet-50, whose four stages (strides 4-32) run in the same process.

Example::

    python tools/benchmarks/bench_backbones.py --height 512 --width 736 \
        --threads 1 --repeats 5
"""
import argparse
import statistics
import time
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.logging import MMLogger
from torch import nn

import mmtrack_smallobj  # noqa: F401  (registers our backbones)
from mmtrack.registry import MODELS

# (name, config); the first is the reference of the ratios.
BACKBONES: Tuple[Tuple[str, dict], ...] = (
    ('ResNet-50 (mmdet)', dict(type='mmdet.ResNet', depth=50)),
    ('DLA-34', dict(type='DLA', depth=34)),
    ('HighResShallowNet (default: 2 stages, w32)',
     dict(type='HighResShallowNet')),
    ('HighResShallowNet (3 stages, w32)',
     dict(type='HighResShallowNet', num_stages=3)),
    ('HighResShallowNet (2 stages, w16)',
     dict(type='HighResShallowNet', base_channels=16)),
)


def count_flops(model: nn.Module, image: torch.Tensor) -> Optional[int]:
    """Multiply-accumulates of one forward, or None if the analyser fails.

    Returns:
        int, optional: The count mmengine calls FLOPs.
    """
    try:
        info = get_model_complexity_info(
            model, inputs=(image, ), show_table=False, show_arch=False)
    except Exception as error:  # noqa: BLE001  (FLOPs are optional here)
        print(f'  FLOPs skipped: {type(error).__name__}: {error}')
        return None
    return int(info['flops'])


def time_forward(model: nn.Module, image: torch.Tensor, warmup: int,
                 repeats: int) -> float:
    """Median seconds per forward pass.

    Returns:
        float: Median wall time of ``repeats`` passes.
    """
    times = []
    with torch.no_grad():
        for _ in range(warmup):
            model(image)
        for _ in range(repeats):
            start = time.perf_counter()
            model(image)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(cfg: dict, image: torch.Tensor, args: argparse.Namespace) -> Dict:
    """Build one backbone and measure it.

    Returns:
        dict: ``params``, ``flops`` (or None), ``seconds`` and ``shapes``.
    """
    model = MODELS.build(cfg)
    model.init_weights()
    model.eval()
    with torch.no_grad():
        shapes = [tuple(out.shape[1:]) for out in model(image)]
    return dict(
        params=sum(p.numel() for p in model.parameters()),
        flops=None if args.no_flops else count_flops(model, image),
        seconds=time_forward(model, image, args.warmup, args.repeats),
        shapes=shapes)


def format_rows(results: List[Tuple[str, Dict]]) -> List[str]:
    """Table lines, ratios against the first row."""
    ref = results[0][1]
    lines = [
        f'{"backbone":44s} {"params":>9s} {"x R50":>6s} {"GFLOPs":>7s} '
        f'{"x R50":>6s} {"ms":>8s} {"x R50":>6s}  outputs (C, H, W)'
    ]
    for name, res in results:
        flops = ('-', '-') if res['flops'] is None or ref['flops'] is None \
            else (f'{res["flops"] / 1e9:.2f}',
                  f'{res["flops"] / ref["flops"]:.3f}')
        lines.append(
            f'{name:44s} {res["params"] / 1e6:8.2f}M '
            f'{res["params"] / ref["params"]:6.3f} {flops[0]:>7s} '
            f'{flops[1]:>6s} {res["seconds"] * 1e3:8.1f} '
            f'{res["seconds"] / ref["seconds"]:6.3f}  {res["shapes"]}')
    return lines


def main() -> None:
    """Measure every backbone and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--height', type=int, default=512)
    parser.add_argument('--width', type=int, default=736)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument(
        '--threads', type=int, default=1,
        help='torch intra-op threads; 0 leaves torch to choose. One by '
        'default: stable numbers on a shared machine, where OpenMP threads '
        'waiting on busy cores can slow small models several times')
    parser.add_argument(
        '--no-flops', action='store_true', help='skip the FLOP count')
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    # init_weights logs one line per parameter at INFO, and the FLOP
    # analyser warns about every operator it skips.
    MMLogger.get_current_instance().setLevel('ERROR')
    torch.manual_seed(0)
    image = torch.randn(1, 3, args.height, args.width)
    print(f'input 1x3x{args.height}x{args.width}, '
          f'{torch.get_num_threads()} CPU thread(s), median of '
          f'{args.repeats} forwards after {args.warmup} warm-up')
    results = [(name, measure(cfg, image, args)) for name, cfg in BACKBONES]
    print('\n'.join(format_rows(results)))


if __name__ == '__main__':
    main()
