"""Compare several trackers' result folders on one benchmark: curves, bars
per object-size bin and per visibility bin, a per-video table, and a
markdown report.

Example::

    python tools/analysis/plot_results.py --data-root data/LaSOT \
        --format lasot --results ours=work_dirs/gs/results \
        siamrpn=work_dirs/siamrpn/results --convention lasot \
        --out-dir work_dirs/compare

Writes ``OUT/curves.png`` (success and precision curves of every tracker),
``OUT/size_bins.png`` (success and point accuracy per size bin and
tracker), when every video has GOT-10k cover levels
``OUT/visibility_bins.png`` (the same per visibility bin), and
``OUT/report.md`` (overall, per-bin and per-video tables, with the PNGs
embedded). The numbers are those of ``tools/eval_results.py``:
every tracker is scored with the evaluation toolkit against the same
ground truth. Every folder is checked before anything is written; a
folder that does not match the benchmark stops with exit code 2 and a
message naming the tracker and the file.
"""
import argparse
import os.path as osp
import sys
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

from mmtrack_smallobj.evaluation.functional import (CONVENTIONS,
                                                    EvaluationInputError,
                                                    attach_results,
                                                    evaluate_videos,
                                                    load_annotations)
from mmtrack_smallobj.utils.tool_args import add_ground_truth_args


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Plot and tabulate several trackers\' results on one '
        'benchmark (success/precision curves, per-size bins, per video).')
    add_ground_truth_args(parser, size_bins=True)
    parser.add_argument(
        '--results', required=True, nargs='+', metavar='NAME=DIR',
        help='a tracker name and its folder of <video>.txt files; repeat '
        'for every tracker (shown in this order)')
    parser.add_argument(
        '--out-dir', required=True, help='folder for the PNGs and report.md')
    parser.add_argument(
        '--convention', default='mmtrack', choices=CONVENTIONS,
        help='whose rules to reproduce (default: mmtrack)')
    parser.add_argument(
        '--missing-as-failure', action='store_true',
        help='score a video without a results file as failed on every frame '
        'instead of stopping with an error')
    return parser.parse_args(argv)


def parse_results(pairs: Sequence[str]) -> Dict[str, str]:
    """``['a=dir1', 'b=dir2']`` -> ``{'a': 'dir1', 'b': 'dir2'}``, in order.

    Args:
        pairs (Sequence[str]): The ``--results`` values.

    Returns:
        dict[str, str]: Tracker name -> folder.

    Raises:
        ValueError: A pair without '=', an empty name or folder, or a name
            given twice.
    """
    results: Dict[str, str] = OrderedDict()
    for pair in pairs:
        name, sep, folder = pair.partition('=')
        if not sep or not name.strip() or not folder:
            raise ValueError(f'--results {pair!r}: expected NAME=DIR')
        name = name.strip()
        if name in results:
            raise ValueError(f'--results: tracker name {name!r} given twice')
        results[name] = folder
    return results


def evaluate_trackers(data_root: str, dataset_format: str,
                      results: Dict[str, str], convention: str,
                      size_edges: Sequence[float],
                      missing_as_failure: bool) -> Dict[str, Dict]:
    """Score every results folder against the benchmark (read once).

    Args:
        data_root (str): Benchmark root.
        dataset_format (str): 'lasot' or 'got10k'.
        results (dict[str, str]): Tracker name -> results folder.
        convention (str): See ``evaluate_videos``.
        size_edges (Sequence[float]): Inner edges of the size bins.
        missing_as_failure (bool): Score a video without results as failed
            instead of raising.

    Returns:
        dict[str, dict]: Per tracker, the ``evaluate_videos`` dict.

    Raises:
        EvaluationInputError: Bad ground truth, or a results folder that is
            missing, lacks a video or has a wrong line count; the message
            names the tracker.
    """
    annotations = load_annotations(
        data_root, dataset_format, need_image_size=convention == 'got10k')
    metrics: Dict[str, Dict] = OrderedDict()
    for name, folder in results.items():
        try:
            videos = attach_results(annotations, folder, missing_as_failure)
        except EvaluationInputError as err:
            where = err.path if err.line is None else (
                f'{err.path}, line {err.line}')
            message = str(err)[len(where) + 2:]  # after 'where: '
            raise EvaluationInputError(err.path, f'tracker {name}: {message}',
                                       err.line) from None
        metrics[name] = evaluate_videos(
            videos, convention=convention, size_edges=size_edges)
    return metrics


def main(argv: Optional[List[str]] = None) -> int:
    """Evaluate, plot and report; return the process exit code."""
    args = parse_args(argv)
    try:
        results = parse_results(args.results)
        metrics = evaluate_trackers(args.data_root, args.format, results,
                                    args.convention, args.size_bins,
                                    args.missing_as_failure)
    except (EvaluationInputError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    # Imported here: matplotlib is not needed to report bad input.
    from mmtrack_smallobj.visualization import write_comparison_report
    description = [
        f'data: `{args.data_root}` ({args.format}, '
        f'{len(next(iter(metrics.values()))["per_video"])} videos)',
        f'convention: {args.convention}'
    ] + [f'{name}: `{osp.abspath(d)}`' for name, d in results.items()]
    for path in write_comparison_report(metrics, args.out_dir, description):
        print(f'written: {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
