"""What the target looks like, and what its look-alikes look like, over one
video.

After a disappearance the target is re-acquired by appearance wherever it
comes back. Our look-alikes are near copies of it (the same shape and
texture, recoloured by a few hue steps), so within a video a candidate's
cosine similarity to the target's embedding says little on its own: on the
synthetic benchmark the look-alikes average about 0.8, and the target's own
similarity to its first-frame embedding ranges from 0.45 to 0.9 between
videos, so no single threshold separates them. While the target is tracked,
though, every other candidate in the frame is known not to be it. Keeping
those as negatives and the target's matched embeddings as positives turns
re-acquisition into a comparison made inside the video: is the candidate
closer to the target's past than to any look-alike seen so far?
"""
from typing import Optional

import numpy as np

from ...utils.config_checks import check_number
from .tracklet_table import normalise


def _append_capped(bank: np.ndarray, rows: np.ndarray,
                   size: int) -> np.ndarray:
    """``bank`` with ``rows`` added last, keeping the newest ``size``."""
    bank = np.concatenate([bank, rows])
    return bank[max(len(bank) - size, 0):]


class TargetMemory:
    """The target's embeddings and its look-alikes', for one video.

    Attributes:
        first (np.ndarray): (D,) the first-frame embedding.
        recent (np.ndarray): (D,) the target tracklet's EMA embedding when
            it was last matched.
        views (np.ndarray): (V, D) the latest matched embeddings, at most
            ``bank_size - 1`` (the first view fills the last place).
        negatives (np.ndarray): (Q, D) embeddings of other candidates of
            frames where the target was matched, at most ``bank_size``
            (the oldest go first).

    Args:
        first (np.ndarray): (D,) the first-frame embedding (normalised here).
        bank_size (int, optional): Most embeddings kept per bank; None keeps
            no banks (only the first view is a positive), for trackers that
            never ask for :meth:`contrast`.
    """

    def __init__(self,
                 first: np.ndarray,
                 bank_size: Optional[int] = 300) -> None:
        if bank_size is not None:
            # An integer: it caps the banks by slicing.
            check_number('bank_size', bank_size, 1, integer=True)
        self.first = normalise(np.asarray(first)).astype(np.float32)
        self.recent = self.first.copy()
        self.views = np.zeros((0, self.first.size), dtype=np.float32)
        self.negatives = self.views.copy()
        self.bank_size = bank_size

    @property
    def keeps_banks(self) -> bool:
        """Whether :meth:`remember` fills the banks."""
        return self.bank_size is not None

    @property
    def positives(self) -> np.ndarray:
        """(P, D) the first view, then the latest matched ones: at most
        ``bank_size``."""
        return np.concatenate([self.first[None], self.views])

    def similarity(self, embeddings: np.ndarray) -> np.ndarray:
        """(N,) cosine similarity of unit embeddings to the target: the
        better of the first-frame and the recent embedding."""
        return np.maximum(embeddings @ self.first, embeddings @ self.recent)

    def contrast(self, embeddings: np.ndarray) -> np.ndarray:
        """(N,) how much more a candidate looks like the target than like
        any look-alike: the best similarity to a positive minus the best to
        a negative (-1 while no negative is known), in ``[-2, 2]``."""
        best_pos = (embeddings @ self.positives.T).max(axis=1)
        if len(self.negatives) == 0:
            return best_pos + 1
        return best_pos - (embeddings @ self.negatives.T).max(axis=1)

    def remember(self, matched: np.ndarray, recent: np.ndarray,
                 others: np.ndarray) -> None:
        """Add a frame where the target was matched.

        Args:
            matched (np.ndarray): (D,) the embedding of the target's
                candidate this frame.
            recent (np.ndarray): (D,) the target tracklet's EMA.
            others (np.ndarray): (K, D) embeddings of the frame's candidates
                that are not the target (K may be 0).
        """
        self.recent = np.asarray(recent, dtype=np.float32).copy()
        if not self.keeps_banks:
            return
        dim = self.first.size
        # The first view is not in the bank: it always stays a positive.
        self.views = _append_capped(
            self.views,
            np.asarray(matched, np.float32).reshape(1, dim),
            self.bank_size - 1)
        self.negatives = _append_capped(
            self.negatives,
            np.asarray(others, np.float32).reshape(-1, dim), self.bank_size)
