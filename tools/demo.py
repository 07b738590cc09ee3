"""Track one target through a video (or a folder of frames) and write an
annotated video and the results.

Example::

    python tools/demo.py clip.mp4 --config configs/global_search/<cfg>.py \
        --checkpoint work_dirs/gs/epoch_8.pth --init-box 120,80,12,9 \
        --out work_dirs/demo/clip_tracked.mp4 --show-candidates

Writes ``OUT.mp4`` (one annotated frame per input frame: the box, its
score, an 'absent' marker, optionally the other candidates, and the
tracklets the model keeps), ``OUT.txt`` (one ``x,y,w,h`` per frame, LaSOT
style, the first line the init box) and ``OUT_confidence.txt`` (one score
per frame, 1 on the first). Nothing appears at those paths unless the whole
input was tracked. Bad input stops with exit code 2 and a message naming
the path. See docs/demo_and_plots.md.
"""
import argparse
import os
import os.path as osp
import sys
import time
from typing import Callable, List, Optional, Tuple

import numpy as np
import torch
from mmengine.config import DictAction
from mmengine.dataset import Compose

from mmtrack_smallobj.apis import (init_tracker, pack_frame, resolve_device,
                                   run_frame)
from mmtrack_smallobj.evaluation.functional import (write_result_files,
                                                    xywh_to_xyxy,
                                                    xyxy_to_xywh)
from mmtrack_smallobj.utils.video_io import (AtomicVideoWriter, FrameSource,
                                             check_box_in_frame, has_display,
                                             make_progress, open_frames,
                                             parse_box_xywh, select_box)
from mmtrack_smallobj.visualization.frame_drawing import (draw_tracking_frame,
                                                          memo_absent,
                                                          memo_candidates,
                                                          memo_tracklets)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Track one target through a video file or a folder of '
        'frames and write an annotated mp4 and a results txt beside it.')
    parser.add_argument('input', help='video file or folder of images')
    parser.add_argument('--config', required=True, help='model config file')
    parser.add_argument('--checkpoint', required=True, help='checkpoint file')
    parser.add_argument(
        '--init-box', metavar='X,Y,W,H',
        help='first-frame box in pixels (write --init-box=-3,... for a '
        'negative x); without it the first frame is shown to draw the box '
        'on (needs a display)')
    parser.add_argument(
        '--out', required=True, help='annotated video (.mp4); OUT.txt and '
        'OUT_confidence.txt are written beside it')
    parser.add_argument(
        '--show-candidates', action='store_true',
        help="also draw the model's other candidates (memo.candidates)")
    parser.add_argument(
        '--absent-thr', type=float, metavar='T',
        help="mark the target absent when its score is below T (default: "
        "the model's test_cfg.absent_score_thr if it has one)")
    parser.add_argument(
        '--fps', type=float, metavar='N',
        help="frame rate of the written video (default: the input video's, "
        'else 30)')
    parser.add_argument(
        '--device', default='cpu', help="'cpu' (default), 'cuda' or 'cuda:N'")
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE',
        help='override config settings, e.g. '
        'model.test_cfg.absent_score_thr=0.3')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='replace OUT.mp4 and OUT.txt if they exist')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def output_paths(out: str) -> Tuple[str, str, str]:
    """The results folder, the results name and the box txt for ``out``.

    Args:
        out (str): The ``--out`` video path.

    Returns:
        tuple[str, str, str]: ``(folder, name, folder/name.txt)``.
    """
    folder = osp.dirname(osp.abspath(out))
    name = osp.splitext(osp.basename(out))[0]
    return folder, name, osp.join(folder, f'{name}.txt')


def get_init_box(args: argparse.Namespace, source: FrameSource,
                 first: np.ndarray) -> np.ndarray:
    """The first-frame box ``x, y, w, h``: the flag's, else one drawn by the
    user where a display exists; checked against the frame.

    Args:
        args (argparse.Namespace): The parsed command line.
        source (FrameSource): The input, named in messages.
        first (np.ndarray): Its first frame.

    Returns:
        np.ndarray: (4,) box.

    Raises:
        ValueError: A malformed box, no display to draw one on, or a box
            outside the frame.
    """
    if args.init_box is not None:
        box = parse_box_xywh(args.init_box)
    elif has_display():
        box = select_box(first, f'select the target in {source.path}')
    else:
        raise ValueError('no display to draw the init box on (DISPLAY unset '
                         'or OpenCV without GUI support); give --init-box '
                         'x,y,w,h')
    check_box_in_frame(box, first.shape[1], first.shape[0], source.path)
    return box


def annotate(model: torch.nn.Module, pipeline: Compose, source: FrameSource,
             init_xywh: np.ndarray, writer: AtomicVideoWriter,
             absent_thr: Optional[float], show_candidates: bool,
             on_frame: Callable[[], None]
             ) -> Tuple[np.ndarray, np.ndarray, float]:
    """Track every frame of ``source`` and write it annotated.

    Args:
        model (nn.Module): From ``init_tracker``.
        pipeline (Compose): Its test pipeline.
        source (FrameSource): The input frames.
        init_xywh (np.ndarray): (4,) first-frame box ``x, y, w, h``.
        writer (AtomicVideoWriter): Receives the annotated frames.
        absent_thr (float, optional): Scores below it mark the target
            absent; None leaves absence to the model's own flag.
        show_candidates (bool): Also draw ``memo.candidates``.
        on_frame (Callable): Called after every frame (progress).

    Returns:
        tuple[np.ndarray, np.ndarray, float]: (N, 4) boxes ``x, y, w, h``
        (row 0 is the init box), (N,) scores (1 on frame 0, the LaSOT
        convention) and the seconds spent in ``model.test_step``.
    """
    init_xyxy = xywh_to_xyxy(np.asarray(init_xywh, np.float64)[None])[0]
    length = max(source.num_frames, 1)
    boxes, scores, seconds = [], [], 0.0
    first_shape = None
    for frame_id, (where, image) in enumerate(source):
        if first_shape is not None and image.shape != first_shape:
            raise ValueError(f'{where}: frame of {image.shape[1]}x'
                             f'{image.shape[0]} after frames of '
                             f'{first_shape[1]}x{first_shape[0]}')
        first_shape = image.shape
        packed = pack_frame(pipeline, image, frame_id, length, init_xyxy)
        box, score, step = run_frame(model, packed)
        seconds += step
        memo = getattr(model, 'memo', None)
        if frame_id == 0:
            box, score, absent = init_xyxy, 1.0, False
        else:
            flag = memo_absent(memo)
            absent = bool(flag) or (absent_thr is not None
                                    and score < absent_thr)
        candidates = memo_candidates(memo) if show_candidates else None
        writer.write(
            draw_tracking_frame(image, box, score, absent, frame_id,
                                candidates, memo_tracklets(memo)))
        boxes.append(box)
        scores.append(score)
        on_frame()
    return xyxy_to_xywh(np.array(boxes)), np.array(scores), seconds


def main(argv: Optional[List[str]] = None) -> int:
    """Run the demo; return the process exit code."""
    args = parse_args(argv)
    if not args.out.lower().endswith('.mp4'):
        print(f'error: --out {args.out} must end with .mp4', file=sys.stderr)
        return 2
    if args.fps is not None and not 0 < args.fps < 1000:
        print(f'error: --fps {args.fps:g} is not a frame rate',
              file=sys.stderr)
        return 2
    folder, name, txt_path = output_paths(args.out)
    existing = [p for p in (args.out, txt_path) if osp.exists(p)]
    if existing and not args.overwrite:
        print(f'error: {", ".join(existing)} already exist(s); pass '
              '--overwrite to replace', file=sys.stderr)
        return 2
    try:
        resolve_device(args.device, '--device')
    except ValueError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    try:
        source = open_frames(args.input)
        _, first = next(iter(source))
        init_xywh = get_init_box(args, source, first)
    except ValueError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    try:
        model, pipeline = init_tracker(args.config, args.checkpoint,
                                       args.device, args.cfg_options)
    except (OSError, KeyError, TypeError, ValueError, RuntimeError) as err:
        print(f'error: cannot build the tracker: {type(err).__name__}: '
              f'{err}', file=sys.stderr)
        return 2
    absent_thr = args.absent_thr
    test_cfg = getattr(model, 'test_cfg', None)
    if absent_thr is None and hasattr(test_cfg, 'get'):
        absent_thr = test_cfg.get('absent_score_thr')

    os.makedirs(folder, exist_ok=True)
    update, close = make_progress(source.num_frames, not args.no_progress)
    start = time.perf_counter()
    try:
        with AtomicVideoWriter(args.out, args.fps or source.fps or 30.0,
                               (first.shape[1], first.shape[0])) as writer:
            boxes, scores, model_seconds = annotate(
                model, pipeline, source, init_xywh, writer, absent_thr,
                args.show_candidates, update)
            close()
            # The txt marks a finished run, so the video is moved first.
            writer.commit()
            write_result_files(folder, name, boxes, scores)
    except (OSError, ValueError) as err:
        close()
        print(f'error: {err}', file=sys.stderr)
        return 2
    wall = time.perf_counter() - start
    num = len(boxes)
    if source.frame_paths is None and num < source.num_frames:
        # The container's count is an estimate, but a large gap usually
        # means a damaged file.
        print(f'warning: decoded {num} of the {source.num_frames} frames '
              f'{args.input} reports', file=sys.stderr)
    print(f'tracked {num} frames in {wall:.1f} s: '
          f'{num / max(model_seconds, 1e-9):.1f} fps (tracker), '
          f'{num / max(wall, 1e-9):.1f} fps (with decoding, drawing and '
          f'writing)\nvideo: {args.out}\nresults: {txt_path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
