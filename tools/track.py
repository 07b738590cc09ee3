"""Run a trained single-object tracker over every video of a benchmark folder.

Example::

    python tools/track.py configs/global_search/<config>.py \
        work_dirs/gs/epoch_8.pth --data-root data/synthetic/lasot_test \
        --format lasot --out work_dirs/gs/results
    python tools/eval_results.py --data-root data/synthetic/lasot_test \
        --format lasot --results work_dirs/gs/results --convention lasot

    python tools/track.py CONFIG CHECKPOINT --data-root data/GOT10k/test \
        --format got10k --out work_dirs/gs/got10k --submit got10k
    # -> work_dirs/gs/got10k/submission/got10k.zip for the GOT-10k server

    python tools/track.py CONFIG CHECKPOINT --device cuda --dtype fp16 ...

Any mmtrack SOT config works. Writes ``OUT/<video>.txt`` (one ``x,y,w,h``
per frame, the first line the given first-frame box) and
``OUT/<video>_confidence.txt`` (one score per frame, 1 on the first), each
atomically, so an interrupted run leaves no half-written file. With
``--save-candidates`` it also writes ``OUT/<video>_candidates.npz``, every
frame's ranked candidates, which ``tools/analysis/candidate_recall.py``
reads. With ``--submit BENCH`` it also writes the benchmark's submission (see
``mmtrack_smallobj.evaluation.functional.submission``) under
``--submit-out`` (default ``OUT/submission``), with the measured per-frame
times, and prints where it is. Bad input (missing data root or config, a
first-frame box that is absent or empty, frames that do not match the
ground truth, video names the benchmark cannot take) stops with exit code 2.
"""
import argparse
import os
import os.path as osp
import sys
import time
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import DictAction

from mmtrack_smallobj.apis import (INFERENCE_DTYPES, TrackedVideo,
                                   VideoFrames, inference_precision,
                                   init_tracker, list_videos, resolve_device,
                                   track_video_timed, write_results)
from mmtrack_smallobj.evaluation.functional import (SUBMISSION_BENCHMARKS,
                                                    EvaluationInputError,
                                                    SubmissionError,
                                                    SubmissionVideo,
                                                    encode_submission,
                                                    normalize_benchmark,
                                                    write_candidate_file,
                                                    write_submission)
from mmtrack_smallobj.utils.tool_args import add_ground_truth_args
from mmtrack_smallobj.utils.video_io import make_progress
from mmtrack_smallobj.visualization import memo_candidates


def _benchmark(name: str) -> str:
    """argparse type: a submission benchmark, any spelling."""
    try:
        return normalize_benchmark(name)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Track every video of a LaSOT- or GOT-10k-layout folder '
        'with a trained single-object tracker and write result files.')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    add_ground_truth_args(parser)
    parser.add_argument(
        '--out', required=True, help='results folder (created if absent)')
    parser.add_argument(
        '--device', default='cpu', help="'cpu' (default), 'cuda' or 'cuda:N'")
    parser.add_argument(
        '--dtype', choices=list(INFERENCE_DTYPES), default='fp32',
        help='inference precision: fp16 (CUDA) and bf16 run the model under '
        'torch.autocast (GlobalSearchTracker keeps its head in float32; '
        'default fp32)')
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
    parser.add_argument(
        '--submit', type=_benchmark, metavar='BENCH',
        help='also write the submission file(s) of BENCH: '
        f'{", ".join(SUBMISSION_BENCHMARKS)}')
    parser.add_argument(
        '--submit-out', metavar='DIR',
        help='folder for --submit (default: OUT/submission); the files go '
        'to DIR/BENCH.zip (got10k, trackingnet) or DIR/BENCH/')
    parser.add_argument(
        '--save-candidates', action='store_true',
        help='also write OUT/<video>_candidates.npz: every frame\'s ranked '
        'candidates (trackers that keep them in memo.candidates, such as '
        'GlobalSearchTracker), for tools/analysis/candidate_recall.py')
    parser.add_argument(
        '--absent-score-thr', type=float, metavar='T',
        help='with --submit: frames after the first scoring below T are '
        'submitted as absent (VOT-LT, OxUvA, Anti-UAV; default: the '
        "model's test_cfg.absent_score_thr if it has one, else never)")
    return parser.parse_args(argv)


def absent_threshold(args: argparse.Namespace,
                     model: torch.nn.Module) -> Optional[float]:
    """``--absent-score-thr``, else the model's ``test_cfg`` value, else
    None (never absent)."""
    if args.absent_score_thr is not None:
        return args.absent_score_thr
    test_cfg = getattr(model, 'test_cfg', None)
    value = test_cfg.get('absent_score_thr') if hasattr(test_cfg,
                                                        'get') else None
    return None if value is None else float(value)


def submission_video(video: VideoFrames, tracked: TrackedVideo,
                     absent_thr: Optional[float],
                     with_size: bool) -> SubmissionVideo:
    """A tracked video for ``write_submission``; the image size (read from
    the first frame) only where the benchmark needs it (OxUvA)."""
    absent = None
    if absent_thr is not None:
        absent = tracked.scores < absent_thr
        absent[0] = False  # the initialisation frame
    size = None
    if with_size:
        import mmcv
        height, width = mmcv.imread(video.frame_paths[0]).shape[:2]
        size = (float(width), float(height))
    return SubmissionVideo(video.name, tracked.boxes_xywh, tracked.scores,
                           absent, tracked.times, size)


def check_submittable(benchmark: str, videos: Sequence[VideoFrames]) -> None:
    """Encode a placeholder of every video, so that names the benchmark
    cannot take (an OxUvA name without an object id) stop the run before
    the tracking, not after it."""
    encode_submission(benchmark, [
        SubmissionVideo(v.name, np.tile(v.init_bbox_xywh, (2, 1)),
                        np.ones(2), None, np.zeros(2), (1.0, 1.0))
        for v in videos
    ])


def main(argv: Optional[List[str]] = None) -> int:
    """Track, write the results (and a submission), print a summary; return
    the exit code."""
    args = parse_args(argv)
    if args.short_side is not None and args.short_side <= 0:
        print('error: --short-side must be positive', file=sys.stderr)
        return 2
    try:
        device = resolve_device(args.device, '--device')
        precision = inference_precision(device, args.dtype)
    except ValueError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    try:
        videos = list_videos(args.data_root, args.format, args.videos)
        if args.submit is not None:
            check_submittable(args.submit, videos)
    except (EvaluationInputError, SubmissionError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    try:
        model, pipeline = init_tracker(
            args.config,
            args.checkpoint,
            str(device),
            args.cfg_options,
            short_side=args.short_side,
            strict=not args.no_strict)
    except (OSError, KeyError, TypeError, ValueError) as err:
        # A missing file, an unknown component or config key: bad input.
        print(f'error: cannot build the tracker: {type(err).__name__}: '
              f'{err}', file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    absent_thr = absent_threshold(args, model)

    num_frames = sum(len(v.frame_paths) for v in videos)
    update, close = make_progress(num_frames, not args.no_progress)
    model_seconds = 0.0
    submission: List[SubmissionVideo] = []
    start = time.perf_counter()
    try:
        for video in videos:
            candidates: List[Tuple[np.ndarray, np.ndarray]] = []

            def on_frame() -> None:
                update()
                if args.save_candidates:
                    candidates.append(memo_candidates(model.memo))

            with precision:
                tracked = track_video_timed(model, video.frame_paths,
                                            video.init_bbox_xywh, pipeline,
                                            on_frame=on_frame)
            model_seconds += float(tracked.times.sum())
            if args.save_candidates:
                # The memo outlives the video's last frame; a tracker that
                # keeps candidates sets the key on every frame after the
                # first, even when it has none.
                if (len(video.frame_paths) > 1
                        and model.memo.get('candidates') is None):
                    print(f'error: --save-candidates: {type(model).__name__}'
                          ' keeps no candidates in memo.candidates',
                          file=sys.stderr)
                    return 2
                write_candidate_file(args.out, video.name,
                                     [boxes for boxes, _ in candidates],
                                     [scores for _, scores in candidates])
            write_results(args.out, video.name, tracked.boxes_xywh,
                          tracked.scores)
            if args.submit is not None:
                submission.append(
                    submission_video(video, tracked, absent_thr,
                                     args.submit == 'oxuva'))
    finally:
        close()
    wall = time.perf_counter() - start
    print(f'tracked {len(videos)} videos, {num_frames} frames in {wall:.1f} '
          f's: {num_frames / max(model_seconds, 1e-9):.1f} fps (tracker), '
          f'{num_frames / max(wall, 1e-9):.1f} fps (with image loading and '
          f'writing); results in {args.out}')
    if args.submit is None:
        return 0
    submit_out = args.submit_out or osp.join(args.out, 'submission')
    try:
        path = write_submission(args.submit, submission,
                                osp.join(submit_out, args.submit))
    except SubmissionError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    note = (f' (only the {len(videos)} videos given by --videos)'
            if args.videos else '')
    print(f'{args.submit} submission{note}: {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
