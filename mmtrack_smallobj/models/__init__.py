"""Models: backbones, necks, track heads, losses, SOT models and trackers.

Each subpackage registers its components into ``mmtrack.registry.MODELS`` on import.
"""
from . import backbones, losses, necks, sot, track_heads, trackers  # noqa: F401
