"""Thin mmengine metrics over ``evaluation.functional``."""
from .small_object_sot_metric import SmallObjectSOTMetric

__all__ = ['SmallObjectSOTMetric']
