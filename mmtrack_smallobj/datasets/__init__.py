"""Datasets: wrappers and samplers, transforms, and the synthetic data generator.

Registered components live in ``datasets`` itself and ``datasets.transforms``; the
generator in ``datasets.synthetic`` registers nothing and is imported on demand.
"""
from . import transforms  # noqa: F401
from .lasot_cover_dataset import LaSOTCoverDataset  # noqa: F401
from .size_rebalance_dataset import (  # noqa: F401
    PairPlan, SizeRebalanceDataset)
