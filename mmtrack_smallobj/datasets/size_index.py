"""Target sizes of SOT training sets, scanned once from the annotations.

``SizeRebalanceDataset`` and ``tools/analysis/size_stats.py`` need the size
``sqrt(w * h)`` of every frame's target at the training scale. Scanning reads
each video's annotations once (and, with a training scale, the header of its
first frame, since frames of one video share a size); an optional ``.npz``
cache keeps the result across runs and is rescanned when the data change.
"""
import io
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import mmcv
import numpy as np
from mmengine.dataset import ConcatDataset
from mmengine.fileio import get
from mmengine.logging import print_log
from mmengine.utils import ProgressBar
from mmtrack.datasets import BaseSOTDataset, RandomSampleConcatDataset
from PIL import Image

Scan = Dict[str, np.ndarray]


def sot_datasets(dataset) -> Tuple[List[BaseSOTDataset], List[float]]:
    """The SOT datasets inside ``dataset`` and the probability of each.

    Args:
        dataset (BaseSOTDataset | RandomSampleConcatDataset | ConcatDataset
            | list): A built dataset or a list of them.

    Returns:
        tuple[list, list[float]]: The datasets and their probabilities:
        ``dataset_sampling_probs`` of a ``RandomSampleConcatDataset``,
        proportional to length for a ``ConcatDataset``, uniform for a list.
    """
    if isinstance(dataset, RandomSampleConcatDataset):
        inner, probs = list(dataset.datasets), list(
            dataset.dataset_sampling_probs)
    elif isinstance(dataset, ConcatDataset):
        inner = list(dataset.datasets)
        probs = [float(len(ds)) for ds in inner]
    elif isinstance(dataset, (list, tuple)):
        inner, probs = list(dataset), [1.0] * len(dataset)
    else:
        inner, probs = [dataset], [1.0]
    for ds in inner:
        if not isinstance(ds, BaseSOTDataset):
            raise TypeError('size rebalancing wraps SOT datasets '
                            '(BaseSOTDataset), RandomSampleConcatDataset or '
                            f'ConcatDataset, got {type(ds).__name__}')
    total = float(sum(probs))
    if total <= 0:
        raise ValueError('size rebalancing: the wrapped datasets have '
                         'no sampling weight')
    return inner, [p / total for p in probs]


def image_size(path: str) -> Tuple[int, int]:
    """``(w, h)`` of an image from its header (any mmengine file backend)."""
    try:
        with Image.open(io.BytesIO(get(path))) as img:
            return img.size
    except (OSError, ValueError) as error:
        raise OSError(f'cannot read the size of frame {path}: {error}') \
            from error


def scan_target_sizes(dataset: BaseSOTDataset,
                      scale: Optional[Tuple[int, int]] = None,
                      progress: bool = False) -> Scan:
    """Sizes of the drawable frames of one SOT training dataset.

    A frame is drawable when its target is visible with a valid box
    (mmtrack's ``visible`` and ``bboxes_isvalid``, the latter applying
    ``bbox_min_size``) of finite, positive width and height.

    Args:
        dataset (BaseSOTDataset): A fully initialised training dataset.
        scale (tuple[int, int], optional): Training ``(w, h)`` scale, as
            ``RandomResize(scale, keep_ratio=True)`` uses it; ``None``
            keeps raw pixels.
        progress (bool): Show mmengine's progress bar. Defaults to False.

    Returns:
        dict[str, np.ndarray]: ``video``, ``frame`` (int32) and ``size``
        (float32) of every drawable frame, in (video, frame) order, and
        ``num_frames``: the number of frames scanned.
    """
    videos, frames, sizes = [], [], []
    num_frames = 0
    bar = ProgressBar(len(dataset)) if progress else None
    for v in range(len(dataset)):
        ann = dataset.get_ann_infos_from_video(v)
        boxes = np.asarray(ann['bboxes'], np.float64).reshape(-1, 4)
        w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
        valid = np.asarray(ann['visible'], bool) & np.asarray(
            ann.get('bboxes_isvalid', True), bool)
        valid &= np.isfinite(boxes).all(axis=1) & (w > 0) & (h > 0)
        factor = 1.0
        if scale is not None and valid.any():
            first = dataset.get_img_infos_from_video(v)['img_paths'][0]
            factor = mmcv.rescale_size(
                image_size(first), scale, return_scale=True)[1]
        keep = np.flatnonzero(valid)
        videos.append(np.full(len(keep), v, np.int32))
        frames.append(keep.astype(np.int32))
        sizes.append((np.sqrt(w[keep] * h[keep]) * factor).astype(np.float32))
        num_frames += len(boxes)
        if bar is not None:
            bar.update()
    if bar is not None:
        print()
    empty_i, empty_f = np.zeros(0, np.int32), np.zeros(0, np.float32)
    return dict(
        video=np.concatenate(videos) if videos else empty_i,
        frame=np.concatenate(frames) if frames else empty_i,
        size=np.concatenate(sizes) if sizes else empty_f,
        num_frames=np.array(num_frames, np.int64))


def _fingerprint(datasets: Sequence[BaseSOTDataset],
                 scale: Optional[Tuple[int, int]]) -> str:
    """What the cached sizes depend on: data, annotations' time, scale."""
    parts = []
    for ds in datasets:
        ann_file = getattr(ds, 'ann_file', '') or ''
        mtime = osp.getmtime(ann_file) if osp.isfile(ann_file) else None
        parts.append(
            dict(
                type=type(ds).__name__,
                data_root=getattr(ds, 'data_root', None),
                ann_file=ann_file,
                ann_mtime=mtime,
                num_videos=len(ds),
                bbox_min_size=getattr(ds, 'bbox_min_size', None)))
    return json.dumps(
        dict(datasets=parts, scale=list(scale) if scale else None),
        sort_keys=True)


def load_or_scan(datasets: Sequence[BaseSOTDataset],
                 scale: Optional[Tuple[int, int]],
                 cache_file: Optional[str] = None,
                 progress: bool = False) -> List[Scan]:
    """Scans of ``datasets``, read from ``cache_file`` when it matches.

    Args:
        datasets (Sequence[BaseSOTDataset]): Fully initialised datasets.
        scale (tuple[int, int], optional): Training scale (see
            :func:`scan_target_sizes`).
        cache_file (str, optional): ``.npz`` cache; written atomically after
            a scan, so that concurrent ranks never read half a file.
        progress (bool): Show a progress bar while scanning.

    Returns:
        list[dict]: One scan per dataset.
    """
    key = _fingerprint(datasets, scale)
    if cache_file and osp.isfile(cache_file):
        with np.load(cache_file, allow_pickle=False) as data:
            if str(data['fingerprint']) == key:
                return [{
                    name: data[f'{d}_{name}']
                    for name in ('video', 'frame', 'size', 'num_frames')
                } for d in range(len(datasets))]
        print_log(f'size cache {cache_file} is for other data; rescanning',
                  logger='current')
    scans = [scan_target_sizes(ds, scale, progress) for ds in datasets]
    if cache_file:
        arrays = {
            f'{d}_{name}': value
            for d, scan in enumerate(scans) for name, value in scan.items()
        }
        folder = osp.dirname(osp.abspath(cache_file))
        os.makedirs(folder, exist_ok=True)
        tmp = osp.join(folder, f'.{osp.basename(cache_file)}.{os.getpid()}')
        with open(tmp, 'wb') as f:
            np.savez(f, fingerprint=np.array(key), **arrays)
        os.replace(tmp, cache_file)
    return scans


class FrameSizeIndex:
    """The drawable frames of several datasets, looked up by size or video.

    Rows are frames in (dataset, video, frame) order; ``positions`` are
    places in the order sorted by (dataset, size), where the frames of one
    dataset within a size interval form one contiguous range.

    Args:
        scans (Sequence[dict]): One :func:`scan_target_sizes` result per
            dataset, none of them empty.
    """

    def __init__(self, scans: Sequence[Scan]) -> None:
        self.dataset = np.concatenate([
            np.full(len(s['size']), d, np.int32) for d, s in enumerate(scans)
        ])
        self.video = np.concatenate([s['video'] for s in scans])
        self.frame = np.concatenate([s['frame'] for s in scans])
        self.size = np.concatenate([s['size'] for s in scans])
        # One key per (dataset, video); rows of a video are contiguous.
        keys = self.dataset.astype(np.int64) * (1 << 32) + self.video
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        self.video_keys = keys[starts]
        self.video_bounds = np.r_[starts, len(keys)]
        self.by_size = np.lexsort((self.size, self.dataset))
        self.sorted_size = self.size[self.by_size]
        self.blocks = np.searchsorted(self.dataset[self.by_size],
                                      np.arange(len(scans) + 1))

    def __len__(self) -> int:
        """Number of drawable frames."""
        return len(self.size)

    @property
    def num_videos(self) -> int:
        """Number of videos with a drawable frame."""
        return len(self.video_keys)

    def size_extent(self, d: int) -> Tuple[float, float]:
        """Smallest and largest size in dataset ``d``."""
        block = self.sorted_size[self.blocks[d]:self.blocks[d + 1]]
        return float(block[0]), float(block[-1])

    def size_range(self, d: int, low: float, high: float,
                   low_side: str = 'left') -> Tuple[int, int]:
        """Positions of dataset ``d``'s frames with ``low <= size < high``
        (``low < size`` when ``low_side`` is 'right')."""
        lo_d = self.blocks[d]
        block = self.sorted_size[lo_d:self.blocks[d + 1]]
        return (lo_d + int(np.searchsorted(block, low, low_side)),
                lo_d + int(np.searchsorted(block, high, 'left')))

    def draw_row(self, rng: np.random.Generator, lo: int, hi: int) -> int:
        """Row of a frame drawn uniformly at size-order positions
        ``[lo, hi)``."""
        return int(self.by_size[rng.integers(lo, hi)])

    def video_frames(self, d: int, video: int) -> np.ndarray:
        """Drawable frames of one video, sorted."""
        i = int(np.searchsorted(self.video_keys, d * (1 << 32) + video))
        return self.frame[self.video_bounds[i]:self.video_bounds[i + 1]]

    def dataset_videos(self, d: int) -> np.ndarray:
        """Videos of dataset ``d`` that have a drawable frame."""
        lo, hi = np.searchsorted(self.video_keys,
                                 [d * (1 << 32), (d + 1) * (1 << 32)])
        return self.video_keys[lo:hi] - d * (1 << 32)
