"""Bad input at data loading: frame files and the videos' annotation files.

Frames go through ``LoadImageFromFileChecked``; videos through
``list_videos``, which ``tools/track.py`` uses to read a benchmark folder.
"""
import os

import cv2
import mmcv
import numpy as np
import pytest
from mmcv.transforms import LoadImageFromFile
from robust_inputs import (jpeg_with_header_size, lasot_frames,
                           lasot_gt_files, rewrite_line, write_jpeg)

from mmtrack_smallobj.apis import list_videos
from mmtrack_smallobj.datasets.transforms import loading
from mmtrack_smallobj.datasets.transforms.loading import (
    ImageLoadError, ImageTooLargeError, LoadImageFromFileChecked,
    jpeg_is_complete)
from mmtrack_smallobj.evaluation.functional import EvaluationInputError


def _noise(height: int, width: int) -> np.ndarray:
    """A reproducible BGR frame full of detail (large JPEG scan data)."""
    rng = np.random.default_rng(0)
    return (rng.random((height, width, 3)) * 255).astype(np.uint8)


def _load(path, **kwargs):
    return LoadImageFromFileChecked(**kwargs)(dict(img_path=str(path)))


@pytest.mark.parametrize('damage, message', [
    ('truncated', 'truncated JPEG'),
    ('no_end_marker', 'truncated JPEG'),
    ('garbage', 'no readable image header'),
])
def test_corrupt_jpeg_is_refused_naming_the_file(tmp_path, damage, message):
    data = write_jpeg(str(tmp_path / 'ok.jpg'), _noise(48, 64))
    if damage == 'truncated':
        data = data[:len(data) // 2]
    elif damage == 'no_end_marker':
        data = data[:-2]
    else:
        data = b'\xff\xd8\xff' + bytes(range(256)) * 4
    path = tmp_path / f'{damage}.jpg'
    path.write_bytes(data)
    with pytest.raises(ImageLoadError, match=message) as info:
        _load(path)
    assert info.value.path == str(path) and str(path) in str(info.value)


def test_missing_and_empty_frame_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='absent.jpg'):
        _load(tmp_path / 'absent.jpg')
    empty = tmp_path / 'empty.jpg'
    empty.write_bytes(b'')
    with pytest.raises(ImageLoadError, match='empty.jpg is an empty file'):
        _load(empty)
    text = tmp_path / 'notes.jpg'
    text.write_text('not an image\n')
    with pytest.raises(ImageLoadError, match='notes.jpg has no readable'):
        _load(text)


def test_huge_dimensions_are_refused_before_decoding(tmp_path, monkeypatch):
    path = tmp_path / 'huge.jpg'
    path.write_bytes(jpeg_with_header_size(10000, 10000))
    assert path.stat().st_size < 2000

    def no_decoding(*args, **kwargs):
        raise AssertionError('the image was decoded')

    monkeypatch.setattr(loading.mmcv, 'imfrombytes', no_decoding)
    with pytest.raises(ImageTooLargeError, match='10000x10000') as info:
        _load(path)
    assert 'max_pixels=50000000' in str(info.value)
    assert str(path) in str(info.value)
    # The limit is a setting, not bad data: ignore_empty does not hide it.
    with pytest.raises(ImageTooLargeError):
        _load(path, ignore_empty=True)
    with pytest.raises(ImageTooLargeError, match='max_pixels=1000'):
        _load(path, max_pixels=1000)
    with pytest.raises(ValueError,
                       match='max_pixels must be a number >= 1, got 0'):
        LoadImageFromFileChecked(max_pixels=0)


@pytest.mark.parametrize('size, fill', [((32, 32), 'noise'),
                                        ((48, 64), 'black'),
                                        ((1, 1), 'black')])
def test_small_and_black_frames_load_as_mmcv_loads_them(
        tmp_path, size, fill):
    img = _noise(*size) if fill == 'noise' else np.zeros((*size, 3),
                                                         np.uint8)
    path = tmp_path / 'frame.jpg'
    write_jpeg(str(path), img)
    ours = _load(path)
    theirs = LoadImageFromFile()(dict(img_path=str(path)))
    np.testing.assert_array_equal(ours['img'], theirs['img'])
    assert ours['img_shape'] == ours['ori_shape'] == size
    assert _load(path, to_float32=True)['img'].dtype == np.float32


def test_ignore_empty_skips_missing_and_corrupt_frames(tmp_path):
    corrupt = tmp_path / 'corrupt.jpg'
    corrupt.write_bytes(
        write_jpeg(str(tmp_path / 'ok.jpg'), _noise(32, 32))[:300])
    assert _load(tmp_path / 'absent.jpg', ignore_empty=True) is None
    assert _load(corrupt, ignore_empty=True) is None


def test_jpeg_completeness_follows_the_markers():
    img = _noise(64, 80)
    for params in ([], [cv2.IMWRITE_JPEG_PROGRESSIVE, 1],
                   [cv2.IMWRITE_JPEG_RST_INTERVAL, 2]):
        data = cv2.imencode('.jpg', img, params)[1].tobytes()
        assert jpeg_is_complete(data)
        assert not jpeg_is_complete(data[:-2])
        assert not jpeg_is_complete(data[:len(data) * 3 // 4])
        # Data after the end-of-image marker (e.g. an appended video) is
        # ignored, even when it looks like a start-of-scan marker.
        assert jpeg_is_complete(data + b'\xff\xda\x00\x08' + bytes(64))
    assert not jpeg_is_complete(b'\xff\xd8')


def test_missing_frame_files_do_not_match_the_ground_truth(make_lasot):
    root = make_lasot(frames=4)
    gt_path, = lasot_gt_files(root)
    os.remove(lasot_frames(gt_path)[2])
    with pytest.raises(EvaluationInputError, match='matches 3 frames') as info:
        list_videos(root, 'lasot')
    assert info.value.path == gt_path
    assert 'has 4 boxes' in str(info.value)


def test_an_empty_video_is_refused(make_lasot):
    root = make_lasot(frames=2)
    gt_path, = lasot_gt_files(root)
    for frame in lasot_frames(gt_path):
        os.remove(frame)
    open(gt_path, 'w').close()
    with pytest.raises(EvaluationInputError, match='empty file') as info:
        list_videos(root, 'lasot')
    assert info.value.path == gt_path


@pytest.mark.parametrize('line', ['10,10,5', '10,10,5,5,1', '10;10;5;5'])
def test_wrong_column_counts_name_the_file_and_line(make_lasot, line):
    root = make_lasot(frames=3)
    gt_path, = lasot_gt_files(root)
    rewrite_line(gt_path, 1, line)
    with pytest.raises(EvaluationInputError, match='expected 4') as info:
        list_videos(root, 'lasot')
    assert info.value.path == gt_path and info.value.line == 2


@pytest.mark.parametrize('first', ['10,10,-5,5', 'nan,10,5,5', '10,10,0,5'])
def test_a_negative_nan_or_empty_first_box_is_refused(make_lasot, first):
    root = make_lasot(frames=2)
    gt_path, = lasot_gt_files(root)
    rewrite_line(gt_path, 0, first)
    with pytest.raises(EvaluationInputError, match='first-frame box') as info:
        list_videos(root, 'lasot')
    assert info.value.path == gt_path and info.value.line == 1


def test_nan_and_negative_boxes_after_frame_zero_are_kept(make_lasot):
    # Only frame 0 initialises the tracker; later boxes are evaluation
    # data, whose convention decides (see test_robust_evaluation.py).
    root = make_lasot(frames=3)
    gt_path, = lasot_gt_files(root)
    rewrite_line(gt_path, 1, 'nan,nan,nan,nan')
    rewrite_line(gt_path, 2, '5,5,-3,4')
    video, = list_videos(root, 'lasot')
    assert len(video.frame_paths) == 3


def test_a_one_frame_video_is_listed(make_lasot):
    root = make_lasot(frames=1)
    video, = list_videos(root, 'lasot')
    assert len(video.frame_paths) == 1
    assert mmcv.imread(video.frame_paths[0]).shape == (48, 64, 3)
