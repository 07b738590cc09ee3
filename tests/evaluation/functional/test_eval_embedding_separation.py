"""Embedding separation: pair statistics, rank AUC and 2-D projection."""
import itertools
import sys

import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (embedding_separation,
                                                    format_separation_table,
                                                    pca_2d, project_2d,
                                                    rank_auc)


def _clusters(num_ids=4, per_id=5, dim=16, noise=0.05, seed=0):
    """Unit embeddings around one random centre per identity."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(num_ids, dim))
    labels = np.repeat(np.arange(num_ids), per_id)
    x = centres[labels] + noise * rng.normal(size=(len(labels), dim))
    return x / np.linalg.norm(x, axis=1, keepdims=True), labels


def _brute_auc(pos, neg):
    wins = [(p > n) + 0.5 * (p == n) for p in pos for n in neg]
    return float(np.mean(wins))


def test_rank_auc_golden_with_a_tie():
    # 0.9 beats both, 0.8 beats 0.1 and ties 0.8: 3.5 of 4.
    assert rank_auc([0.9, 0.8], [0.1, 0.8]) == pytest.approx(0.875)
    assert rank_auc([0.0, 0.1], [0.5, 0.6]) == 0.0
    assert rank_auc([0.3], [0.3]) == 0.5


def test_rank_auc_matches_all_pairs_on_tied_integers():
    rng = np.random.default_rng(1)
    pos, neg = rng.integers(0, 6, 40), rng.integers(0, 5, 55)
    assert rank_auc(pos, neg) == pytest.approx(_brute_auc(pos, neg))


@pytest.mark.parametrize('pos, neg', [([], [0.1]), ([0.1], []),
                                      ([np.nan], [0.1])])
def test_rank_auc_rejects_empty_or_nan(pos, neg):
    with pytest.raises(ValueError):
        rank_auc(pos, neg)


def test_separated_clusters_give_auc_near_one():
    x, labels = _clusters()
    result = embedding_separation(x, labels)
    assert result.num_embeddings == 20 and result.num_identities == 4
    assert result.same.count == 4 * 10  # C(5, 2) per identity
    assert result.different.count == 190 - 40
    assert result.same.mean > 0.95 > result.different.mean
    assert result.gap == pytest.approx(result.same.mean -
                                       result.different.mean)
    assert result.auc > 0.99
    assert result.different_same_group is None
    assert result.auc_same_group is None


def test_pair_statistics_against_explicit_pairs():
    x, labels = _clusters(num_ids=3, per_id=3, noise=0.5, seed=3)
    result = embedding_separation(x * 7.0, labels)  # scale is ignored
    same, diff = [], []
    for i, j in itertools.combinations(range(len(x)), 2):
        (same if labels[i] == labels[j] else diff).append(x[i] @ x[j])
    assert result.same.mean == pytest.approx(np.mean(same))
    assert result.same.std == pytest.approx(np.std(same))
    assert result.different.mean == pytest.approx(np.mean(diff))
    assert result.auc == pytest.approx(_brute_auc(same, diff))


def test_random_embeddings_give_auc_near_half():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 32))
    labels = rng.integers(0, 10, 300)
    result = embedding_separation(x, labels)
    assert abs(result.auc - 0.5) < 0.05
    assert abs(result.gap) < 0.02


def test_groups_give_within_video_statistics():
    # Video 0 holds identities 0 and 1, video 1 identities 2 and 3.
    x, labels = _clusters(num_ids=4, per_id=2)
    groups = labels // 2
    result = embedding_separation(x, labels, groups)
    # Per video: 2 x 2 pairs of its two identities.
    assert result.different_same_group.count == 2 * 4
    assert result.auc_same_group > 0.99
    one_id_per_video = embedding_separation(x, labels, labels)
    assert one_id_per_video.different_same_group is None


def test_a_single_identity_raises():
    x, _ = _clusters(num_ids=1, per_id=6)
    with pytest.raises(ValueError, match='at least 2 identities'):
        embedding_separation(x, np.zeros(6, int))


@pytest.mark.parametrize('change, message', [
    (lambda x, y: (x[:4], np.arange(4)), 'no identity has 2'),
    (lambda x, y: (np.where(np.arange(len(x))[:, None] == 2, 0.0, x), y),
     'embedding 2 is zero'),
    (lambda x, y: (x, y[:-1]), 'labels'),
])
def test_undefined_statistics_raise(change, message):
    x, labels = _clusters(num_ids=2, per_id=3)
    with pytest.raises(ValueError, match=message):
        embedding_separation(*change(x, labels))


def test_pca_keeps_distances_of_planar_points():
    rng = np.random.default_rng(0)
    plane = rng.normal(size=(12, 2)) * [3.0, 1.0]
    basis, _ = np.linalg.qr(rng.normal(size=(10, 2)))
    x = plane @ basis.T + rng.normal(size=10)  # rotated, shifted
    points, explained = pca_2d(x)
    assert explained.sum() == pytest.approx(1.0)
    assert explained[0] > explained[1]

    def dist(p):
        return np.linalg.norm(p[:, None] - p[None], axis=-1)

    np.testing.assert_allclose(dist(points), dist(plane), atol=1e-9)
    np.testing.assert_array_equal(project_2d(x), points)


def test_pca_of_collinear_points_pads_the_second_axis():
    x = np.outer(np.arange(5.0), [1.0, 2.0, 2.0])
    points, explained = pca_2d(x)
    np.testing.assert_allclose(points[:, 1], 0, atol=1e-9)
    np.testing.assert_allclose(explained, [1.0, 0.0], atol=1e-12)


def test_projection_rejects_unknown_method_and_one_point():
    with pytest.raises(ValueError, match='method'):
        project_2d(np.eye(3), 'umap')
    with pytest.raises(ValueError, match='N >= 2'):
        project_2d(np.ones((1, 3)))


def test_tsne_without_scikit_learn_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, 'sklearn.manifold', None)
    with pytest.raises(ImportError, match='scikit-learn'):
        project_2d(np.eye(4), 'tsne')


def test_tsne_gives_finite_points():
    pytest.importorskip('sklearn')
    x, _ = _clusters(num_ids=2, per_id=4)
    points = project_2d(x, 'tsne', seed=0)
    assert points.shape == (8, 2) and np.isfinite(points).all()


def test_table_lists_the_rows():
    x, labels = _clusters(num_ids=4, per_id=2)
    text = format_separation_table(embedding_separation(x, labels,
                                                        labels // 2))
    for row in ('| same identity | 4 |', '| different identity | 24 |',
                '| different identity, same video | 8 |', 'AUC'):
        assert row in text
