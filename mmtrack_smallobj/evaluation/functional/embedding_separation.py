"""Does a re-id embedding tell identities apart? (DMTrack's Figure 6.)

The cosine similarities of same- and different-identity pairs of embeddings
(identities from ``mot_identities.load_mot_identities``) with the ROC AUC
of one against the other, and a 2-D projection for a scatter plot. The
model that produces the embeddings is the caller's (``tools/analysis/
reid_embedding_separation.py``); everything here is numpy.
"""
from dataclasses import asdict, dataclass
from typing import Optional, Tuple

import numpy as np
from scipy.stats import mannwhitneyu

from ...utils.config_checks import check_choice

__all__ = [
    'PairStats', 'EmbeddingSeparation', 'rank_auc', 'embedding_separation',
    'pca_2d', 'project_2d', 'PROJECTIONS', 'format_separation_table'
]

PROJECTIONS = ('pca', 'tsne')


@dataclass
class PairStats:
    """Cosine similarities of a set of embedding pairs.

    Args:
        count (int): Pairs.
        mean (float): Mean cosine similarity.
        std (float): Its standard deviation (population).
    """
    count: int
    mean: float
    std: float


@dataclass
class EmbeddingSeparation:
    """How far apart a set of embeddings keeps identities.

    Args:
        num_embeddings (int): Embeddings compared.
        num_identities (int): Distinct identities among them.
        same (PairStats): Pairs of one identity.
        different (PairStats): Pairs of two identities.
        gap (float): ``same.mean - different.mean``.
        auc (float): ROC AUC of same- against different-identity
            similarity: the chance that a random same-identity pair is more
            similar than a random different-identity pair (ties half).
        different_same_group (PairStats, optional): Different-identity
            pairs within one group (video): the look-alikes that a tracker
            must tell apart. None without groups or without such pairs.
        auc_same_group (float, optional): ``auc`` against those pairs only.
    """
    num_embeddings: int
    num_identities: int
    same: PairStats
    different: PairStats
    gap: float
    auc: float
    different_same_group: Optional[PairStats] = None
    auc_same_group: Optional[float] = None

    def to_dict(self) -> dict:
        """Nested plain dicts, for JSON."""
        return asdict(self)


def rank_auc(positives: np.ndarray, negatives: np.ndarray) -> float:
    """ROC AUC of scores that should rank ``positives`` above
    ``negatives``, by the Mann-Whitney U statistic (tied scores count
    half, through average ranks).

    Args:
        positives (np.ndarray): Scores of the positive class.
        negatives (np.ndarray): Scores of the negative class.

    Returns:
        float: In [0, 1]; 0.5 for scores that do not separate.

    Raises:
        ValueError: An empty class or a non-finite score.
    """
    positives = np.asarray(positives, np.float64).ravel()
    negatives = np.asarray(negatives, np.float64).ravel()
    if not len(positives) or not len(negatives):
        raise ValueError(f'AUC needs both classes, got {len(positives)} '
                         f'positive and {len(negatives)} negative scores')
    if not (np.isfinite(positives).all() and np.isfinite(negatives).all()):
        raise ValueError('AUC scores must be finite')
    # scipy's U of the first sample (average ranks for ties); the
    # asymptotic p-value it also computes is cheap at any size.
    u_stat = mannwhitneyu(positives, negatives, method='asymptotic').statistic
    return float(u_stat / (len(positives) * len(negatives)))


def _pair_stats(values: np.ndarray) -> PairStats:
    """Count, mean and standard deviation of some pairs' similarities."""
    return PairStats(len(values), float(values.mean()), float(values.std()))


def _unit_rows(embeddings: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; a zero or non-finite row is an error
    (its cosine similarity is undefined)."""
    x = np.asarray(embeddings, np.float64)
    if x.ndim != 2:
        raise ValueError(f'embeddings must be (N, D), got shape {x.shape}')
    norms = np.linalg.norm(x, axis=1)
    bad = ~(np.isfinite(norms) & (norms > 0))
    if bad.any():
        raise ValueError(f'embedding {int(np.flatnonzero(bad)[0])} is zero '
                         'or not finite')
    return x / norms[:, None]


def embedding_separation(embeddings: np.ndarray,
                         labels: np.ndarray,
                         groups: Optional[np.ndarray] = None
                         ) -> EmbeddingSeparation:
    """Same- against different-identity cosine similarity over all pairs.

    Every unordered pair of distinct embeddings counts once. Memory grows
    with the square of N (about 120 bytes a pair, 0.5 GB for 3000
    embeddings): subsample beyond a few thousand.

    Args:
        embeddings (np.ndarray): (N, D) embeddings (normalised here).
        labels (np.ndarray): (N,) identity of each.
        groups (np.ndarray, optional): (N,) group (video) of each, for the
            within-group statistics.

    Returns:
        EmbeddingSeparation: The statistics.

    Raises:
        ValueError: Shapes that do not match, fewer than 2 identities, no
            identity with 2 embeddings, or a zero embedding.
    """
    x = _unit_rows(embeddings)
    labels = np.asarray(labels).ravel()
    if len(labels) != len(x):
        raise ValueError(f'{len(x)} embeddings but {len(labels)} labels')
    num_ids = len(np.unique(labels))
    if num_ids < 2:
        raise ValueError(f'need embeddings of at least 2 identities, got '
                         f'{num_ids}')
    first, second = np.triu_indices(len(x), k=1)
    sims = (x @ x.T)[first, second]
    same = labels[first] == labels[second]
    if not same.any():
        raise ValueError('no identity has 2 embeddings: same-identity '
                         'similarity is undefined')
    pos, neg = sims[same], sims[~same]
    result = EmbeddingSeparation(
        num_embeddings=len(x),
        num_identities=num_ids,
        same=_pair_stats(pos),
        different=_pair_stats(neg),
        gap=float(pos.mean() - neg.mean()),
        auc=rank_auc(pos, neg))
    if groups is not None:
        groups = np.asarray(groups).ravel()
        if len(groups) != len(x):
            raise ValueError(f'{len(x)} embeddings but {len(groups)} groups')
        near = ~same & (groups[first] == groups[second])
        if near.any():
            result.different_same_group = _pair_stats(sims[near])
            result.auc_same_group = rank_auc(pos, sims[near])
    return result


def pca_2d(embeddings: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The first two principal components, by numpy's SVD.

    Each axis's sign is fixed (its largest loading positive), so that the
    same embeddings always give the same picture.

    Args:
        embeddings (np.ndarray): (N, D), N >= 2.

    Returns:
        tuple[np.ndarray, np.ndarray]: (N, 2) coordinates and the (2,)
        fractions of the variance they explain (zero-padded when the data
        span fewer than two dimensions).
    """
    x = np.asarray(embeddings, np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f'PCA needs (N >= 2, D) embeddings, got shape '
                         f'{x.shape}')
    centred = x - x.mean(axis=0)
    _, singular, axes = np.linalg.svd(centred, full_matrices=False)
    axes = axes[:2]
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(1)])
    axes = axes * np.where(signs == 0, 1, signs)[:, None]
    points = np.zeros((len(x), 2))
    points[:, :len(axes)] = centred @ axes.T
    variance = singular**2
    explained = np.zeros(2)
    total = variance.sum()
    if total > 0:
        explained[:len(axes)] = variance[:2] / total
    return points, explained


def project_2d(embeddings: np.ndarray,
               method: str = 'pca',
               seed: int = 0) -> np.ndarray:
    """2-D coordinates of embeddings for a scatter plot.

    Args:
        embeddings (np.ndarray): (N, D), N >= 2.
        method (str): 'pca' (numpy) or 'tsne' (scikit-learn's TSNE, which
            must be installed). Defaults to 'pca'.
        seed (int): t-SNE's random state. Defaults to 0.

    Returns:
        np.ndarray: (N, 2) coordinates.

    Raises:
        ImportError: 'tsne' without scikit-learn.
        ValueError: An unknown method or fewer than 2 embeddings.
    """
    check_choice('method', method, PROJECTIONS)
    if method == 'pca':
        return pca_2d(embeddings)[0]
    x = np.asarray(embeddings, np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f't-SNE needs (N >= 2, D) embeddings, got shape '
                         f'{x.shape}')
    try:
        from sklearn.manifold import TSNE
    except ImportError as err:
        raise ImportError(
            "projection 'tsne' needs scikit-learn, which is not installed "
            "(pip install scikit-learn, or use 'pca')") from err
    # scikit-learn refuses a perplexity of N or more; 30 is its default.
    perplexity = min(30.0, max(1.0, (len(x) - 1) / 3))
    tsne = TSNE(
        n_components=2, perplexity=perplexity, init='pca', random_state=seed)
    return tsne.fit_transform(x)


def format_separation_table(result: EmbeddingSeparation) -> str:
    """A markdown table of the pair statistics, the gap and the AUC."""
    lines = [
        '| pairs | count | mean cosine | std |',
        '| --- | ---: | ---: | ---: |',
    ]
    rows = [('same identity', result.same),
            ('different identity', result.different)]
    if result.different_same_group is not None:
        rows.append(('different identity, same video',
                     result.different_same_group))
    for name, stats in rows:
        lines.append(f'| {name} | {stats.count} | {stats.mean:.4f} | '
                     f'{stats.std:.4f} |')
    lines.append('')
    lines.append(f'gap (same - different): {result.gap:+.4f}; '
                 f'AUC same vs different: {result.auc:.4f}')
    if result.auc_same_group is not None:
        lines.append('AUC same vs different within a video: '
                     f'{result.auc_same_group:.4f}')
    return '\n'.join(lines)
