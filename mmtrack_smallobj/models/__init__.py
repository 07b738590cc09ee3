"""Models: backbones, necks, track heads, losses, SOT models and trackers.

Each subpackage registers its components into ``mmtrack.registry.MODELS`` on import.
"""
from . import (backbones, layers, losses, motion, necks,  # noqa: F401
               sot, track_heads, trackers)
