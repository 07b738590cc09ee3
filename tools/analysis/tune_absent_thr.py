"""Pick the tracker's absence threshold on a validation set.

Example::

    python tools/track.py CONFIG CKPT --data-root data/lasot_val \
        --format lasot --out work_dirs/val_results
    python tools/analysis/tune_absent_thr.py --data-root data/lasot_val \
        --format lasot --results work_dirs/val_results \
        [--metric lt_fscore|oxuva_maxgm|antiuav_sa] [--json OUT]

Reads ``R/<video>.txt`` and ``R/<video>_confidence.txt`` (what
``tools/track.py`` writes; best from a run without ``absent_score_thr``,
whose 'position' strategy would otherwise follow other boxes), sweeps the
absence threshold over the observed confidences, and prints the long-term
metrics at the best threshold next to never reporting absence (threshold
-inf). The printed threshold is the value for
``model.test_cfg.absent_score_thr``. The maths are
``mmtrack_smallobj.evaluation.functional.tune_absent_threshold``. Bad input
(a missing results or confidence file, a bad line) stops with exit code 2
and names the file.
"""
import argparse
import math
import sys
from typing import List, Optional

from mmtrack_smallobj.evaluation.functional import (ABSENCE_METRICS,
                                                    CONVENTIONS,
                                                    AbsenceTuning,
                                                    EvaluationInputError,
                                                    format_absence_table,
                                                    load_long_term_frames,
                                                    tune_absent_threshold,
                                                    write_strict_json)
from mmtrack_smallobj.utils.tool_args import add_ground_truth_args


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Choose test_cfg.absent_score_thr on a validation set '
        'from per-frame confidences.')
    add_ground_truth_args(parser)
    parser.add_argument(
        '--results', required=True,
        help='folder of <video>.txt and <video>_confidence.txt')
    parser.add_argument(
        '--metric', default='lt_fscore', choices=ABSENCE_METRICS,
        help='what to maximise (default: lt_fscore, the VOT long-term F at '
        'the threshold)')
    parser.add_argument(
        '--convention', default='mmtrack', choices=CONVENTIONS,
        help="whose IoU rules (default: mmtrack, as tools/eval_results.py)")
    parser.add_argument(
        '--max-thresholds', type=int, default=2000, metavar='N',
        help='try at most N of the observed confidences (default: 2000)')
    parser.add_argument('--json', metavar='OUT', help='write the result here')
    args = parser.parse_args(argv)
    if args.max_thresholds < 1:
        parser.error('--max-thresholds must be >= 1')
    return args


def advice(result: AbsenceTuning) -> str:
    """What to put in the config, in words."""
    if result.threshold == -math.inf:
        return ('never reporting absence is best on these videos: leave '
                'model.test_cfg.absent_score_thr=None')
    if result.threshold == math.inf:
        return ('reporting absence on every frame is best on these videos: '
                'the confidences do not tell present from absent frames')
    return (f'set model.test_cfg.absent_score_thr={result.threshold!r} '
            f'(--cfg-options model.test_cfg.absent_score_thr='
            f'{result.threshold!r})')


def main(argv: Optional[List[str]] = None) -> int:
    """Tune, print the comparison, optionally write JSON; the exit code."""
    args = parse_args(argv)
    try:
        frames = load_long_term_frames(args.data_root, args.format,
                                       args.results, args.convention)
        result = tune_absent_threshold(*frames.args(), metric=args.metric,
                                       max_thresholds=args.max_thresholds)
    except (EvaluationInputError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    print(f'{len(frames.names)} videos, {frames.num_frames} frames '
          f'({frames.num_absent} without the target), '
          f'{len(result.thresholds) - 2} thresholds tried, by '
          f'{args.metric}:\n')
    print(format_absence_table(
        {'tuned': result.tuned, 'never absent': result.never_absent},
        {'tuned': result.threshold, 'never absent': -math.inf}))
    print(f'\n{args.metric}: {result.tuned[args.metric]:.2f} at threshold '
          f'{result.threshold!r}, {result.never_absent[args.metric]:.2f} '
          'never absent')
    print(advice(result))
    if args.json:
        summary = dict(
            metric=args.metric, threshold=result.threshold,
            tuned=result.tuned, never_absent=result.never_absent,
            num_videos=len(frames.names), num_frames=frames.num_frames,
            num_absent_frames=frames.num_absent, data_root=args.data_root,
            format=args.format, results=args.results,
            convention=args.convention)
        try:
            write_strict_json(args.json, summary)
        except OSError as err:
            print(f'error: cannot write {args.json}: {err}', file=sys.stderr)
            return 2
        print(f'written to {args.json}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
