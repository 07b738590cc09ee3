"""Target size distributions for the synthetic generator.

Sizes are ``sqrt(w * h)`` in pixels. A distribution is either a named
continuous law over ``size_range`` or a list of weighted bins, which is how a
deliberately imbalanced training set ('90% of targets above 64 px') is asked
for.
"""
import math
from dataclasses import dataclass
from typing import Sequence, Tuple, Union

import numpy as np

SizeBin = Tuple[float, float, float]
SizeDistributionLike = Union[str, Sequence[SizeBin]]

NAMED_DISTRIBUTIONS = ('log-uniform', 'uniform')


@dataclass(frozen=True)
class SizeDistribution:
    """A distribution of base target sizes, as weighted log-uniform bins.

    A named law is stored as bins too: 'log-uniform' is one bin over the whole
    range; 'uniform' is many narrow bins weighted by their linear width, so
    that one sampling routine serves every case.

    Args:
        bins (tuple): ``(min_size, max_size, probability)`` triples whose
            probabilities sum to 1. Sizes inside a bin are log-uniform.
        name (str): A short description, for summaries and reports.
    """

    bins: Tuple[SizeBin, ...]
    name: str

    def sample(self, rng: np.random.Generator) -> float:
        """Draw one base size in pixels.

        Args:
            rng (np.random.Generator): The random generator to draw from.

        Returns:
            float: A size ``sqrt(w * h)`` in pixels.
        """
        probs = np.array([b[2] for b in self.bins])
        index = int(rng.choice(len(self.bins), p=probs))
        low, high, _ = self.bins[index]
        return float(math.exp(rng.uniform(math.log(low), math.log(high))))

    @property
    def size_range(self) -> Tuple[float, float]:
        """tuple: The smallest and largest size that can be drawn."""
        return (min(b[0] for b in self.bins), max(b[1] for b in self.bins))


def build_size_distribution(
        size_range: Tuple[float, float],
        size_distribution: SizeDistributionLike) -> SizeDistribution:
    """Validate the size options and build a :class:`SizeDistribution`.

    Args:
        size_range (tuple[float, float]): Smallest and largest base size.
        size_distribution (str | Sequence[tuple]): 'log-uniform', 'uniform',
            or a list of ``(min_size, max_size, weight)`` bins that must lie
            inside ``size_range``; weights are normalised.

    Returns:
        SizeDistribution: The validated distribution.

    Raises:
        ValueError: If an option is malformed; the message names it.
    """
    low, high = _check_range(size_range)
    if isinstance(size_distribution, str):
        if size_distribution == 'log-uniform':
            return SizeDistribution(
                bins=((low, high, 1.0), ), name='log-uniform')
        if size_distribution == 'uniform':
            edges = np.linspace(low, high, 65)
            widths = np.diff(edges)
            probs = widths / widths.sum()
            bins = tuple((float(a), float(b), float(p))
                         for a, b, p in zip(edges[:-1], edges[1:], probs))
            return SizeDistribution(bins=bins, name='uniform')
        raise ValueError(
            f'size_distribution must be one of {NAMED_DISTRIBUTIONS} or a '
            f'list of (min, max, weight) bins, got {size_distribution!r}')
    return SizeDistribution(
        bins=_check_bins(size_distribution, low, high), name='bins')


def _check_range(size_range: Tuple[float, float]) -> Tuple[float, float]:
    """Return ``size_range`` as two floats, or raise naming the option."""
    try:
        low, high = (float(v) for v in size_range)
    except (TypeError, ValueError):
        raise ValueError('size_range must be two numbers (min, max), got '
                         f'{size_range!r}') from None
    if not (math.isfinite(low) and math.isfinite(high)) or not (
            1.0 <= low <= high):
        raise ValueError(
            f'size_range must satisfy 1 <= min <= max, got {size_range!r}')
    return low, high


def _check_bins(bins: Sequence[SizeBin], low: float,
                high: float) -> Tuple[SizeBin, ...]:
    """Validate size bins against the range and normalise their weights."""
    try:
        triples = [tuple(float(v) for v in b) for b in bins]
    except (TypeError, ValueError):
        raise ValueError('size_distribution bins must be (min, max, weight) '
                         f'triples, got {bins!r}') from None
    if not triples or any(len(t) != 3 for t in triples):
        raise ValueError('size_distribution bins must be a non-empty list of '
                         f'(min, max, weight) triples, got {bins!r}')
    for b_low, b_high, weight in triples:
        if not low <= b_low <= b_high <= high:
            raise ValueError(
                f'size_distribution bin ({b_low}, {b_high}) must lie inside '
                f'size_range ({low}, {high})')
        if not (math.isfinite(weight) and weight >= 0):
            raise ValueError('size_distribution bin weights must be finite '
                             f'and >= 0, got {weight}')
    total = sum(t[2] for t in triples)
    if total <= 0:
        raise ValueError('size_distribution bin weights must not all be 0')
    return tuple((t[0], t[1], t[2] / total) for t in triples)


def parse_size_bins(text: str) -> Tuple[SizeBin, ...]:
    """Parse bins written as ``'4-64:0.1,64-100:0.9'`` (for the CLI).

    Args:
        text (str): Comma-separated ``min-max:weight`` items.

    Returns:
        tuple: ``(min, max, weight)`` triples, not yet validated.

    Raises:
        ValueError: If the text does not parse.
    """
    bins = []
    for item in text.split(','):
        try:
            span, weight = item.split(':')
            b_low, b_high = span.split('-')
            bins.append((float(b_low), float(b_high), float(weight)))
        except ValueError:
            raise ValueError(
                f'size bins must look like "4-64:0.1,64-100:0.9", got '
                f'{text!r}') from None
    return tuple(bins)
