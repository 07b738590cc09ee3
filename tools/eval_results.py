"""Evaluate SOT result files against a LaSOT- or GOT-10k-layout benchmark.

Example::

    python tools/eval_results.py --data-root data/LaSOT --format lasot \
        --results work_dirs/results --convention lasot \
        --json work_dirs/metrics.json --plots work_dirs/plots

``--results`` holds ``<video>.txt`` (one ``x,y,w,h`` per frame; comma, tab or
space separated) and optionally ``<video>_confidence.txt``. See
docs/evaluation.md for what each convention does.
"""
import argparse
import sys
from typing import List, Optional

from mmtrack_smallobj.evaluation.functional import (CONVENTIONS,
                                                    EvaluationInputError,
                                                    evaluate_results,
                                                    format_metrics_table,
                                                    write_strict_json)
from mmtrack_smallobj.utils.tool_args import add_ground_truth_args


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Evaluate single-object tracking results (OPE, AO/SR, '
        'point accuracy, per-size bins, long-term metrics, where the '
        'overlap is lost).')
    add_ground_truth_args(parser, size_bins=True)
    parser.add_argument(
        '--results', required=True, help='folder of <video>.txt files')
    parser.add_argument(
        '--convention', default='mmtrack', choices=CONVENTIONS,
        help='whose rules to reproduce (default: mmtrack)')
    parser.add_argument('--json', help='write the metrics dict here')
    parser.add_argument('--plots', help='write PNG plots into this folder')
    parser.add_argument(
        '--only-eval-visible', action='store_true',
        help='mmtrack convention: invisible frames are misses, as in '
        "mmtrack's LaSOT config (SOTMetric only_eval_visible=True)")
    parser.add_argument(
        '--presence-threshold', type=float, default=0.5,
        help='confidence meaning "target present" for OxUvA and Anti-UAV '
        '(default: 0.5)')
    parser.add_argument(
        '--missing-as-failure', action='store_true',
        help='score a video without a results file as failed on every frame '
        'instead of stopping with an error')
    parser.add_argument(
        '--bad-lines-as-failure', action='store_true',
        help='score unreadable, missing or extra result lines as failed '
        'frames instead of stopping with an error')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the evaluation; return the process exit code."""
    args = parse_args(argv)
    try:
        metrics = evaluate_results(
            args.data_root,
            args.format,
            args.results,
            convention=args.convention,
            missing_as_failure=args.missing_as_failure,
            lenient=args.bad_lines_as_failure,
            only_eval_visible=args.only_eval_visible,
            size_edges=args.size_bins,
            presence_threshold=args.presence_threshold)
    except (EvaluationInputError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    print(format_metrics_table(metrics))
    if args.json:
        write_strict_json(args.json, metrics)
        print(f'\nmetrics written to {args.json}')
    if args.plots:
        from mmtrack_smallobj.visualization import plot_all
        for path in plot_all(metrics, args.plots):
            print(f'plot written to {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
