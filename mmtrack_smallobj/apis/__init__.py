"""Inference entry points: run a trained tracker over videos.

Not imported by ``mmtrack_smallobj/__init__.py`` (it registers nothing);
``from mmtrack_smallobj.apis import ...`` when needed.
"""
from .model_loading import (INFERENCE_DTYPES, build_test_pipeline,
                            checkpoint_reid_num_ids, inference_precision,
                            init_tracker, resolve_device)
from .sot_inference import (TrackedVideo, VideoFrames, list_videos,
                            pack_frame, run_frame, track_video,
                            track_video_timed, write_results)

__all__ = [
    'INFERENCE_DTYPES', 'TrackedVideo', 'VideoFrames', 'build_test_pipeline',
    'checkpoint_reid_num_ids', 'inference_precision', 'init_tracker',
    'list_videos', 'pack_frame', 'resolve_device', 'run_frame', 'track_video',
    'track_video_timed', 'write_results'
]
