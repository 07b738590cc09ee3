"""Tracking heads."""
from .point_global_search_head import PointGlobalSearchHead, decode_points

__all__ = ['PointGlobalSearchHead', 'decode_points']
