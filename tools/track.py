"""Run a trained single-object tracker over every video of a benchmark folder.

Example::

    python tools/track.py configs/global_search/<config>.py \
        work_dirs/gs/epoch_8.pth --data-root data/synthetic/lasot_test \
        --format lasot --out work_dirs/gs/results
    python tools/eval_results.py --data-root data/synthetic/lasot_test \
        --format lasot --results work_dirs/gs/results --convention lasot

Any mmtrack SOT config works. Writes ``OUT/<video>.txt`` (one ``x,y,w,h``
per frame, the first line the given first-frame box) and
``OUT/<video>_confidence.txt`` (one score per frame, 1 on the first), each
atomically, so an interrupted run leaves no half-written file. Bad input
(missing data root or config, a first-frame box that is absent or empty,
frames that do not match the ground truth) stops with exit code 2.
"""
import argparse
import os
import sys
import time
from typing import Callable, List, Optional, Tuple

import torch
from mmengine.config import DictAction

from mmtrack_smallobj.apis import (init_tracker, list_videos, track_video,
                                   write_results)
from mmtrack_smallobj.evaluation.functional import (DATASET_FORMATS,
                                                    EvaluationInputError)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Track every video of a LaSOT- or GOT-10k-layout folder '
        'with a trained single-object tracker and write result files.')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--data-root', required=True, help='benchmark root')
    parser.add_argument(
        '--format', required=True, choices=DATASET_FORMATS,
        help='benchmark layout')
    parser.add_argument(
        '--out', required=True, help='results folder (created if absent)')
    parser.add_argument(
        '--device', default='cpu', help="'cpu' (default), 'cuda' or 'cuda:N'")
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE',
        help='override config settings, e.g. model.test_cfg.short_side=320')
    parser.add_argument(
        '--videos', nargs='+', metavar='NAME',
        help='track only these videos (default: all)')
    parser.add_argument(
        '--short-side', type=int, metavar='N',
        help="override the model's test_cfg.short_side (whole-frame "
        'trackers such as GlobalSearchTracker)')
    parser.add_argument(
        '--no-strict', action='store_true',
        help='load a checkpoint that does not fit the model exactly '
        '(missing or unexpected keys are then only warned about)')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def make_progress(total: int, enabled: bool
                  ) -> Tuple[Callable[[], None], Callable[[], None]]:
    """A per-frame progress callback (tqdm if installed, else mmengine's
    ProgressBar) and a closer.

    Returns:
        tuple: ``(update, close)``; both do nothing when disabled.
    """
    if not enabled:
        return (lambda: None), (lambda: None)
    try:
        from tqdm import tqdm
    except ImportError:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(total)
        return bar.update, (lambda: print())
    bar = tqdm(total=total, unit='frame', dynamic_ncols=True)
    return (lambda: bar.update(1)), bar.close


def main(argv: Optional[List[str]] = None) -> int:
    """Track, write the results, print a summary; return the exit code."""
    args = parse_args(argv)
    if args.short_side is not None and args.short_side <= 0:
        print('error: --short-side must be positive', file=sys.stderr)
        return 2
    try:
        device = torch.device(args.device)
    except RuntimeError:
        print(f'error: unknown --device {args.device!r}', file=sys.stderr)
        return 2
    if device.type == 'cuda' and not torch.cuda.is_available():
        print(f'error: --device {args.device}, but CUDA is not available',
              file=sys.stderr)
        return 2
    try:
        videos = list_videos(args.data_root, args.format, args.videos)
    except EvaluationInputError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    try:
        model, pipeline = init_tracker(
            args.config,
            args.checkpoint,
            args.device,
            args.cfg_options,
            short_side=args.short_side,
            strict=not args.no_strict)
    except (OSError, KeyError, TypeError, ValueError) as err:
        # A missing file, an unknown component or config key: bad input.
        print(f'error: cannot build the tracker: {type(err).__name__}: '
              f'{err}', file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)

    num_frames = sum(len(v.frame_paths) for v in videos)
    update, close = make_progress(num_frames, not args.no_progress)
    model_seconds = 0.0
    start = time.perf_counter()
    try:
        for video in videos:
            boxes, scores, per_frame = track_video(
                model, video.frame_paths, video.init_bbox_xywh, pipeline,
                on_frame=update)
            model_seconds += per_frame * len(video.frame_paths)
            write_results(args.out, video.name, boxes, scores)
    finally:
        close()
    wall = time.perf_counter() - start
    print(f'tracked {len(videos)} videos, {num_frames} frames in {wall:.1f} '
          f's: {num_frames / max(model_seconds, 1e-9):.1f} fps (tracker), '
          f'{num_frames / max(wall, 1e-9):.1f} fps (with image loading and '
          f'writing); results in {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
