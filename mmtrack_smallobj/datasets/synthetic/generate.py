"""Public entry: generate a whole synthetic data set in one of three formats.

The set is built in a sibling ``<out>.tmp-<pid>`` folder and renamed into
place only when complete, so an interrupted run never leaves something that
looks like a finished data set.
"""
import json
import os
import os.path as osp
import shutil
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Tuple

import numpy as np

from ...utils.config_checks import check_choice, check_number
from .config import make_scene_config
from .mot_writer import MOTWriter
from .render import make_appearance
from .scene import simulate_video
from .sizes import SizeDistributionLike
from .writers import GOT10kWriter, LaSOTWriter

FORMATS = {'lasot': LaSOTWriter, 'got10k': GOT10kWriter, 'mot': MOTWriter}
SPLITS = ('train', 'val', 'test')
SUMMARY_FILE = 'synthetic_summary.json'


@dataclass
class VideoSummary:
    """What one generated video holds.

    Args:
        name (str): Video folder name.
        class_name (str): Target class.
        base_size (float): Base target size ``sqrt(w * h)`` in pixels.
        num_frames (int): Number of frames.
        num_full_occlusion (int): Frames with the target fully occluded.
        num_out_of_view (int): Frames with the target out of view.
        num_events (int): Planned absence events that took place.
    """

    name: str
    class_name: str
    base_size: float
    num_frames: int
    num_full_occlusion: int
    num_out_of_view: int
    num_events: int


@dataclass
class DatasetSummary:
    """What :func:`generate_dataset` wrote.

    Args:
        out_dir (str): Absolute output folder.
        fmt (str): 'lasot', 'got10k' or 'mot'.
        split (str): 'train', 'val' or 'test'.
        ann_file (str): Index file relative to ``out_dir`` (mmtrack info
            txt for LaSOT/GOT-10k, COCO-VID json for MOT).
        seed (int): Base seed.
        options (dict): Every generation option, as passed.
        videos (list[VideoSummary]): Per-video details, in index order.
        seconds (float): Wall time of the run.
    """

    out_dir: str
    fmt: str
    split: str
    ann_file: str
    seed: int
    options: Dict[str, Any]
    videos: List[VideoSummary] = field(default_factory=list)
    seconds: float = 0.0


def video_rngs(seed: int,
               index: int) -> Tuple[np.random.Generator, np.random.Generator]:
    """The simulation and appearance generators of video ``index``.

    They depend only on ``(seed, index)``, so a video is the same whether 1
    or 1000 videos are made, and geometry can be simulated without drawing
    textures.
    """
    sim_seq, look_seq = np.random.SeedSequence([seed, index]).spawn(2)
    return np.random.default_rng(sim_seq), np.random.default_rng(look_seq)


def generate_dataset(out_dir: str,
                     fmt: str = 'lasot',
                     num_videos: int = 8,
                     num_frames: int = 100,
                     seed: int = 0,
                     *,
                     frame_size: Tuple[int, int] = (320, 240),
                     size_range: Tuple[float, float] = (4.0, 100.0),
                     size_distribution: SizeDistributionLike = 'log-uniform',
                     size_change: float = 0.2,
                     num_distractors: int = 3,
                     occlusion_rate: float = 0.5,
                     out_of_view_rate: float = 0.5,
                     absence_length: Tuple[int, int] = (5, 25),
                     camera_motion: float = 1.0,
                     split: str = 'train',
                     jpeg_quality: int = 90,
                     overwrite: bool = False,
                     progress: bool = True) -> DatasetSummary:
    """Generate a synthetic small-object long-term tracking data set.

    Args:
        out_dir (str): Output folder; must be absent or empty unless
            ``overwrite``.
        fmt (str): 'lasot', 'got10k' or 'mot'. Defaults to 'lasot'.
        num_videos (int): Number of videos, >= 1. Defaults to 8.
        num_frames (int): Frames per video, >= 1. Defaults to 100.
        seed (int): Base seed, >= 0; same seed, same bytes. Defaults to 0.
        frame_size (tuple[int, int]): ``(width, height)``.
        size_range (tuple[float, float]): Base target size range in pixels.
        size_distribution (str | Sequence[tuple]): 'log-uniform',
            'uniform' or ``(min, max, weight)`` bins.
        size_change (float): Largest relative size change in a video.
        num_distractors (int): Same-looking distractors per video.
        occlusion_rate (float): Full-occlusion events per 100 frames.
        out_of_view_rate (float): Out-of-view events per 100 frames.
        absence_length (tuple[int, int]): Absence span range in frames.
        camera_motion (float): Camera drift scale (0 = still).
        split (str): 'train', 'val' or 'test'; names the info files (and
            GOT-10k folders). Defaults to 'train'.
        jpeg_quality (int): JPEG quality in [1, 100]. Defaults to 90.
        overwrite (bool): Replace a non-empty ``out_dir``. Defaults to False.
        progress (bool): Show a tqdm bar over frames. Defaults to True.

    Returns:
        DatasetSummary: What was written (also saved, without timing and
            absolute path, as ``synthetic_summary.json``).

    Raises:
        ValueError: If an option is invalid; the message names it.
        FileExistsError: If ``out_dir`` is not empty and not ``overwrite``.
    """
    check_choice('fmt', fmt, sorted(FORMATS))
    check_choice('split', split, SPLITS)
    for name, value, low, high in (('num_videos', num_videos, 1, 10**6),
                                   ('num_frames', num_frames, 1, 10**6),
                                   ('seed', seed, 0, 2**63 - 1),
                                   ('jpeg_quality', jpeg_quality, 1, 100)):
        check_number(name, value, low, high, integer=True)
    config = make_scene_config(
        frame_size=frame_size,
        size_range=size_range,
        size_distribution=size_distribution,
        size_change=size_change,
        num_distractors=num_distractors,
        occlusion_rate=occlusion_rate,
        out_of_view_rate=out_of_view_rate,
        absence_length=absence_length,
        camera_motion=camera_motion)
    options = dict(
        num_videos=int(num_videos),
        num_frames=int(num_frames),
        frame_size=list(config.frame_size),
        size_distribution=config.sizes.name,
        size_bins=[list(b) for b in config.sizes.bins],
        size_change=config.size_change,
        num_distractors=config.num_distractors,
        occlusion_rate=config.occlusion_rate,
        out_of_view_rate=config.out_of_view_rate,
        absence_length=list(config.absence_length),
        camera_motion=config.camera_motion,
        jpeg_quality=int(jpeg_quality))
    out_dir = osp.abspath(out_dir)
    _check_target(out_dir, overwrite)

    start = time.perf_counter()
    tmp_dir = _make_tmp_dir(out_dir)
    bar = _progress_bar(num_videos * num_frames, progress)
    try:
        writer = FORMATS[fmt](tmp_dir, split, jpeg_quality)
        videos = []
        for index in range(num_videos):
            sim_rng, look_rng = video_rngs(seed, index)
            scene = simulate_video(config, num_frames, sim_rng)
            appearance = make_appearance(scene, look_rng)
            name = writer.add_video(index, scene, appearance)
            videos.append(
                VideoSummary(
                    name=name,
                    class_name=scene.class_name,
                    base_size=round(scene.base_size, 3),
                    num_frames=num_frames,
                    num_full_occlusion=int(scene.full_occlusion.sum()),
                    num_out_of_view=int(scene.out_of_view.sum()),
                    num_events=len(scene.events)))
            if bar is not None:
                bar.update(num_frames)
        ann_file = writer.finish()
        summary = DatasetSummary(
            out_dir=out_dir,
            fmt=fmt,
            split=split,
            ann_file=ann_file,
            seed=int(seed),
            options=options,
            videos=videos)
        record = asdict(summary)
        # Keep the file reproducible: no wall time, no absolute path.
        del record['out_dir'], record['seconds']
        with open(osp.join(tmp_dir, SUMMARY_FILE), 'w') as f:
            json.dump(record, f, indent=1)
        _move_into_place(tmp_dir, out_dir)
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    summary.seconds = time.perf_counter() - start
    return summary


def _check_target(out_dir: str, overwrite: bool) -> None:
    """Refuse a non-empty output folder unless overwriting."""
    if osp.exists(out_dir):
        if not osp.isdir(out_dir):
            raise FileExistsError(f'{out_dir} exists and is not a folder')
        if os.listdir(out_dir) and not overwrite:
            raise FileExistsError(
                f'{out_dir} is not empty; pass overwrite=True (--overwrite) '
                'to replace it')


def _make_tmp_dir(out_dir: str) -> str:
    """Create a fresh sibling folder (same file system: rename is atomic)."""
    os.makedirs(osp.dirname(out_dir), exist_ok=True)
    for attempt in range(100):
        candidate = f'{out_dir}.tmp-{os.getpid()}-{attempt}'
        try:
            os.mkdir(candidate)
            return candidate
        except FileExistsError:
            continue
    raise FileExistsError(
        f'cannot create a temporary folder next to {out_dir}')


def _move_into_place(tmp_dir: str, out_dir: str) -> None:
    """Replace ``out_dir`` by the finished ``tmp_dir``."""
    if osp.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.rename(tmp_dir, out_dir)


def _progress_bar(total: int, enabled: bool) -> Any:
    """A tqdm bar over frames, or None when disabled or tqdm is missing."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit='frame', desc='synthetic')
