"""Single-object trackers."""
from .global_search_tracker import GlobalSearchTracker

__all__ = ['GlobalSearchTracker']
