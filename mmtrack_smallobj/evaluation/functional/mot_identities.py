"""The identities of a COCO-VID file, for re-id embedding studies.

What ``tools/make_synthetic.py --format mot`` and mmtrack's ``mot2coco.py``
write: per sampled frame, the boxes of the objects that have an identity,
keyed by video so that the same id in two videos is two identities.
``embedding_separation`` scores embeddings of these objects.
"""
import json
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np

from ...utils.config_checks import check_number
from .file_io import EvaluationInputError

__all__ = ['IdentityFrame', 'MOTIdentities', 'load_mot_identities']


@dataclass
class IdentityFrame:
    """The objects of one frame that have an identity.

    Args:
        file_name (str): Image path relative to the data root.
        video (int): Index of the video in :attr:`MOTIdentities.videos`.
        frame_id (int): 0-based frame index in the video.
        boxes_xyxy (np.ndarray): (K, 4) float64 boxes x1, y1, x2, y2 in
            image pixels (continuous: x2 = x + w).
        identities (np.ndarray): (K,) int64 indices into
            :attr:`MOTIdentities.names`.
    """
    file_name: str
    video: int
    frame_id: int
    boxes_xyxy: np.ndarray
    identities: np.ndarray


@dataclass
class MOTIdentities:
    """Sampled frames of a COCO-VID file and the identities they show.

    Args:
        frames (list[IdentityFrame]): Frames with at least one kept object,
            by video then frame.
        names (list[str]): One distinct name per identity,
            ``<video>#<id>`` (the MOT id when the file has it, else its
            ``instance_id``).
        videos (list[str]): Video names.
    """
    frames: List[IdentityFrame]
    names: List[str]
    videos: List[str]


def _require(record: dict, keys: Tuple[str, ...], path: str,
             what: str) -> None:
    """Raise naming the first of ``keys`` that ``record`` lacks."""
    for key in keys:
        if key not in record:
            raise EvaluationInputError(
                path, f'{what} has no {key!r}: not a COCO-VID (MOT) '
                'annotation file')


def _kept(ann: dict, min_visibility: float) -> bool:
    """Whether an annotation is a visible object with an identity."""
    if ann.get('instance_id') is None or ann.get('iscrowd') or ann.get(
            'ignore_flag'):
        return False
    visibility = float(ann.get('visibility', 1.0))
    # Visibility 0 is a fully hidden object: its box centre shows whatever
    # hides it, which is not that identity's appearance.
    if visibility <= 0 or visibility < min_visibility:
        return False
    width, height = ann['bbox'][2:4]
    return width > 0 and height > 0


def load_mot_identities(ann_file: str,
                        max_frames_per_video: Optional[int] = None,
                        frame_step: int = 1,
                        min_visibility: float = 0.0) -> MOTIdentities:
    """Read the visible objects and their identities from a COCO-VID file.

    An identity is a ``(video_id, instance_id)`` pair, so files that number
    ``instance_id`` per video and files that number it over the whole split
    (mot2coco, our generator) read the same. Crowd, ignored and fully
    hidden objects and boxes without a positive size are left out.

    Args:
        ann_file (str): E.g. ``D/annotations/test_cocoformat.json``.
        max_frames_per_video (int, optional): Keep at most this many of a
            video's sampled frames (all if None).
        frame_step (int): Sample every ``frame_step``-th frame of a video,
            from its first. Defaults to 1.
        min_visibility (float): Keep objects at least this visible (and
            always above 0). Defaults to 0.

    Returns:
        MOTIdentities: Frames with at least one kept object, and the names
        of the identities seen in them.

    Raises:
        EvaluationInputError: A missing or unreadable file, or one without
            COCO-VID's ``videos``, ``images`` and ``annotations`` (or their
            keys).
    """
    # Integers: both slice the video's frames.
    check_number('frame_step', frame_step, 1, integer=True)
    if max_frames_per_video is not None:
        check_number('max_frames_per_video', max_frames_per_video, 1,
                     integer=True)
    if not osp.isfile(ann_file):
        raise EvaluationInputError(ann_file, 'file not found')
    try:
        with open(ann_file, 'r', encoding='utf-8') as f:
            coco = json.load(f)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise EvaluationInputError(ann_file,
                                   f'cannot be read ({err})') from None
    if not isinstance(coco, dict):
        raise EvaluationInputError(ann_file, 'is not a JSON object')
    _require(coco, ('videos', 'images', 'annotations'), ann_file, 'the file')
    videos: Dict[int, str] = {}
    for video in coco['videos']:
        _require(video, ('id', 'name'), ann_file, 'a video')
        videos[video['id']] = video['name']
    by_image: Dict[int, List[dict]] = {}
    for ann in coco['annotations']:
        _require(ann, ('image_id', 'bbox'), ann_file, 'an annotation')
        if _kept(ann, min_visibility):
            by_image.setdefault(ann['image_id'], []).append(ann)
    per_video: Dict[int, List[dict]] = {}
    for image in coco['images']:
        _require(image, ('id', 'video_id', 'frame_id', 'file_name'),
                 ann_file, 'an image')
        if image['video_id'] not in videos:
            raise EvaluationInputError(
                ann_file, f"image {image['id']} has video_id "
                f"{image['video_id']}, which 'videos' does not list")
        per_video.setdefault(image['video_id'], []).append(image)
    video_ids = sorted(per_video, key=lambda v: videos[v])
    keys: Dict[Tuple[int, int], int] = {}
    names: List[str] = []
    frames: List[IdentityFrame] = []
    for video_index, video_id in enumerate(video_ids):
        images = sorted(per_video[video_id], key=lambda im: im['frame_id'])
        images = images[::frame_step][:max_frames_per_video]
        for image in images:
            anns = by_image.get(image['id'], [])
            if not anns:
                continue
            labels = []
            for ann in anns:
                key = (video_id, int(ann['instance_id']))
                if key not in keys:
                    keys[key] = len(names)
                    shown = ann.get('mot_instance_id', ann['instance_id'])
                    name = f'{videos[video_id]}#{shown}'
                    if name in names:  # MOT ids on some annotations only
                        name += f" (instance_id {ann['instance_id']})"
                    names.append(name)
                labels.append(keys[key])
            xywh = np.array([ann['bbox'][:4] for ann in anns], np.float64)
            frames.append(
                IdentityFrame(
                    file_name=image['file_name'],
                    video=video_index,
                    frame_id=int(image['frame_id']),
                    boxes_xyxy=np.concatenate(
                        [xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1),
                    identities=np.array(labels, np.int64)))
    return MOTIdentities(frames, names, [videos[v] for v in video_ids])
