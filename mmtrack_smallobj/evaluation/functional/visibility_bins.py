"""Visibility bins: a per-visibility breakdown over GOT-10k cover levels.

GOT-10k's ``cover.label`` gives each frame the shown fraction of the target
as a level: 0 is absent, 1 to 7 are (0, 15 %], (15, 30 %], ... (75, 90 %],
(90, 100 %), and 8 is fully visible. The synthetic generator writes the same
file into its LaSOT-layout videos too (real LaSOT has no such file). A
tracker that searches the whole frame loses a partly hidden target more
often than a visible one, and the overall numbers cannot show it: the bins
group the levels into five visibility ranges.
"""
from typing import List, Optional

import numpy as np

__all__ = [
    'COVER_BIN_LABELS', 'MAX_COVER_LEVEL', 'assign_cover_bins',
    'first_invalid_cover_level'
]

MAX_COVER_LEVEL = 8
# Shown percentage of the target per bin, most hidden first.
COVER_BIN_LABELS: List[str] = ['0-30', '30-60', '60-90', '90-100', '100']
# Bin index of each cover level 0..8; level 0 (absent) is in no bin.
_LEVEL_TO_BIN = np.array([-1, 0, 0, 1, 1, 2, 2, 3, 4])


def first_invalid_cover_level(cover: np.ndarray) -> Optional[int]:
    """Index of the first level that is not an integer in 0..8, or None.

    Args:
        cover (np.ndarray): (N,) cover levels.

    Returns:
        int, optional: The frame index, None when every level is valid.
    """
    levels = np.asarray(cover)
    bad = (levels < 0) | (levels > MAX_COVER_LEVEL) | (levels != np.round(
        levels))
    return int(np.flatnonzero(bad)[0]) if bad.any() else None


def assign_cover_bins(cover: np.ndarray) -> np.ndarray:
    """Visibility bin index of each frame; -1 for an absent one (level 0).

    Args:
        cover (np.ndarray): (N,) integer GOT-10k cover levels in 0..8.

    Returns:
        np.ndarray: (N,) int bin indices into :data:`COVER_BIN_LABELS`.

    Raises:
        ValueError: A level outside 0..8 (the message gives the first).
    """
    levels = np.asarray(cover)
    i = first_invalid_cover_level(levels)
    if i is not None:
        raise ValueError(f'cover level {levels[i]!r} at frame {i} is not an '
                         f'integer in 0..{MAX_COVER_LEVEL}')
    return _LEVEL_TO_BIN[levels.astype(np.int64)]
