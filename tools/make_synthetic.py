"""Generate a synthetic small-object long-term tracking data set.

Example::

    python tools/make_synthetic.py data/synthetic_lasot --videos 8 \
        --frames 100 --seed 0 --format lasot --split test

See docs/synthetic_data.md for the layouts and every option.
"""
import argparse
import sys
from typing import List, Optional, Tuple

from mmtrack_smallobj.datasets.synthetic import (FORMATS, SPLITS,
                                                 generate_dataset,
                                                 parse_size_bins)


def _pair(text: str, sep: str, kind: type) -> Tuple:
    """Parse 'AxB' style pairs for argparse."""
    try:
        first, second = text.lower().split(sep)
        return kind(first), kind(second)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'expected two values separated by {sep!r}, got {text!r}'
        ) from None


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Generate synthetic small-object long-term tracking '
        'videos in LaSOT, GOT-10k or MOTChallenge layout.')
    parser.add_argument('out', help='output folder (absent or empty)')
    parser.add_argument('--videos', type=int, default=8, help='videos')
    parser.add_argument('--frames', type=int, default=100,
                        help='frames per video')
    parser.add_argument('--seed', type=int, default=0, help='base seed')
    parser.add_argument('--format', choices=sorted(FORMATS), default='lasot',
                        help='on-disk layout')
    parser.add_argument('--split', choices=SPLITS, default='train',
                        help='split named in the info files')
    parser.add_argument('--frame-size', type=lambda s: _pair(s, 'x', int),
                        default=(320, 240), metavar='WxH',
                        help='frame size (default 320x240)')
    parser.add_argument('--size-range', type=lambda s: _pair(s, ',', float),
                        default=(4.0, 100.0), metavar='MIN,MAX',
                        help='base target size sqrt(w*h) range in pixels')
    parser.add_argument('--size-distribution',
                        choices=('log-uniform', 'uniform'),
                        default='log-uniform',
                        help='law over --size-range (ignored with '
                        '--size-bins)')
    parser.add_argument('--size-bins', default=None,
                        metavar='MIN-MAX:W,...',
                        help='weighted log-uniform size bins inside '
                        '--size-range, e.g. "4-64:0.1,64-100:0.9"')
    parser.add_argument('--size-change', type=float, default=0.2,
                        help='largest relative size change in a video')
    parser.add_argument('--distractors', type=int, default=3,
                        help='same-looking distractors per video')
    parser.add_argument('--occlusion-rate', type=float, default=0.5,
                        help='full-occlusion events per 100 frames')
    parser.add_argument('--out-of-view-rate', type=float, default=0.5,
                        help='out-of-view events per 100 frames')
    parser.add_argument('--absence-length', type=lambda s: _pair(s, ',', int),
                        default=(5, 25), metavar='MIN,MAX',
                        help='absence span range in frames')
    parser.add_argument('--camera-motion', type=float, default=1.0,
                        help='camera drift scale (0 = still camera)')
    parser.add_argument('--jpeg-quality', type=int, default=90)
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a non-empty output folder')
    parser.add_argument('--no-progress', action='store_true',
                        help='hide the progress bar')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the generator; return the process exit status."""
    args = parse_args(argv)
    try:
        size_distribution = (parse_size_bins(args.size_bins)
                             if args.size_bins else args.size_distribution)
        summary = generate_dataset(
            args.out,
            fmt=args.format,
            num_videos=args.videos,
            num_frames=args.frames,
            seed=args.seed,
            frame_size=args.frame_size,
            size_range=args.size_range,
            size_distribution=size_distribution,
            size_change=args.size_change,
            num_distractors=args.distractors,
            occlusion_rate=args.occlusion_rate,
            out_of_view_rate=args.out_of_view_rate,
            absence_length=args.absence_length,
            camera_motion=args.camera_motion,
            split=args.split,
            jpeg_quality=args.jpeg_quality,
            overwrite=args.overwrite,
            progress=not args.no_progress)
    except (ValueError, FileExistsError) as err:
        print(f'make_synthetic: error: {err}', file=sys.stderr)
        return 2
    print(f'wrote {len(summary.videos)} {summary.fmt} videos to '
          f'{summary.out_dir} in {summary.seconds:.1f} s '
          f'(index: {summary.ann_file})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
