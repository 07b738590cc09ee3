"""Per-frame tracking time of our global-search tracker against SiamRPN++.

Tracks one synthetic 735x512 video (a textured background and a moving
small target, fixed seed) with

* (a) our CPU default config, at test ``short_side`` 512 so the whole
  735x512 frame is searched (padded to 736x512),
* (b) mmtrack's SiamRPN++ ResNet-50 (its LaSOT test config, random weights),
  which searches a local 255x255 crop,

both on CPU in the same process, frame by frame in alternating order, so a
busy machine slows both alike. Each model is initialised on frame 0 (not
timed), runs ``--warmup`` untimed frames, then ``--frames`` timed ones; a
frame's time is ``model.test_step`` (normalisation, forward, post-processing)
as ``tools/track.py`` runs it, without image decoding. Prints the median,
min and max ms per frame and the ratio ours / SiamRPN++.

(c) With ``--gpu-config`` (by default the DLA-34+FPN config, if present)
that model is timed the same way on ``--device`` (CUDA when available).

Example::

    python tools/benchmarks/bench_global_search_speed.py --frames 20
"""
import argparse
import os.path as osp
import statistics
import sys
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch
from mmengine.logging import MMLogger
from torch import nn

from mmtrack_smallobj.apis import init_tracker, pack_frame, run_frame

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
OURS = osp.join(ROOT, 'configs', 'global_search',
                'global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py')
SIAMRPN = ('mmtrack::sot/siamese_rpn/siamese-rpn_r50_8xb28-20e_imagenetvid-'
           'imagenetdet-coco_test-lasot.py')
GPU_CONFIG = osp.join(
    ROOT, 'configs', 'global_search',
    'global-search_dla34-fpn_8xb16-20e_got10k-lasot-trackingnet_base.py')


def make_video(num_frames: int, width: int, height: int, seed: int):
    """A moving 16x12 target on a smooth random background.

    Returns:
        tuple[list[np.ndarray], np.ndarray]: BGR uint8 frames and the (4,)
        first-frame box ``x1, y1, x2, y2``.
    """
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (height // 16, width // 16, 3), np.uint8)
    background = cv2.resize(coarse, (width, height),
                            interpolation=cv2.INTER_CUBIC)
    target = np.array([16, 12])
    path = np.cumsum(rng.normal(0, 4, (num_frames, 2)), axis=0)
    centres = np.clip(np.array([width, height]) / 2 + path, target,
                      np.array([width, height]) - target)
    frames = []
    for cx, cy in centres:
        frame = background.copy()
        x1, y1 = int(cx) - 8, int(cy) - 6
        frame[y1:y1 + 12, x1:x1 + 16] = (40, 40, 230)
        frames.append(frame)
    x1, y1 = centres[0].astype(int) - target // 2
    return frames, np.array([x1, y1, x1 + 16, y1 + 12], np.float64)


class Tracked:
    """One model and its packed frames, timed frame by frame.

    Args:
        name (str): Row label.
        model (nn.Module): From ``init_tracker``.
        packed (list[dict]): Every frame, packed by its test pipeline.
        warmup (int): Untimed frames after the first.
    """

    def __init__(self, name: str, model: nn.Module, packed: List[dict],
                 warmup: int) -> None:
        self.name = name
        self.model = model
        self.packed = packed
        self.warmup = warmup
        self.seconds: List[float] = []

    def step(self, frame_id: int) -> None:
        """Track frame ``frame_id``; keep its time past the warm-up."""
        _, _, seconds = run_frame(self.model, self.packed[frame_id])
        if frame_id > self.warmup:
            self.seconds.append(seconds)

    def summary(self) -> Dict[str, float]:
        """Median, min and max ms per timed frame."""
        ms = [s * 1e3 for s in self.seconds]
        return dict(median=statistics.median(ms), min=min(ms), max=max(ms))


def build(name: str, config: str, frames: Sequence[np.ndarray],
          init_box: np.ndarray, device: str, warmup: int,
          short_side: Optional[int] = None) -> Tracked:
    """Build a model with random weights and pack its frames."""
    torch.manual_seed(0)
    model, pipeline = init_tracker(config, None, device, short_side=short_side)
    packed = [
        pack_frame(pipeline, frame, i, len(frames), init_box)
        for i, frame in enumerate(frames)
    ]
    return Tracked(name, model, packed, warmup)


def run_interleaved(trackers: Sequence[Tracked], num_frames: int) -> None:
    """Track every frame with each model, alternating which goes first."""
    for frame_id in range(num_frames):
        order = trackers if frame_id % 2 == 0 else trackers[::-1]
        for tracker in order:
            tracker.step(frame_id)


def format_row(tracker: Tracked, where: str) -> str:
    """One result line."""
    s = tracker.summary()
    params = sum(p.numel() for p in tracker.model.parameters()) / 1e6
    return (f'{tracker.name:44s} {where:>5s} {params:7.2f}M '
            f'{s["median"]:9.1f} {s["min"]:8.1f} {s["max"]:8.1f}')


def main() -> int:
    """Run the benchmark; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--frames', type=int, default=50,
                        help='timed frames per model (default 50)')
    parser.add_argument('--warmup', type=int, default=3,
                        help='untimed frames after the first (default 3)')
    parser.add_argument('--width', type=int, default=735)
    parser.add_argument('--height', type=int, default=512)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--threads', type=int, default=2,
        help='torch intra-op threads; 0 leaves torch to choose (default 2)')
    parser.add_argument(
        '--gpu-config', default=GPU_CONFIG if osp.isfile(GPU_CONFIG) else None,
        help='also time this (GPU-sized) config on --device (default: the '
        'DLA-34+FPN config if present)')
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu',
        help='device of --gpu-config (default: cuda when available); the '
        'comparison (a) vs (b) always runs on CPU')
    parser.add_argument(
        '--max-ratio', type=float, default=None,
        help='exit 1 if ours / SiamRPN++ exceeds this')
    args = parser.parse_args()
    if args.frames < 1 or args.warmup < 0:
        print('error: need --frames >= 1 and --warmup >= 0', file=sys.stderr)
        return 2
    if args.gpu_config is not None and not osp.isfile(args.gpu_config):
        print(f'error: --gpu-config {args.gpu_config} not found',
              file=sys.stderr)
        return 2
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    MMLogger.get_current_instance().setLevel('ERROR')

    total = 1 + args.warmup + args.frames
    frames, init_box = make_video(total, args.width, args.height, args.seed)
    ours = build('(a) ours: CPU default, short_side 512', OURS, frames,
                 init_box, 'cpu', args.warmup, short_side=args.height)
    theirs = build('(b) SiamRPN++ R-50 (255x255 search)', SIAMRPN, frames,
                   init_box, 'cpu', args.warmup)
    print(f'{args.width}x{args.height} frames, {torch.get_num_threads()} CPU '
          f'thread(s), median of {args.frames} frames after frame 0 and '
          f'{args.warmup} warm-up, models interleaved')
    run_interleaved([ours, theirs], total)
    header = (f'{"model":44s} {"dev":>5s} {"params":>8s} {"median ms":>9s} '
              f'{"min":>8s} {"max":>8s}')
    print(header)
    print(format_row(ours, 'cpu'))
    print(format_row(theirs, 'cpu'))
    ratio = ours.summary()['median'] / theirs.summary()['median']
    print(f'ratio ours / SiamRPN++ (median ms per frame): {ratio:.2f}')

    if args.gpu_config is not None:
        gpu = build(f'(c) {osp.basename(args.gpu_config)[:40]}',
                    args.gpu_config, frames, init_box, args.device,
                    args.warmup)
        run_interleaved([gpu], total)
        print(format_row(gpu, args.device.split(':')[0]))
    else:
        print(f'(c) skipped: no GPU-sized config (looked for {GPU_CONFIG}; '
              'pass --gpu-config)')
    if args.max_ratio is not None and ratio > args.max_ratio:
        print(f'FAIL: ratio above --max-ratio {args.max_ratio}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
