"""Split a global-search tracker's misses into detection and selection.

Example::

    python tools/track.py CONFIG CKPT --data-root data/lasot_val \
        --format lasot --out work_dirs/val_results --save-candidates
    python tools/analysis/candidate_recall.py --data-root data/lasot_val \
        --format lasot --results work_dirs/val_results \
        [--top-k 1 5 10 30] [--json OUT]

Reads ``R/<video>.txt`` (the reported boxes) and
``R/<video>_candidates.npz`` (every frame's ranked candidates), and prints,
over the visible frames after the first, the share where the reported box's
centre is on the target ('chosen') and where one of the k best candidates'
is ('recall@k'), overall, per size bin and, when the videos have
``cover.label``, per visibility bin. Above the tables: the point accuracy
(lasot convention), its ceiling with these candidates (that of a tracker
that always picked a right candidate when there was one) and that of a
perfect tracker (every visible frame right). A frame missed
with the target among the candidates is a ranking problem; one without is a
detection problem. The maths are
``mmtrack_smallobj.evaluation.functional.candidate_recall``. Bad input (a
missing results or candidates file, a frame count that differs from the
ground truth) stops with exit code 2 and names the file.
"""
import argparse
import sys
from typing import List, Optional

from mmtrack_smallobj.evaluation.functional import (
    CandidateVideo, attach_results, candidate_file_path, candidate_recall,
    format_candidate_recall_table, load_annotations, read_candidate_file,
    write_strict_json)
from mmtrack_smallobj.utils.tool_args import add_ground_truth_args


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Recall of the target among a tracker\'s candidates, '
        'and the point accuracy a perfect ranking would reach.')
    add_ground_truth_args(parser, size_bins=True)
    parser.add_argument(
        '--results', required=True,
        help='folder of <video>.txt and <video>_candidates.npz '
        '(tools/track.py --save-candidates)')
    parser.add_argument(
        '--top-k', type=int, nargs='+', default=[1, 5, 10, 30], metavar='K',
        help='the k of each recall@k column (default: 1 5 10 30)')
    parser.add_argument('--json', metavar='OUT', help='write the result here')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Print the tables (and write the JSON); return the exit code."""
    args = parse_args(argv)
    if min(args.top_k) < 1:
        print(f'error: --top-k must be >= 1, got {args.top_k}',
              file=sys.stderr)
        return 2
    try:
        annotations = load_annotations(args.data_root, args.format)
        tracked = attach_results(annotations, args.results)
        # The tracked VideoData as it is (its sources name the files in
        # messages), with the candidates beside it.
        videos = [
            CandidateVideo(
                **vars(video),
                candidates=read_candidate_file(
                    candidate_file_path(args.results, video.name),
                    len(video.gt_bboxes)))
            for video in tracked
        ]
        recall = candidate_recall(videos, args.top_k, args.size_bins)
    except ValueError as err:
        # EvaluationInputError (a file and line), or size edges that are
        # not increasing.
        print(f'error: {err}', file=sys.stderr)
        return 2
    print(format_candidate_recall_table(recall))
    if args.json:
        write_strict_json(args.json, recall)
        print(f'written to {args.json}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
