"""Inputs of the bad-input suite: the tiny tracker's config, tiny LaSOT
files, crafted images, and a check for half-written files."""
import glob
import os
import os.path as osp
from typing import List

import cv2
import numpy as np
from tiny_configs import tiny_config_text

CHECKED_TEST_PIPELINE = [
    dict(type='LoadImageFromFileChecked'),
    dict(type='LoadTrackAnnotations', with_instance_id=False),
    dict(type='PackTrackInputs', pack_single_img=True),
]
# The same tiny tracker as a config file, with the guarded image loader.
TINY_CONFIG_TEXT = tiny_config_text(
    extra=f'test_dataloader = dict(dataset=dict(pipeline='
    f'{CHECKED_TEST_PIPELINE!r}))\n')


def lasot_gt_files(root: str) -> List[str]:
    """The ``groundtruth.txt`` files of a LaSOT-layout root, sorted."""
    return sorted(glob.glob(osp.join(root, '*', '*', 'groundtruth.txt')))


def lasot_frames(gt_path: str) -> List[str]:
    """The frames of the video a ``groundtruth.txt`` belongs to."""
    return sorted(glob.glob(osp.join(osp.dirname(gt_path), 'img', '*.jpg')))


def rewrite_line(path: str, index: int, text: str) -> None:
    """Replace line ``index`` (0-based) of a text file."""
    with open(path) as f:
        lines = f.read().splitlines()
    lines[index] = text
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def write_jpeg(path: str, img: np.ndarray) -> bytes:
    """Encode ``img`` as JPEG at ``path``; returns the bytes."""
    ok, buf = cv2.imencode('.jpg', img)
    assert ok
    data = buf.tobytes()
    with open(path, 'wb') as f:
        f.write(data)
    return data


def jpeg_with_header_size(width: int, height: int) -> bytes:
    """A valid 32x32 JPEG whose frame header claims ``width x height``: a
    few hundred bytes on disk that would decode to a huge image."""
    ok, buf = cv2.imencode('.jpg', np.zeros((32, 32, 3), np.uint8))
    data = bytearray(buf.tobytes())
    sof = data.find(b'\xff\xc0')  # baseline start-of-frame
    data[sof + 5:sof + 7] = height.to_bytes(2, 'big')
    data[sof + 7:sof + 9] = width.to_bytes(2, 'big')
    return bytes(data)


def assert_no_partial_files(folder: str) -> None:
    """No temporary file of an atomic write is left in ``folder``."""
    if not osp.isdir(folder):
        return
    leftovers = [
        name for name in os.listdir(folder)
        if name.endswith('.tmp') or name.startswith('.')
    ]
    assert not leftovers, f'half-written files left in {folder}: {leftovers}'
