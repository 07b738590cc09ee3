"""Run a trained single-object tracker over the videos of a benchmark folder.

Any mmtrack SOT model built from a config works (ours or mmtrack's own): each
frame goes through the config's test pipeline (``LoadImageFromFile``,
``LoadTrackAnnotations``, ``PackTrackInputs``) and ``model.test_step``, as in
mmtrack's test loop, with the ground-truth box given on frame 0 only. Videos
are listed and their ground truth read with the evaluation toolkit's layout
readers, so inference and evaluation agree on what a video is.
"""
import copy
import glob
import os.path as osp
import time
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmcv.transforms import LoadImageFromFile
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmtrack.registry import MODELS
from torch import nn

from mmtrack_smallobj.evaluation.functional import (EvaluationInputError,
                                                    load_annotations,
                                                    write_result_files,
                                                    xyxy_to_xywh)

# The results layout of tools/track.py is the evaluation toolkit's own.
write_results = write_result_files

__all__ = [
    'DEFAULT_TEST_PIPELINE', 'VideoFrames', 'TrackedVideo', 'list_videos',
    'checkpoint_reid_num_ids', 'init_tracker', 'build_test_pipeline',
    'pack_frame', 'resolve_device', 'run_frame', 'track_video',
    'track_video_timed', 'write_results'
]

Frame = Union[str, np.ndarray]

# mmtrack's SOT test pipeline (its LaSOT, GOT-10k, ... dataset configs).
DEFAULT_TEST_PIPELINE = (
    dict(type='LoadImageFromFile'),
    dict(type='LoadTrackAnnotations', with_instance_id=False),
    dict(type='PackTrackInputs', pack_single_img=True),
)

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


def build_test_pipeline(cfg: Config) -> Compose:
    """The per-frame test pipeline of a config's ``test_dataloader``, or
    mmtrack's SOT test pipeline for a model-only (``_base``) config.

    Args:
        cfg (Config): A loaded config (its default scope initialised).

    Returns:
        Compose: The pipeline, built from a copy of the config's list.
    """
    dataset = (cfg.get('test_dataloader') or {}).get('dataset') or {}
    pipeline = dataset.get('pipeline') or DEFAULT_TEST_PIPELINE
    return Compose([dict(t) for t in pipeline])


def _summarise_mismatch(message: str, width: int = 240) -> str:
    """mmengine's strict-loading error (every key, every shape) in a few
    lines: unexpected and missing keys cut to ``width`` characters, size
    mismatches counted with the first one shown."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    sizes = [line for line in lines if line.startswith('size mismatch')]
    keys = [
        line if len(line) <= width else line[:width] + ' ...'
        for line in lines if line.startswith(('unexpected', 'missing'))
    ]
    if sizes:
        keys.append(f'{len(sizes)} size mismatch(es), the first: {sizes[0]}')
    return '; '.join(keys) or message


def resolve_device(name: str, what: str = 'device') -> torch.device:
    """The torch device a user named, checked before any work is done.

    Args:
        name (str): 'cpu', 'cuda' or 'cuda:N'.
        what (str): How the messages call the setting (a tool passes its
            option, '--device'). Defaults to 'device'.

    Returns:
        torch.device: The parsed device.

    Raises:
        ValueError: If torch cannot parse ``name``, or it names CUDA where
            CUDA is not available.
    """
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f'unknown {what} {name!r}') from None
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise ValueError(f'{what} {name}, but CUDA is not available')
    return device


# Where a re-id model keeps its identity classifier (ReIDEmbeddingHead).
REID_CLASSIFIER_KEY = 'reid_head.classifier.weight'


def checkpoint_reid_num_ids(checkpoint: str) -> int:
    """Size of the re-id classifier stored in a checkpoint, for building
    the model it fits (``model.reid_head.num_ids``).

    Raises:
        OSError: A missing or unreadable file.
        ValueError: A checkpoint without ``reid_head.classifier.weight``.
    """
    from mmengine.runner import CheckpointLoader

    import mmtrack_smallobj  # noqa: F401  (registers its safe local loader)
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else {}
    if REID_CLASSIFIER_KEY not in state:
        raise ValueError(f'{checkpoint} has no {REID_CLASSIFIER_KEY}: not a '
                         'checkpoint of a model with a re-id head')
    return int(state[REID_CLASSIFIER_KEY].shape[0])


def init_tracker(config: Union[str, Config],
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 cfg_options: Optional[dict] = None,
                 short_side: Optional[int] = None,
                 strict: bool = True) -> Tuple[nn.Module, Compose]:
    """Build an SOT model from its config with its weights, and the test
    pipeline.

    The config's ``custom_imports`` are imported and its ``default_scope``
    (mmtrack if unset) is made current, so components of any scope resolve.
    ``init_weights`` is not called: the weights come from ``checkpoint``;
    without one the modules keep their constructors' random initialisation
    (no pretrained download), which is what speed benchmarks want.

    Args:
        config (str | Config): Config file, a package's config as
            ``'mmtrack::sot/...py'``, or a loaded config (not modified).
        checkpoint (str, optional): Checkpoint file, read with mmengine's
            ``load_checkpoint``.
        device (str): 'cpu', 'cuda' or 'cuda:N'. Defaults to 'cpu'.
        cfg_options (dict, optional): Overrides merged into the config, as
            ``--cfg-options`` gives them.
        short_side (int, optional): Overrides the model's
            ``test_cfg['short_side']`` (an error if it has none).
        strict (bool): Refuse a checkpoint whose keys or shapes differ from
            the model's (mmengine only warns otherwise, and the run would
            track with random weights). Defaults to True.

    Returns:
        tuple[nn.Module, Compose]: The model in eval mode on ``device``,
        with the config kept as ``model.cfg``, and the test pipeline.

    Raises:
        ValueError: If ``strict`` and the checkpoint does not fit.
    """
    if not isinstance(config, str):
        cfg = copy.deepcopy(config)  # Config.copy is shallow
    elif '::' in config:
        from mmengine.hub import get_config
        cfg = get_config(config)
    else:
        cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmtrack'))
    model = MODELS.build(cfg.model)
    if short_side is not None:
        test_cfg = getattr(model, 'test_cfg', None)
        if not hasattr(test_cfg, 'get') or 'short_side' not in test_cfg:
            raise KeyError(f'{type(model).__name__} has no test_cfg '
                           'short_side to override')
        test_cfg['short_side'] = int(short_side)
        cfg.model.setdefault('test_cfg', {})['short_side'] = int(short_side)
    if checkpoint is not None:
        try:
            meta = load_checkpoint(
                model, checkpoint, map_location='cpu', strict=strict)
        except RuntimeError as err:
            raise ValueError(f'checkpoint {checkpoint} does not fit '
                             f'{type(model).__name__}: '
                             f'{_summarise_mismatch(str(err))}') from None
        meta = meta.get('meta', {}) if isinstance(meta, dict) else {}
        model.dataset_meta = meta.get('dataset_meta', {'CLASSES': None})
    model.cfg = cfg
    model.to(device)
    model.eval()
    return model, build_test_pipeline(cfg)


def pack_frame(pipeline: Compose,
               frame: Frame,
               frame_id: int,
               video_length: int,
               init_bbox_xyxy: Optional[np.ndarray] = None,
               video_id: int = 0) -> dict:
    """One frame through the test pipeline, as mmtrack's SOT datasets feed it.

    Args:
        pipeline (Compose): From :func:`build_test_pipeline`; its first
            transform must be ``LoadImageFromFile``.
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
        model (nn.Module): A model from :func:`init_tracker`.
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
        model (nn.Module): A model from :func:`init_tracker`.
        frames (Sequence[str | np.ndarray]): Frame paths or BGR images.
        init_bbox_xywh (np.ndarray): (4,) first-frame box ``x, y, w, h``.
        pipeline (Compose): From :func:`init_tracker`.
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
        model (nn.Module): A model from :func:`init_tracker`.
        frames (Sequence[str | np.ndarray]): Frame paths or BGR images.
        init_bbox_xywh (np.ndarray): (4,) first-frame box ``x, y, w, h``.
        pipeline (Compose): From :func:`init_tracker`.
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
