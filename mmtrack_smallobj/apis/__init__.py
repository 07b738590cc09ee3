"""Inference entry points: run a trained tracker over videos.

Not imported by ``mmtrack_smallobj/__init__.py`` (it registers nothing);
``from mmtrack_smallobj.apis import ...`` when needed.
"""
from .sot_inference import (VideoFrames, build_test_pipeline, init_tracker,
                            list_videos, pack_frame, run_frame, track_video,
                            write_results)

__all__ = [
    'VideoFrames', 'build_test_pipeline', 'init_tracker', 'list_videos',
    'pack_frame', 'run_frame', 'track_video', 'write_results'
]
