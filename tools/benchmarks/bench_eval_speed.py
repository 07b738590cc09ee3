"""Speed of our evaluation vs mmtrack's ``SOTMetric`` on the same boxes.

mmtrack builds an N x N IoU matrix per video and reads its diagonal; we
compute the diagonal directly and count thresholds with one ``bincount``.
This script evaluates the same random (fixed-seed) videos with both, prints
both times, the speed ratio and the largest difference of the shared numbers
(success, precision, norm_precision), and exits non-zero if the ratio is
below ``--min-ratio`` or the numbers differ by more than 1e-4.

Example::

    python tools/benchmarks/bench_eval_speed.py --videos 100 --frames 3000
"""
import argparse
import sys
import time
from typing import List, Tuple

import numpy as np
from mmtrack.evaluation.metrics import SOTMetric

from mmtrack_smallobj.evaluation.functional import (VideoData,
                                                    evaluate_videos,
                                                    xywh_to_xyxy)


def make_videos(num_videos: int, num_frames: int,
                seed: int) -> Tuple[List[VideoData], List[dict]]:
    """Random videos: drifting small-to-large targets, noisy predictions,
    ~5% absent frames (0,0,0,0 ground truth, invisible).

    Returns:
        tuple: Our ``VideoData`` list and the per-video dicts ``SOTMetric``
        collects in ``process`` (float32, as mmtrack stores them).
    """
    rng = np.random.default_rng(seed)
    ours, theirs = [], []
    for v in range(num_videos):
        size = rng.uniform(3, 200) * np.exp(
            np.cumsum(rng.normal(0, 0.01, num_frames)))
        wh = np.stack([size, size * rng.uniform(0.5, 2)], axis=1)
        xy = rng.uniform(0, 1000, 2) + np.cumsum(
            rng.normal(0, 2, (num_frames, 2)), axis=0)
        gt = np.concatenate([xy, wh], axis=1)
        pred = gt + rng.normal(0, 0.15, gt.shape) * wh.repeat(2, axis=1)
        absent = rng.random(num_frames) < 0.05
        absent[0] = False
        gt[absent] = 0
        gt_xyxy = xywh_to_xyxy(gt).astype(np.float32)
        pred_xyxy = xywh_to_xyxy(pred).astype(np.float32)
        ours.append(
            VideoData(f'video-{v}', gt_xyxy, pred_xyxy, visible=~absent))
        theirs.append(
            dict(
                video_name=f'video-{v}',
                video_id=v,
                video_size=(1920, 1080),
                frame_ids=list(range(num_frames)),
                pred_bboxes=list(pred_xyxy),
                gt_bboxes=gt_xyxy,
                visible=~absent))
    return ours, theirs


def main() -> int:
    """Run the benchmark; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--videos', type=int, default=100)
    parser.add_argument('--frames', type=int, default=3000)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--min-ratio', type=float, default=20.0)
    args = parser.parse_args()

    ours_in, theirs_in = make_videos(args.videos, args.frames, args.seed)
    print(f'{args.videos} videos x {args.frames} frames')

    t0 = time.perf_counter()
    ours = evaluate_videos(ours_in, convention='mmtrack')
    t_ours = time.perf_counter() - t0

    metric = SOTMetric(metric='OPE')
    t0 = time.perf_counter()
    theirs = metric.compute_metrics(theirs_in)
    t_theirs = time.perf_counter() - t0

    diffs = {
        k: abs(float(ours[k]) - float(theirs[k]))
        for k in ('success', 'precision', 'norm_precision')
    }
    ratio = t_theirs / t_ours
    print(f'ours (full evaluation incl. size bins, AO, point accuracy): '
          f'{t_ours:.3f} s')
    print(f'mmtrack SOTMetric.compute_metrics (OPE):                    '
          f'{t_theirs:.3f} s')
    print(f'speed ratio: {ratio:.1f}x')
    for k, d in diffs.items():
        print(f'{k:>15}: ours {ours[k]:.6f}  mmtrack {float(theirs[k]):.6f}'
              f'  |diff| {d:.2e}')
    max_diff = max(diffs.values())
    print(f'max abs difference: {max_diff:.2e}')
    ok = ratio >= args.min_ratio and max_diff <= 1e-4
    print('PASS' if ok else 'FAIL')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
