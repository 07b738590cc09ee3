"""Synthetic long-term tracking data with small targets (numpy + OpenCV).

``generate_dataset`` writes LaSOT, GOT-10k or MOTChallenge layouts that
mmtrack's own dataset classes load unchanged; ``simulate_video`` gives the
geometry of one video without rendering, for cheap statistics.
"""
from .config import SceneConfig, make_scene_config
from .generate import (FORMATS, SPLITS, SUMMARY_FILE, DatasetSummary,
                       VideoSummary, generate_dataset, video_rngs)
from .render import Appearance, make_appearance, render_frames
from .scene import CLASSES, VideoScene, simulate_video
from .sizes import SizeDistribution, build_size_distribution, parse_size_bins
from .trajectory import AbsenceEvent

__all__ = [
    'AbsenceEvent', 'Appearance', 'CLASSES', 'DatasetSummary', 'FORMATS',
    'SPLITS', 'SUMMARY_FILE', 'SceneConfig', 'SizeDistribution',
    'VideoScene', 'VideoSummary', 'build_size_distribution',
    'generate_dataset', 'make_appearance', 'make_scene_config',
    'parse_size_bins', 'render_frames', 'simulate_video', 'video_rngs'
]
