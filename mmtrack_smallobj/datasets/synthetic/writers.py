"""On-disk layouts of the single-object benchmarks: LaSOT and GOT-10k.

Files match the real benchmarks byte for byte in format (separators, number
formatting, one-line flag files), plus the ``*_infos.txt`` index that
mmtrack's ``LaSOTDataset`` / ``GOT10kDataset`` read, with paths relative to
the output folder.
"""
import math
import os
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np

from .render import Appearance, render_frames
from .scene import VideoScene

# First line of mmtrack's info files (see gen_lasot_infos.py).
INFO_HEADER = ('The format of each line in this txt is '
               '(video_path,annotation_path,start_frame_id,end_frame_id)')


def cover_labels(visible_ratio: np.ndarray) -> np.ndarray:
    """GOT-10k cover levels: 0 is 0 %, 1..7 are (0, 15 %], (15, 30 %], ...
    (75, 90 %], (90, 100 %), and 8 is fully visible.

    Args:
        visible_ratio (np.ndarray): Shown fraction of the full box.

    Returns:
        np.ndarray: Integer levels in 0..8.
    """
    ratio = np.clip(visible_ratio, 0.0, 1.0)
    levels = np.minimum(np.ceil(ratio / 0.15 - 1e-9), 7).astype(np.int64)
    levels[ratio >= 1.0] = 8
    levels[ratio <= 0.0] = 0
    return levels


def target_boxes(scene: VideoScene) -> np.ndarray:
    """Annotated target boxes: clipped to the frame, zeros when absent."""
    boxes = scene.clipped_boxes[0].copy()
    boxes[scene.absent] = 0
    return boxes


def target_cover(scene: VideoScene) -> np.ndarray:
    """GOT-10k cover level of the target per frame, 0 when absent."""
    cover = cover_labels(scene.visible_ratio[0])
    cover[scene.absent] = 0
    return cover


def write_label_file(path: str, values: np.ndarray) -> None:
    """GOT-10k's ``.label`` layout: one integer per line."""
    write_text(path, '\n'.join(str(int(v)) for v in values) + '\n')


def describe(scene: VideoScene, appearance: Appearance) -> str:
    """One natural-language sentence about the target, as in nlp.txt."""
    return (f'{appearance.colour_name} {scene.class_name} moving among '
            f'similar objects over a cluttered background')


class DatasetWriter:
    """Shared by the three layouts: frame encoding and mmtrack's info file.

    Args:
        root (str): Output folder (filled in place).
        split (str): 'train', 'val' or 'test'.
        jpeg_quality (int): JPEG quality of every frame.
    """

    frame_template = '%08d.jpg'

    def __init__(self, root: str, split: str, jpeg_quality: int) -> None:
        self.root = root
        self.split = split
        self.jpeg_params = [int(cv2.IMWRITE_JPEG_QUALITY), int(jpeg_quality)]
        # (video name, video path, annotation path, number of frames)
        self.info_rows: List[Tuple[str, str, str, int]] = []

    def write_frames(self, img_dir: str, scene: VideoScene,
                     appearance: Appearance) -> None:
        """Render and encode every frame of a video into ``img_dir``."""
        os.makedirs(img_dir, exist_ok=True)
        for t, frame in enumerate(render_frames(scene, appearance)):
            ok, data = cv2.imencode('.jpg', frame, self.jpeg_params)
            if not ok:
                raise RuntimeError(f'JPEG encoding failed in {img_dir}')
            with open(osp.join(img_dir, self.frame_template % (t + 1)),
                      'wb') as f:
                f.write(data.tobytes())

    def write_info_file(self, name: str) -> str:
        """Write mmtrack's info file (rows sorted by video name, no trailing
        newline, as gen_*_infos.py writes it) and return its name."""
        lines = [INFO_HEADER]
        for _, video_path, ann_path, num_frames in sorted(self.info_rows):
            lines.append(f'{video_path},{ann_path},1,{num_frames}')
        write_text(osp.join(self.root, name), '\n'.join(lines))
        return name


class LaSOTWriter(DatasetWriter):
    """``<cls>/<cls>-<k>/img/%08d.jpg`` with LaSOT's annotation files."""

    def __init__(self, root: str, split: str, jpeg_quality: int) -> None:
        super().__init__(root, split, jpeg_quality)
        self.class_counts: Dict[str, int] = {}

    def add_video(self, index: int, scene: VideoScene,
                  appearance: Appearance) -> str:
        """Write one video and return its name (``<cls>-<k>``)."""
        cls = scene.class_name
        self.class_counts[cls] = self.class_counts.get(cls, 0) + 1
        name = f'{cls}-{self.class_counts[cls]}'
        video_dir = osp.join(self.root, cls, name)
        self.write_frames(osp.join(video_dir, 'img'), scene, appearance)
        # LaSOT writes integers, and 0,0,0,0 when the target is absent.
        rows = [','.join(str(int(v)) for v in box)
                for box in target_boxes(scene)]
        write_text(osp.join(video_dir, 'groundtruth.txt'),
                    '\n'.join(rows) + '\n')
        for fname, flags in (('full_occlusion.txt', scene.full_occlusion),
                             ('out_of_view.txt', scene.out_of_view)):
            write_text(
                osp.join(video_dir, fname),
                ','.join('1' if f else '0' for f in flags))
        # Not in real LaSOT: GOT-10k's cover levels, so that evaluation
        # can break results down by how much of the target shows.
        write_label_file(osp.join(video_dir, 'cover.label'),
                         target_cover(scene))
        write_text(osp.join(video_dir, 'nlp.txt'),
                    describe(scene, appearance))
        self.info_rows.append((name, f'{cls}/{name}/img',
                               f'{cls}/{name}/groundtruth.txt',
                               scene.num_frames))
        return name

    def finish(self) -> str:
        """Write ``lasot_<split>_infos.txt``; return its relative path."""
        return self.write_info_file(f'lasot_{self.split}_infos.txt')


class GOT10kWriter(DatasetWriter):
    """``GOT-10k_<Split>_%06d/%08d.jpg`` with GOT-10k's label files."""

    def add_video(self, index: int, scene: VideoScene,
                  appearance: Appearance) -> str:
        """Write one video and return its name."""
        name = f'GOT-10k_{self.split.capitalize()}_{index + 1:06d}'
        video_dir = osp.join(self.root, name)
        self.write_frames(video_dir, scene, appearance)
        rows = [','.join(f'{float(v):.4f}' for v in box)
                for box in target_boxes(scene)]
        write_text(osp.join(video_dir, 'groundtruth.txt'),
                    '\n'.join(rows) + '\n')
        absent = scene.absent
        boxes = scene.boxes[0]
        width, height = scene.frame_size
        cut = ((boxes[:, 0] < 0) | (boxes[:, 1] < 0) |
               (boxes[:, 0] + boxes[:, 2] > width) |
               (boxes[:, 1] + boxes[:, 3] > height)) & ~scene.out_of_view
        for fname, values in (('absence.label', absent.astype(int)),
                              ('cover.label', target_cover(scene)),
                              ('cut_by_image.label', cut.astype(int))):
            write_label_file(osp.join(video_dir, fname), values)
        write_text(osp.join(video_dir, 'meta_info.ini'),
                    _meta_info(scene, appearance))
        self.info_rows.append(
            (name, name, f'{name}/groundtruth.txt', scene.num_frames))
        return name

    def finish(self) -> str:
        """Write ``list.txt`` and ``got10k_<split>_infos.txt``; return the
        info file's relative path."""
        names = sorted(row[0] for row in self.info_rows)
        write_text(osp.join(self.root, 'list.txt'), '\n'.join(names) + '\n')
        return self.write_info_file(f'got10k_{self.split}_infos.txt')


def _meta_info(scene: VideoScene, appearance: Appearance) -> str:
    """GOT-10k's meta_info.ini, with the fields the real files carry."""
    seconds = math.ceil(scene.num_frames / 10)
    width, height = scene.frame_size
    return '\n'.join([
        '[METAINFO]', 'url: synthetic', 'begin: 00:00:00',
        f'end: {seconds // 3600:02d}:{seconds // 60 % 60:02d}:'
        f'{seconds % 60:02d}', 'anno_fps: 10Hz',
        f'object_class: {appearance.colour_name} {scene.class_name}',
        'motion_class: moving', f'major_class: {scene.class_name}',
        'root_class: object', 'motion_adverb: randomly',
        f'resolution: ({width}, {height})'
    ]) + '\n'


def write_text(path: str, text: str) -> None:
    """Write text with '\\n' line ends whatever the platform."""
    with open(path, 'w', newline='\n') as f:
        f.write(text)
