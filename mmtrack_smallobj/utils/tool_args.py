"""Command-line arguments that the evaluation tools share, spelled once so
that every tool names the ground truth and the size bins the same way."""
import argparse

from ..evaluation.functional import DATASET_FORMATS, DEFAULT_SIZE_EDGES

__all__ = ['add_ground_truth_args']


def add_ground_truth_args(parser: argparse.ArgumentParser,
                          size_bins: bool = False) -> None:
    """Add ``--data-root`` and ``--format`` (required) and, with
    ``size_bins``, ``--size-bins`` (the inner edges on ``sqrt(w*h)``).

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
        size_bins (bool): Also add ``--size-bins``. Defaults to False.
    """
    parser.add_argument('--data-root', required=True, help='benchmark root')
    parser.add_argument(
        '--format', required=True, choices=DATASET_FORMATS,
        help='benchmark layout')
    if size_bins:
        parser.add_argument(
            '--size-bins', type=float, nargs='+',
            default=list(DEFAULT_SIZE_EDGES), metavar='EDGE',
            help='inner edges of the size bins on sqrt(w*h) in pixels '
            '(default: 8 16 32 64 128)')
