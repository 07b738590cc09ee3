"""Does thresholded absence raise the long-term F-score? (issue 6, part 1)

Generates synthetic LaSOT-layout long-term videos with long absences (what
``tools/make_synthetic.py OUT --format lasot --split test --videos 8
--frames 300 --seed 2000 --out-of-view-rate 3 --occlusion-rate 2
--absence-length 20,60`` writes), tracks them once with ``--config`` and
``--checkpoint`` through the inference API (``mmtrack_smallobj.apis``, as
``tools/track.py``), and keeps the per-frame scores. The absence threshold
is then tuned on the first half of the videos (validation) with
``tune_absent_threshold`` (as ``tools/analysis/tune_absent_thr.py``), and
the other half (test) is scored at that threshold and at -inf (never
reporting absence). Prints both rows, the LT-F ratio, and writes
``summary.json``.

The tracker reports a frame absent exactly when its score is below
``test_cfg.absent_score_thr``, so thresholding the scores of one pass is
what the tracker would report. (With the 'position' strategy, absence also
changes which box the tracker follows next; one pass does not capture
that.)

Data and results are kept under ``--work-dir`` and reused (results only
for the same config, checkpoint and options); ``--fresh`` starts over.

Example (a trained checkpoint)::

    python tools/benchmarks/bench_absence.py --config CONFIG \
        --checkpoint CKPT --work-dir work_dirs/bench_absence

Smoke run with an untrained tiny model (seconds; numbers meaningless)::

    python tools/benchmarks/bench_absence.py --config \
    configs/global_search/global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py \
        --work-dir /tmp/bench_absence_smoke --videos 2 --frames 12 \
        --cfg-options model.backbone.base_channels=4 \
        model.neck.in_channels=[4,8] model.neck.out_channels=4 \
        model.head.in_channels=4 model.head.feat_channels=4 \
        model.test_cfg.short_side=64
"""
import argparse
import json
import math
import os
import os.path as osp
import shutil
import sys
import time
from typing import Dict, List, Optional

import _bench_common as common
import numpy as np
from mmengine.config import DictAction

from mmtrack_smallobj.evaluation.functional import (ABSENCE_METRICS,
                                                    CONVENTIONS,
                                                    format_absence_table,
                                                    load_long_term_frames,
                                                    long_term_sweep,
                                                    tune_absent_threshold,
                                                    write_strict_json)

RERUN_HINT = 'use --fresh or another --work-dir'


def _pair(text: str) -> tuple:
    """argparse type: 'MIN,MAX' integers."""
    try:
        low, high = (int(v) for v in text.split(','))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'expected MIN,MAX integers, got {text!r}') from None
    return low, high


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', required=True, help='model config')
    parser.add_argument(
        '--checkpoint', help='trained weights; without, the model keeps its '
        'random initialisation (smoke runs only)')
    parser.add_argument('--work-dir', default='work_dirs/bench_absence')
    parser.add_argument('--videos', type=int, default=8)
    parser.add_argument('--frames', type=int, default=300)
    parser.add_argument('--seed', type=int, default=2000)
    parser.add_argument('--out-of-view-rate', type=float, default=3.0,
                        help='out-of-view events per 100 frames')
    parser.add_argument('--occlusion-rate', type=float, default=2.0,
                        help='full occlusions per 100 frames')
    parser.add_argument('--absence-length', type=_pair, default=(20, 60),
                        metavar='MIN,MAX', help='absence span in frames')
    parser.add_argument(
        '--max-videos', type=int,
        help='track and score only the first N videos (smoke runs)')
    parser.add_argument('--metric', default='lt_fscore',
                        choices=ABSENCE_METRICS, help='what tuning maximises')
    parser.add_argument('--convention', default='mmtrack',
                        choices=CONVENTIONS)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        metavar='KEY=VALUE', help='override config settings')
    parser.add_argument('--fresh', action='store_true',
                        help='delete --work-dir first')
    args = parser.parse_args(argv)
    for name in ('videos', 'frames', 'max_videos'):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    if min(args.videos, args.max_videos or args.videos) < 2:
        parser.error('need at least 2 videos: half tune, half test')
    for name in ('config', 'checkpoint'):
        path = getattr(args, name)
        # '::' names a package's config (mmengine's get_config)
        if path is not None and '::' not in path and not osp.isfile(path):
            parser.error(f'--{name} {path}: file not found')
    return args


def make_data(args: argparse.Namespace, root: str) -> None:
    """Generate the test videos once (same options: kept)."""
    from mmtrack_smallobj.datasets.synthetic import generate_dataset
    options = dict(num_videos=args.videos, num_frames=args.frames,
                   seed=args.seed, out_of_view_rate=args.out_of_view_rate,
                   occlusion_rate=args.occlusion_rate,
                   absence_length=list(args.absence_length))
    record = root + '_options.json'
    if osp.isdir(root) and osp.isfile(record):
        common.record_or_stop(record, options, 'videos', RERUN_HINT)
        print(f'=== data: found {root}, kept', flush=True)
        return
    if osp.exists(root):
        shutil.rmtree(root)  # an interrupted generation
    start = time.time()
    generate_dataset(root, fmt='lasot', split='test', progress=False,
                     **dict(options, absence_length=args.absence_length))
    common.record_or_stop(record, options, 'videos', RERUN_HINT)
    print(f'=== data: {args.videos} videos of {args.frames} frames in '
          f'{root} ({time.time() - start:.0f} s)', flush=True)


def track(args: argparse.Namespace, root: str, results: str) -> List[str]:
    """Track the videos not tracked yet; return the names, in order."""
    from mmtrack_smallobj.apis import (init_tracker, list_videos, track_video,
                                       write_results)
    os.makedirs(results, exist_ok=True)
    common.record_or_stop(
        osp.join(results, 'tracked_with.json'),
        dict(config=osp.abspath(args.config),
             checkpoint=(None if args.checkpoint is None else osp.abspath(
                 args.checkpoint)),
             cfg_options=args.cfg_options), 'results', RERUN_HINT)
    videos = list_videos(root, 'lasot')[:args.max_videos]
    todo = [
        v for v in videos
        if not osp.isfile(osp.join(results, f'{v.name}_confidence.txt'))
        or not osp.isfile(osp.join(results, f'{v.name}.txt'))
    ]
    if todo:
        model, pipeline = init_tracker(args.config, args.checkpoint,
                                       args.device, args.cfg_options)
    for i, video in enumerate(todo):
        start = time.time()
        boxes, scores, _ = track_video(model, video.frame_paths,
                                       video.init_bbox_xywh, pipeline)
        write_results(results, video.name, boxes, scores)
        print(f'=== tracked {video.name} ({i + 1}/{len(todo)}, '
              f'{len(boxes) / (time.time() - start):.1f} fps)', flush=True)
    print(f'=== scores: {len(videos) - len(todo)} of {len(videos)} videos '
          f'reused from {results}', flush=True)
    return [v.name for v in videos]


def compare(args: argparse.Namespace, root: str, results: str,
            names: List[str]) -> Dict:
    """Tune on the first half, score the second half at the tuned
    threshold and at -inf."""
    half = len(names) // 2
    val, test = names[:half], names[half:]
    val_frames = load_long_term_frames(root, 'lasot', results,
                                       args.convention, val)
    tuned = tune_absent_threshold(*val_frames.args(), metric=args.metric)
    test_frames = load_long_term_frames(root, 'lasot', results,
                                        args.convention, test)
    sweep = long_term_sweep(*test_frames.args(),
                            np.array([tuned.threshold, -math.inf]))
    rows = {
        name: {key: float(values[i]) for key, values in sweep.items()}
        for i, name in enumerate(('thresholded', 'never absent'))
    }
    f_tuned = rows['thresholded']['lt_fscore']
    f_never = rows['never absent']['lt_fscore']
    return dict(
        validation=val, test=test, metric=args.metric,
        threshold=tuned.threshold, validation_tuned=tuned.tuned,
        validation_never_absent=tuned.never_absent, rows=rows,
        test_frames=test_frames.num_frames,
        test_absent_frames=test_frames.num_absent,
        lt_fscore_ratio=(f_tuned / f_never if f_never > 0 else math.nan))


def main(argv: Optional[List[str]] = None) -> int:
    """Generate, track, tune, compare; print and save the summary."""
    args = parse_args(argv)
    work_dir = osp.abspath(args.work_dir)
    if args.fresh and osp.exists(work_dir):
        shutil.rmtree(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    if args.checkpoint is None:
        print('=== no --checkpoint: random weights, a smoke run only',
              flush=True)
    root = osp.join(work_dir, 'data', 'lasot_test')
    results = osp.join(work_dir, 'results')
    make_data(args, root)
    names = track(args, root, results)
    summary = compare(args, root, results, names)
    print(f"\nthreshold {summary['threshold']!r} tuned by {args.metric} on "
          f"{len(summary['validation'])} videos; test: "
          f"{len(summary['test'])} videos, {summary['test_frames']} frames "
          f"({summary['test_absent_frames']} without the target)\n")
    print(format_absence_table(
        summary['rows'],
        {'thresholded': summary['threshold'], 'never absent': -math.inf}))
    print(f"\nLT-F thresholded / never absent: "
          f"{summary['lt_fscore_ratio']:.3f}")
    summary.update(config=args.config, checkpoint=args.checkpoint,
                   cfg_options=args.cfg_options)
    path = osp.join(work_dir, 'summary.json')
    write_strict_json(path, summary)
    print(f'summary written to {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
