"""Object-size bins: which frames a per-size breakdown is computed over.

The size of a frame is ``sqrt(w * h)`` of its ground-truth box in pixels, so
a bin mixes neither aspect ratios nor videos: a video whose target shrinks
from 40 to 6 pixels contributes to three bins. Frames without a valid
ground-truth box have no size and are in no bin.
"""
from typing import List, Sequence

import numpy as np

__all__ = ['DEFAULT_SIZE_EDGES', 'check_size_edges', 'size_bin_labels',
           'assign_size_bins']

# <8, 8-16, 16-32, 32-64, 64-128, >=128 pixels
DEFAULT_SIZE_EDGES = (8.0, 16.0, 32.0, 64.0, 128.0)


def check_size_edges(edges: Sequence[float]) -> np.ndarray:
    """Validate bin edges: finite, positive, strictly increasing.

    Args:
        edges (Sequence[float]): Inner edges; ``k`` edges give ``k + 1``
            bins.

    Returns:
        np.ndarray: The edges as a float array.
    """
    arr = np.asarray(list(edges), np.float64)
    if arr.ndim != 1 or len(arr) == 0:
        raise ValueError(f'size bin edges must be a non-empty list, got '
                         f'{edges!r}')
    if not np.isfinite(arr).all() or (arr <= 0).any() or (np.diff(arr) <=
                                                           0).any():
        raise ValueError('size bin edges must be finite, positive and '
                         f'strictly increasing, got {list(edges)!r}')
    return arr


def _fmt(value: float) -> str:
    """Format an edge without a trailing '.0'."""
    return f'{value:g}'


def size_bin_labels(edges: Sequence[float] = DEFAULT_SIZE_EDGES) -> List[str]:
    """Human-readable bin names, e.g. ``['<8', '8-16', ..., '>=128']``.

    Args:
        edges (Sequence[float]): Inner edges.

    Returns:
        list[str]: ``len(edges) + 1`` labels; a bin includes its lower edge.
    """
    arr = check_size_edges(edges)
    labels = [f'<{_fmt(arr[0])}']
    labels += [f'{_fmt(lo)}-{_fmt(hi)}' for lo, hi in zip(arr[:-1], arr[1:])]
    labels.append(f'>={_fmt(arr[-1])}')
    return labels


def assign_size_bins(sizes: np.ndarray,
                     edges: Sequence[float] = DEFAULT_SIZE_EDGES
                     ) -> np.ndarray:
    """Bin index of each size; -1 for NaN (no valid ground truth).

    Args:
        sizes (np.ndarray): (N,) object sizes in pixels.
        edges (Sequence[float]): Inner edges.

    Returns:
        np.ndarray: (N,) int bin indices in ``[-1, len(edges)]``.
    """
    arr = check_size_edges(edges)
    sizes = np.asarray(sizes, np.float64)
    bins = np.searchsorted(arr, sizes, side='right')
    bins[np.isnan(sizes)] = -1
    return bins
