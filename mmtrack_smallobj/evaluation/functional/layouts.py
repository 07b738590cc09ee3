"""Benchmark folder layouts (LaSOT, GOT-10k) and result folders.

* LaSOT: ``D/<cls>/<cls>-<k>/groundtruth.txt`` plus ``full_occlusion.txt``
  and ``out_of_view.txt`` (one line of comma-separated 0/1) and
  ``img/%08d.jpg``. The video name is ``<cls>-<k>``. A GOT-10k
  ``cover.label`` in the video folder (the synthetic generator writes one)
  is read too, for the per-visibility breakdown.
* GOT-10k: ``D/<video>/groundtruth.txt``, ``absence.label``,
  ``cover.label``, ``%08d.jpg`` and optionally ``meta_info.ini``;
  ``D/list.txt`` lists the videos.
* Results: ``R/<video>.txt`` (one ``x,y,w,h`` per frame), or GOT-10k's
  ``R/<video>/<video>_001.txt``; optionally ``R/<video>_confidence.txt``.
"""
import glob
import os.path as osp
import re
import warnings
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from .boxes import xywh_to_xyxy
from .file_io import (EvaluationInputError, read_box_file, read_flag_file,
                      read_score_file)
from .frame_scores import VideoData
from .visibility_bins import MAX_COVER_LEVEL, first_invalid_cover_level

__all__ = [
    'DATASET_FORMATS', 'VideoAnnotation', 'load_annotations',
    'attach_results', 'read_cover_levels'
]

DATASET_FORMATS = ('lasot', 'got10k')


@dataclass
class VideoAnnotation:
    """Ground truth of one video as found on disk; boxes xyxy.

    Args:
        name (str): Video name used for the result files.
        gt_bboxes (np.ndarray): (N, 4) xyxy ground truth.
        gt_source (str): Path of ``groundtruth.txt``.
        visible (np.ndarray, optional): (N,) visibility.
        cover (np.ndarray, optional): (N,) GOT-10k cover labels.
        image_size (tuple[float, float], optional): ``(width, height)``.
    """
    name: str
    gt_bboxes: np.ndarray
    gt_source: str
    visible: Optional[np.ndarray] = None
    cover: Optional[np.ndarray] = None
    image_size: Optional[Tuple[float, float]] = None


def _image_size(video_dir: str, frame_glob: str) -> Optional[Tuple[int, int]]:
    """``(width, height)`` from meta_info.ini or the first frame's header."""
    meta = osp.join(video_dir, 'meta_info.ini')
    if osp.isfile(meta):
        with open(meta, 'r', encoding='utf-8') as f:
            match = re.search(r'resolution:\s*\((\d+),\s*(\d+)\)', f.read())
        if match:
            return int(match.group(1)), int(match.group(2))
    frames = sorted(glob.glob(osp.join(video_dir, frame_glob)))
    if not frames:
        return None
    from PIL import Image  # only needed for got10k's AO bound
    with Image.open(frames[0]) as img:
        return img.size


def _load_gt(path: str) -> np.ndarray:
    """Ground truth xyxy; ground-truth files are never read leniently."""
    boxes, _ = read_box_file(path)
    return xywh_to_xyxy(boxes)


def read_cover_levels(video_dir: str,
                      num_frames: int) -> Optional[np.ndarray]:
    """GOT-10k cover levels from ``video_dir/cover.label`` if it exists.

    GOT-10k ships the file; the synthetic generator also writes it into its
    LaSOT-layout videos (one level per line in both).

    Raises:
        EvaluationInputError: A level outside 0..8, naming its line.
    """
    path = osp.join(video_dir, 'cover.label')
    if not osp.isfile(path):
        return None
    cover = read_flag_file(path, num_frames)
    i = first_invalid_cover_level(cover)
    if i is not None:
        raise EvaluationInputError(
            path, f'cover level {cover[i]} is not in 0..{MAX_COVER_LEVEL}',
            i + 1)
    return cover


def _load_lasot(root: str, need_size: bool) -> List[VideoAnnotation]:
    """LaSOT videos under ``root`` (``<cls>/<cls>-<k>/groundtruth.txt``)."""
    videos = []
    for gt_path in sorted(glob.glob(osp.join(root, '*', '*',
                                             'groundtruth.txt'))):
        video_dir = osp.dirname(gt_path)
        gt = _load_gt(gt_path)
        flags = []
        for fname in ('full_occlusion.txt', 'out_of_view.txt'):
            path = osp.join(video_dir, fname)
            if osp.isfile(path):
                flags.append(read_flag_file(path, len(gt)) > 0)
        visible = None
        if len(flags) == 2:
            visible = ~(flags[0] | flags[1])
        else:
            warnings.warn(f'{video_dir}: no full_occlusion.txt/out_of_view'
                          '.txt; visibility unknown')
        size = _image_size(osp.join(video_dir, 'img'),
                           '*.jpg') if need_size else None
        videos.append(
            VideoAnnotation(
                osp.basename(video_dir), gt, gt_path, visible,
                cover=read_cover_levels(video_dir, len(gt)), image_size=size))
    if not videos:
        raise EvaluationInputError(
            root, 'no LaSOT videos found (expected '
            '<root>/<cls>/<cls>-<k>/groundtruth.txt)')
    return videos


def _load_got10k(root: str, need_size: bool) -> List[VideoAnnotation]:
    """GOT-10k videos listed in ``root/list.txt`` (else all found)."""
    list_file = osp.join(root, 'list.txt')
    if osp.isfile(list_file):
        with open(list_file, 'r', encoding='utf-8') as f:
            names = [line.strip() for line in f if line.strip()]
    else:
        names = sorted(
            osp.basename(osp.dirname(p))
            for p in glob.glob(osp.join(root, '*', 'groundtruth.txt')))
    videos = []
    for name in names:
        video_dir = osp.join(root, name)
        gt_path = osp.join(video_dir, 'groundtruth.txt')
        if not osp.isfile(gt_path):
            raise EvaluationInputError(
                gt_path, f'video {name} is listed in {list_file} but has no '
                'ground truth')
        gt = _load_gt(gt_path)
        absence = cover = None
        if osp.isfile(osp.join(video_dir, 'absence.label')):
            absence = read_flag_file(
                osp.join(video_dir, 'absence.label'), len(gt)) > 0
        cover = read_cover_levels(video_dir, len(gt))
        visible = None
        if absence is not None or cover is not None:
            # mmtrack's GOT10kDataset: visible = not absent and cover > 0
            visible = np.ones(len(gt), bool)
            if absence is not None:
                visible &= ~absence
            if cover is not None:
                visible &= cover > 0
        size = _image_size(video_dir, '*.jpg') if need_size else None
        videos.append(
            VideoAnnotation(name, gt, gt_path, visible, cover, size))
    if not videos:
        raise EvaluationInputError(
            root, 'no GOT-10k videos found (expected <root>/list.txt and '
            '<root>/<video>/groundtruth.txt)')
    return videos


def load_annotations(data_root: str,
                     dataset_format: str,
                     need_image_size: bool = False
                     ) -> List[VideoAnnotation]:
    """Ground truth of every video of a benchmark folder.

    Args:
        data_root (str): Benchmark root.
        dataset_format (str): 'lasot' or 'got10k'.
        need_image_size (bool): Read each video's image size (the got10k
            convention bounds boxes to the image for AO). Defaults to False.

    Returns:
        list[VideoAnnotation]: One per video, in a stable order.
    """
    if not osp.isdir(data_root):
        raise EvaluationInputError(data_root, 'data root is not a folder')
    if dataset_format == 'lasot':
        return _load_lasot(data_root, need_image_size)
    if dataset_format == 'got10k':
        return _load_got10k(data_root, need_image_size)
    raise ValueError(f'unknown dataset format {dataset_format!r}; expected '
                     f'one of {DATASET_FORMATS}')


def _result_path(results_dir: str, name: str) -> str:
    """``R/<video>.txt``, or GOT-10k's ``R/<video>/<video>_001.txt``."""
    flat = osp.join(results_dir, f'{name}.txt')
    nested = osp.join(results_dir, name, f'{name}_001.txt')
    return nested if not osp.isfile(flat) and osp.isfile(nested) else flat


def attach_results(annotations: List[VideoAnnotation],
                   results_dir: str,
                   missing_as_failure: bool = False,
                   lenient: bool = False) -> List[VideoData]:
    """Pair every annotated video with its results (and confidences).

    Args:
        annotations (list[VideoAnnotation]): From :func:`load_annotations`.
        results_dir (str): Folder of ``<video>.txt`` files.
        missing_as_failure (bool): Score a video without a results file as
            failed on every frame instead of raising. Defaults to False.
        lenient (bool): Score unreadable, missing or extra lines as failed
            rows instead of raising. Defaults to False.

    Returns:
        list[VideoData]: One per annotated video.
    """
    if not osp.isdir(results_dir):
        raise EvaluationInputError(results_dir, 'results folder not found')
    conf_paths = [
        osp.join(results_dir, f'{a.name}_confidence.txt') for a in annotations
    ]
    with_conf = [osp.isfile(p) for p in conf_paths]
    videos = []
    for ann, conf_path, has_conf in zip(annotations, conf_paths, with_conf):
        n = len(ann.gt_bboxes)
        path = _result_path(results_dir, ann.name)
        if osp.isfile(path):
            boxes, failed = read_box_file(path, n, lenient)
        elif missing_as_failure:
            boxes, failed = np.full((n, 4), np.nan), np.ones(n, bool)
        else:
            raise EvaluationInputError(
                path, f'results for video {ann.name} not found')
        scores = None
        if any(with_conf):
            if has_conf:
                scores, bad = read_score_file(conf_path, n, lenient)
                scores = np.where(bad, np.nan, scores)
            elif failed.all():
                scores = np.full(n, np.nan)
            else:
                raise EvaluationInputError(
                    conf_path, 'confidences missing for this video while '
                    'other videos have them')
        videos.append(
            VideoData(
                name=ann.name,
                gt_bboxes=ann.gt_bboxes,
                pred_bboxes=xywh_to_xyxy(boxes),
                visible=ann.visible,
                cover=ann.cover,
                scores=scores,
                failed=failed,
                image_size=ann.image_size,
                pred_source=path,
                gt_source=ann.gt_source))
    return videos
