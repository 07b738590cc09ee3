"""Evaluation: pure functions (``functional``) and registered metrics.

Importing this package registers ``SmallObjectSOTMetric`` in mmtrack's
``METRICS`` registry.
"""
from . import functional, metrics  # noqa: F401
from .metrics import SmallObjectSOTMetric

__all__ = ['functional', 'metrics', 'SmallObjectSOTMetric']
