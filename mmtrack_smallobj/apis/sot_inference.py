"""Run a trained single-object tracker over the videos of a benchmark folder.

Any mmtrack SOT model built from a config works (ours or mmtrack's own): each
frame goes through the config's test pipeline (``LoadImageFromFile``,
``LoadTrackAnnotations``, ``PackTrackInputs``) and ``model.test_step``, as in
mmtrack's test loop, with the ground-truth box given on frame 0 only. Videos
are listed and their ground truth read with the evaluation toolkit's layout
readers, so inference and evaluation agree on what a video is.
"""
import glob
import os.path as osp
import time
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmcv.transforms import LoadImageFromFile
from mmengine.dataset import Compose, pseudo_collate
from torch import nn

from mmtrack_smallobj.evaluation.functional import (EvaluationInputError,
                                                    load_annotations,
                                                    write_result_files,
                                                    xyxy_to_xywh)

# The results layout of tools/track.py is the evaluation toolkit's own.
write_results = write_result_files

__all__ = [
    'VideoFrames', 'TrackedVideo', 'list_videos', 'pack_frame', 'run_frame',
    'track_video', 'track_video_timed', 'write_results'
]

Frame = Union[str, np.ndarray]

# Where each layout keeps the frames of a video, relative to its folder.
_FRAME_GLOBS = dict(lasot=osp.join('img', '*.jpg'), got10k='*.jpg')


@dataclass
class VideoFrames:
    """One video to track: its frames and its first-frame box.

    Args:
        name (str): Video name, used for the result files.
        frame_paths (list[str]): Frame files in order.
        init_bbox_xywh (np.ndarray): (4,) first-frame box ``x, y, w, h``.
        gt_source (str): Path of the ground-truth file.
    """
    name: str
    frame_paths: List[str]
    init_bbox_xywh: np.ndarray
    gt_source: str


def list_videos(data_root: str,
                dataset_format: str,
                names: Optional[Sequence[str]] = None) -> List[VideoFrames]:
    """The videos of a LaSOT- or GOT-10k-layout folder, checked for tracking.

    Args:
        data_root (str): Benchmark root.
        dataset_format (str): 'lasot' or 'got10k'.
        names (Sequence[str], optional): Keep only these videos (all if
            None); an unknown name is an error.

    Returns:
        list[VideoFrames]: One per video, in the layout reader's order.

    A one-line ground truth (GOT-10k's test split) gives the first box of
    a video of any length.

    Raises:
        EvaluationInputError: A missing folder, unreadable ground truth, a
            frame count that differs from the ground truth's line count, an
            unknown video name, or a first-frame box that is absent or has
            no positive size (LaSOT and GOT-10k initialise on frame 0).
    """
    annotations = load_annotations(data_root, dataset_format)
    if names is not None:
        known = {ann.name: ann for ann in annotations}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise EvaluationInputError(
                data_root, f'no video named {", ".join(unknown)} (found: '
                f'{", ".join(sorted(known))})')
        annotations = [known[name] for name in dict.fromkeys(names)]
    videos = []
    for ann in annotations:
        video_dir = osp.dirname(ann.gt_source)
        frame_glob = _FRAME_GLOBS[dataset_format]
        frames = sorted(glob.glob(osp.join(video_dir, frame_glob)))
        # GOT-10k's test split gives the first box only.
        first_only = len(ann.gt_bboxes) == 1 and len(frames) > 1
        if len(frames) != len(ann.gt_bboxes) and not first_only:
            raise EvaluationInputError(
                ann.gt_source, f'has {len(ann.gt_bboxes)} boxes but '
                f'{osp.join(video_dir, frame_glob)} matches {len(frames)} '
                'frames')
        init = xyxy_to_xywh(ann.gt_bboxes[:1])[0]
        if not (np.isfinite(init).all() and init[2] > 0 and init[3] > 0):
            raise EvaluationInputError(
                ann.gt_source, f'first-frame box {init.tolist()} (x, y, w, '
                'h) is absent or has no positive size; the tracker is '
                'initialised on frame 0, so its box must be valid', 1)
        videos.append(VideoFrames(ann.name, frames, init, ann.gt_source))
    return videos


def pack_frame(pipeline: Compose,
               frame: Frame,
               frame_id: int,
               video_length: int,
               init_bbox_xyxy: Optional[np.ndarray] = None,
               video_id: int = 0) -> dict:
    """One frame through the test pipeline, as mmtrack's SOT datasets feed it.

    Args:
        pipeline (Compose): From
            :func:`.model_loading.build_test_pipeline`; its first transform
            must be ``LoadImageFromFile``.
        frame (str | np.ndarray): Image path, or an (H, W, 3) BGR uint8
            image (then ``LoadImageFromFile`` is skipped).
        frame_id (int): 0-based index in the video; 0 initialises.
        video_length (int): Frames in the video.
        init_bbox_xyxy (np.ndarray, optional): (4,) box, required on frame 0
            and ignored afterwards (later frames carry no ground truth).
        video_id (int): Video index for the metainfo. Defaults to 0.

    Returns:
        dict: ``inputs`` and ``data_samples`` for ``model.test_step``.
    """
    instances = []
    if frame_id == 0:
        if init_bbox_xyxy is None:
            raise ValueError('frame 0 needs init_bbox_xyxy')
        instances.append(
            dict(
                bbox=np.asarray(init_bbox_xyxy, np.float32),
                visible=True,
                bbox_label=np.array([0], dtype=np.int32)))
    data = dict(
        frame_id=frame_id,
        video_id=video_id,
        video_length=video_length,
        instances=instances)
    if isinstance(frame, str):
        data['img_path'] = frame
        return pipeline(data)
    first = pipeline.transforms[0]
    if not isinstance(first, LoadImageFromFile):
        raise TypeError('in-memory frames need a test pipeline that starts '
                        f'with LoadImageFromFile, not {type(first).__name__}')
    data.update(
        img=frame,
        img_path=None,
        img_shape=frame.shape[:2],
        ori_shape=frame.shape[:2])
    for transform in pipeline.transforms[1:]:
        data = transform(data)
    return data


def run_frame(model: nn.Module,
              packed: dict) -> Tuple[np.ndarray, float, float]:
    """Track one packed frame with ``model.test_step`` and time it.

    Args:
        model (nn.Module): A model from :func:`.model_loading.init_tracker`.
        packed (dict): From :func:`pack_frame`.

    Returns:
        tuple[np.ndarray, float, float]: The (4,) xyxy box, its score (the
        model's own, -1 on frame 0 in mmtrack) and the seconds the step took
        (pre-processing included, image decoding not; CUDA synchronised).
    """
    on_cuda = next(model.parameters()).is_cuda
    with torch.no_grad():
        start = time.perf_counter()
        result = model.test_step(pseudo_collate([packed]))[0]
        if on_cuda:
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
    pred = result.pred_track_instances
    box = pred.bboxes.reshape(-1, 4)[0].float().cpu().numpy()
    return box.astype(np.float64), float(pred.scores.reshape(-1)[0]), seconds


@dataclass
class TrackedVideo:
    """One video tracked by :func:`track_video_timed`.

    Args:
        boxes_xywh (np.ndarray): (N, 4) boxes ``x, y, w, h``; row 0 is the
            initialisation box.
        scores (np.ndarray): (N,) scores, 1.0 on frame 0 (the LaSOT
            convention).
        times (np.ndarray): (N,) measured seconds of ``model.test_step`` per
            frame, frame 0 (initialisation) included.
    """
    boxes_xywh: np.ndarray
    scores: np.ndarray
    times: np.ndarray


def track_video_timed(model: nn.Module,
                      frames: Sequence[Frame],
                      init_bbox_xywh: np.ndarray,
                      pipeline: Compose,
                      on_frame: Optional[Callable[[], None]] = None
                      ) -> TrackedVideo:
    """Track one video in one pass (OPE), initialised on its first frame,
    keeping every frame's measured time (GOT-10k's ``_time.txt`` wants
    them per frame).

    Args:
        model (nn.Module): A model from :func:`.model_loading.init_tracker`.
        frames (Sequence[str | np.ndarray]): Frame paths or BGR images.
        init_bbox_xywh (np.ndarray): (4,) first-frame box ``x, y, w, h``.
        pipeline (Compose): From :func:`.model_loading.init_tracker`.
        on_frame (Callable, optional): Called after every frame (progress).

    Returns:
        TrackedVideo: Boxes, scores and per-frame seconds (as
        :func:`run_frame` measures them).
    """
    init = np.asarray(init_bbox_xywh, np.float64).reshape(4)
    init_xyxy = np.concatenate([init[:2], init[:2] + init[2:]])
    num = len(frames)
    boxes = np.zeros((num, 4))
    scores = np.ones(num)
    times = np.zeros(num)
    for frame_id, frame in enumerate(frames):
        packed = pack_frame(pipeline, frame, frame_id, num, init_xyxy)
        box, score, times[frame_id] = run_frame(model, packed)
        if frame_id == 0:
            boxes[0] = init
        else:
            boxes[frame_id] = xyxy_to_xywh(box[None])[0]
            scores[frame_id] = score
        if on_frame is not None:
            on_frame()
    return TrackedVideo(boxes, scores, times)


def track_video(model: nn.Module,
                frames: Sequence[Frame],
                init_bbox_xywh: np.ndarray,
                pipeline: Compose,
                on_frame: Optional[Callable[[], None]] = None
                ) -> Tuple[np.ndarray, np.ndarray, float]:
    """Track one video in one pass (OPE), initialised on its first frame.

    The per-frame times are in :func:`track_video_timed`; this keeps the
    original three-value return for existing callers.

    Args:
        model (nn.Module): A model from :func:`.model_loading.init_tracker`.
        frames (Sequence[str | np.ndarray]): Frame paths or BGR images.
        init_bbox_xywh (np.ndarray): (4,) first-frame box ``x, y, w, h``.
        pipeline (Compose): From :func:`.model_loading.init_tracker`.
        on_frame (Callable, optional): Called after every frame (progress).

    Returns:
        tuple[np.ndarray, np.ndarray, float]: (N, 4) boxes ``x, y, w, h``
        (row 0 is ``init_bbox_xywh``), (N,) scores (1.0 on frame 0, the
        LaSOT convention) and the mean seconds of ``model.test_step`` per
        frame.
    """
    tracked = track_video_timed(model, frames, init_bbox_xywh, pipeline,
                                on_frame)
    mean = float(tracked.times.mean()) if len(tracked.times) else 0.0
    return tracked.boxes_xywh, tracked.scores, mean
