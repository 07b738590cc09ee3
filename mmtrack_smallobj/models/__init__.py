"""Models: backbones, necks, track heads, losses, SOT models and trackers.

Each subpackage registers its components into ``mmtrack.registry.MODELS`` on import.
"""
from . import (backbones, layers, losses, necks, sot,  # noqa: F401
               track_heads, trackers)
