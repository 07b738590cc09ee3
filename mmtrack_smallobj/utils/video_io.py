"""Frames in, annotated video out: the file handling of ``tools/demo.py``.

A demo input is a video file or a folder of image files; both are read one
frame at a time, so a long video never has to fit in memory. The output
video is written under a temporary name beside its destination and renamed
over it only when complete, so an interrupted run never leaves a
half-written video that looks finished.
"""
import glob
import math
import os
import os.path as osp
import re
import sys
import tempfile
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..evaluation.functional.file_io import user_file_mode

__all__ = [
    'IMAGE_EXTENSIONS', 'FrameSource', 'open_frames', 'parse_box_xywh',
    'check_box_in_frame', 'has_display', 'select_box', 'AtomicVideoWriter',
    'make_progress'
]

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff',
                    '.webp')


def _natural_key(path: str) -> List:
    """Sort key that orders ``2.jpg`` before ``10.jpg``: frame folders are
    often numbered without zero padding."""
    parts = re.split(r'(\d+)', osp.basename(path))
    return [int(p) if p.isdigit() else p.lower() for p in parts]


class FrameSource:
    """The frames of a video file or of a folder of images, read lazily.

    Args:
        path (str): The input, as given on the command line.
        frame_paths (Sequence[str], optional): The image files of a folder
            input, in order; None for a video file.
        fps (float, optional): The video's frame rate, if it reports one.
        num_frames (int): Frame count; for a video the container's
            estimate (0 if unknown), which can differ from what decodes.
    """

    def __init__(self,
                 path: str,
                 frame_paths: Optional[Sequence[str]] = None,
                 fps: Optional[float] = None,
                 num_frames: int = 0) -> None:
        self.path = path
        self.frame_paths = list(frame_paths) if frame_paths else None
        self.fps = fps
        self.num_frames = num_frames

    def __iter__(self) -> Iterator[Tuple[str, np.ndarray]]:
        """Yield ``(where, image)``: where names the frame in messages, the
        image is (H, W, 3) BGR uint8."""
        if self.frame_paths is not None:
            for frame_path in self.frame_paths:
                img = cv2.imread(frame_path, cv2.IMREAD_COLOR)
                if img is None:
                    raise ValueError(f'{frame_path}: cannot be read as an '
                                     'image')
                yield frame_path, img
            return
        capture = cv2.VideoCapture(self.path)
        try:
            index = 0
            while True:
                ok, img = capture.read()
                if not ok:
                    break
                yield f'{self.path}, frame {index}', img
                index += 1
        finally:
            capture.release()


def open_frames(path: str) -> FrameSource:
    """Check a demo input and describe its frames.

    Args:
        path (str): A video file (anything OpenCV's FFmpeg backend decodes)
            or a folder of image files (``IMAGE_EXTENSIONS``), which are
            taken in natural order of their names.

    Returns:
        FrameSource: Ready to iterate.

    Raises:
        ValueError: A missing path, a folder without images, or a video
            that cannot be opened or has no decodable frame; the message
            names the path.
    """
    if osp.isdir(path):
        frames = [
            p for p in glob.glob(osp.join(path, '*'))
            if osp.isfile(p) and p.lower().endswith(IMAGE_EXTENSIONS)
        ]
        if not frames:
            raise ValueError(f'{path}: no image files in this folder '
                             f'(looked for {", ".join(IMAGE_EXTENSIONS)})')
        frames.sort(key=_natural_key)
        return FrameSource(path, frames, None, len(frames))
    if not osp.exists(path):
        raise ValueError(f'{path}: no such video file or frame folder')
    capture = cv2.VideoCapture(path)
    try:
        # isOpened() alone accepts some files that then decode nothing.
        if not capture.isOpened() or not capture.read()[0]:
            raise ValueError(f'{path}: cannot be decoded as a video')
        fps = capture.get(cv2.CAP_PROP_FPS)
        count = int(max(capture.get(cv2.CAP_PROP_FRAME_COUNT), 0))
    finally:
        capture.release()
    fps = fps if math.isfinite(fps) and fps > 0 else None
    return FrameSource(path, None, fps, count)


def parse_box_xywh(text: str) -> np.ndarray:
    """Parse ``'x,y,w,h'`` (pixels, commas or spaces) into a (4,) array.

    Args:
        text (str): The box as typed.

    Returns:
        np.ndarray: (4,) float64 ``x, y, w, h``.

    Raises:
        ValueError: Not four finite numbers, or no positive size.
    """
    tokens = [t for t in re.split(r'[,\s]+', text.strip()) if t]
    try:
        box = np.array([float(t) for t in tokens], np.float64)
    except ValueError:
        box = np.zeros(0)
    if box.shape != (4, ) or not np.isfinite(box).all():
        raise ValueError(f'expected a box as x,y,w,h (four numbers), got '
                         f'{text!r}')
    if box[2] <= 0 or box[3] <= 0:
        raise ValueError(f'box {text!r} has no positive width and height')
    return box


def check_box_in_frame(box_xywh: np.ndarray, width: int, height: int,
                       where: str) -> None:
    """Refuse a first-frame box that does not overlap the frame.

    Args:
        box_xywh (np.ndarray): (4,) ``x, y, w, h``.
        width (int): Frame width.
        height (int): Frame height.
        where (str): The input, named in the message.

    Raises:
        ValueError: If the box lies wholly outside the image.
    """
    x, y, w, h = (float(v) for v in box_xywh)
    if x >= width or y >= height or x + w <= 0 or y + h <= 0:
        raise ValueError(f'{where}: the init box {x:g},{y:g},{w:g},{h:g} '
                         f'(x,y,w,h) lies outside the {width}x{height} '
                         'first frame')


def has_display() -> bool:
    """Whether ``cv2.selectROI`` can open a window here: a display is set
    (always on Windows and macOS) and OpenCV was built with a GUI backend
    (``opencv-python-headless`` has none)."""
    if sys.platform not in ('win32', 'darwin') and not (
            os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')):
        return False
    match = re.search(r'GUI:\s*(\S+)', cv2.getBuildInformation())
    return bool(match) and match.group(1).upper() != 'NONE'


def select_box(image: np.ndarray, title: str) -> np.ndarray:
    """Ask the user to draw the target's box on ``image``.

    Args:
        image (np.ndarray): (H, W, 3) BGR first frame.
        title (str): Window title.

    Returns:
        np.ndarray: (4,) ``x, y, w, h``.

    Raises:
        ValueError: If the selection was cancelled or empty.
    """
    box = cv2.selectROI(title, image, showCrosshair=True, fromCenter=False)
    cv2.destroyWindow(title)
    box = np.asarray(box, np.float64).reshape(-1)
    if box.shape != (4, ) or box[2] <= 0 or box[3] <= 0:
        raise ValueError('no box was selected on the first frame; draw one '
                         'and press Enter, or give --init-box x,y,w,h')
    return box


class AtomicVideoWriter:
    """An mp4 ('mp4v') writer that appears at its path only when complete.

    Frames go to a temporary file beside ``path``; :meth:`commit` renames it
    over ``path`` and :meth:`discard` (or leaving a ``with`` block by an
    exception) removes it.

    Args:
        path (str): Destination ``.mp4``; its folder must exist.
        fps (float): Frame rate.
        size (tuple[int, int]): ``(width, height)`` of every frame.

    Raises:
        OSError: If OpenCV cannot open an mp4v writer there (no FFmpeg
            backend, an unwritable folder).
    """

    def __init__(self, path: str, fps: float, size: Tuple[int, int]) -> None:
        self.path = path
        self.size = (int(size[0]), int(size[1]))
        folder = osp.dirname(osp.abspath(path))
        fd, self.tmp_path = tempfile.mkstemp(
            prefix=f'.{osp.basename(path)}.', suffix='.mp4', dir=folder)
        os.close(fd)
        self._writer = cv2.VideoWriter(self.tmp_path,
                                       cv2.VideoWriter_fourcc(*'mp4v'),
                                       float(fps), self.size)
        if not self._writer.isOpened():
            self.discard()
            raise OSError(f'{path}: OpenCV cannot open an mp4v video writer '
                          'here (is its FFmpeg backend missing?)')

    def write(self, image: np.ndarray) -> None:
        """Append one (H, W, 3) BGR frame of the writer's size; OpenCV
        silently drops frames of another size, so they are refused."""
        height, width = image.shape[:2]
        if (width, height) != self.size:
            raise ValueError(f'frame of {width}x{height} in a video of '
                             f'{self.size[0]}x{self.size[1]}')
        self._writer.write(image)

    def commit(self) -> str:
        """Finish the file and move it to its path; returns the path."""
        self._writer.release()
        os.chmod(self.tmp_path, user_file_mode())
        os.replace(self.tmp_path, self.path)
        return self.path

    def discard(self) -> None:
        """Drop the unfinished file."""
        if hasattr(self, '_writer'):
            self._writer.release()
        if osp.exists(self.tmp_path):
            os.remove(self.tmp_path)

    def __enter__(self) -> 'AtomicVideoWriter':
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()


def make_progress(total: int, enabled: bool
                  ) -> Tuple[Callable[[], None], Callable[[], None]]:
    """A per-frame progress callback (tqdm if installed, else mmengine's
    ProgressBar) and a closer.

    Args:
        total (int): Expected frames; 0 if unknown (tqdm then counts only).
        enabled (bool): False gives callbacks that do nothing.

    Returns:
        tuple: ``(update, close)``.
    """
    if not enabled:
        return (lambda: None), (lambda: None)
    try:
        from tqdm import tqdm
    except ImportError:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(total)
        return bar.update, (lambda: print())
    bar = tqdm(total=total or None, unit='frame', dynamic_ncols=True)
    return (lambda: bar.update(1)), bar.close
