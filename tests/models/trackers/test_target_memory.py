"""The target's and its look-alikes' embedding banks."""
import numpy as np
import pytest

from mmtrack_smallobj.models.trackers.target_memory import TargetMemory

E = np.eye(4, dtype=np.float32)


def test_similarity_is_the_better_of_first_and_recent():
    memory = TargetMemory(2 * E[0])  # normalised on the way in
    np.testing.assert_allclose(memory.first, E[0])
    memory.remember(E[1], recent=E[1], others=np.zeros((0, 4)))
    np.testing.assert_allclose(memory.similarity(E[:3]), [1, 1, 0])


def test_contrast_without_and_with_lookalikes():
    memory = TargetMemory(E[0])
    # No look-alike known yet: the best similarity to a positive, plus 1.
    np.testing.assert_allclose(memory.contrast(E[:2]), [2, 1])
    lookalike = np.array([0.8, 0.6, 0, 0], dtype=np.float32)
    memory.remember(E[0], recent=E[0], others=lookalike[None])
    # A look-alike seen while the target was tracked scores against itself.
    np.testing.assert_allclose(
        memory.contrast(np.stack([E[0], lookalike])), [1 - 0.8, 0.8 - 1],
        atol=1e-6)


def test_banks_are_capped_and_keep_the_first_view():
    memory = TargetMemory(E[0], bank_size=3)
    for step in range(5):
        view = np.full(4, float(step), dtype=np.float32)
        memory.remember(view, recent=E[0], others=np.stack([view, view]))
    assert len(memory.positives) == 3 and len(memory.negatives) == 3
    np.testing.assert_allclose(memory.positives[0], E[0])
    np.testing.assert_allclose(memory.positives[1:, 0], [3, 4])
    np.testing.assert_allclose(memory.negatives[:, 0], [3, 4, 4])
    single = TargetMemory(E[0], bank_size=1)
    single.remember(E[1], recent=E[1], others=E[2:])
    np.testing.assert_allclose(single.positives, E[:1])


@pytest.mark.parametrize('bank_size', [0, 2.0, True])
def test_bank_size_must_be_a_positive_integer(bank_size):
    with pytest.raises(ValueError, match='^bank_size must be an integer >= 1, '
                       f'got {bank_size}$'):
        TargetMemory(E[0], bank_size=bank_size)


def test_without_banks_only_the_recent_view_is_kept():
    memory = TargetMemory(E[0], bank_size=None)
    assert not memory.keeps_banks
    memory.remember(E[1], recent=E[1], others=E[2:])
    np.testing.assert_allclose(memory.positives, E[:1])
    assert len(memory.negatives) == 0
    np.testing.assert_allclose(memory.similarity(E[1:2]), [1])
