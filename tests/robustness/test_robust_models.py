"""Bad input to the tracker: degenerate template boxes, degenerate frames,
and checkpoints that are not this model's or not checkpoints at all.

A tracker must either refuse (naming the frame or the file) or return boxes
that are finite and inside the image; never a half-initialised model.
"""
import numpy as np
import pytest
import torch
from robust_inputs import write_jpeg

from mmtrack_smallobj.apis import init_tracker, track_video
from mmtrack_smallobj.engine.checkpoint_loader import CheckpointLoadError


def _frames(folder, images):
    """Write ``images`` as JPEG frames; returns their paths."""
    paths = []
    for index, img in enumerate(images):
        path = str(folder / f'{index:08d}.jpg')
        write_jpeg(path, img)
        paths.append(path)
    return paths


def _noise_frames(count, height, width, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.random((height, width, 3)) * 255).astype(np.uint8)
            for _ in range(count)]


def _assert_inside(boxes_xywh, height, width):
    """Finite boxes with non-negative sizes within the image."""
    assert np.isfinite(boxes_xywh).all()
    x1, y1 = boxes_xywh[:, 0], boxes_xywh[:, 1]
    x2, y2 = x1 + boxes_xywh[:, 2], y1 + boxes_xywh[:, 3]
    assert (boxes_xywh[:, 2:] >= 0).all()
    assert (x1 >= 0).all() and (y1 >= 0).all()
    assert (x2 <= width + 1e-4).all() and (y2 <= height + 1e-4).all()


@pytest.mark.parametrize('box, message', [
    ([10, 10, 0, 0], 'no positive size'),
    ([10, 10, 0, 6], 'no positive size'),
    ([10, 10, -4, 6], 'no positive size'),
    ([np.nan, 10, 6, 6], 'not finite'),
    ([10, 10, np.inf, 6], 'not finite'),
    ([200, 10, 6, 6], 'lies outside the 64x48 image'),
])
def test_a_degenerate_template_box_is_refused_naming_the_frame(
        tiny_tracker, tmp_path, box, message):
    paths = _frames(tmp_path, _noise_frames(2, 48, 64))
    with pytest.raises(ValueError, match=message) as info:
        track_video(tiny_tracker['model'], paths, np.array(box, float),
                    tiny_tracker['pipeline'])
    assert paths[0] in str(info.value)


def test_a_sub_pixel_template_box_is_tracked(tiny_tracker):
    frames = _noise_frames(3, 48, 64)
    boxes, scores, _ = track_video(tiny_tracker['model'], frames,
                                   np.array([20, 20, 0.5, 0.5]),
                                   tiny_tracker['pipeline'])
    _assert_inside(boxes, 48, 64)
    assert np.isfinite(scores).all()


@pytest.mark.parametrize('value', [0, 255])
def test_uniform_frames_give_finite_boxes_inside_the_image(
        tiny_tracker, tmp_path, value):
    # All-black (and all-white) frames: no texture, nothing to normalise
    # by; the tracker must still answer with a box, not NaN.
    paths = _frames(tmp_path, [np.full((48, 64, 3), value, np.uint8)] * 3)
    boxes, scores, _ = track_video(tiny_tracker['model'], paths,
                                   np.array([10, 10, 8, 8.]),
                                   tiny_tracker['checked_pipeline'])
    _assert_inside(boxes, 48, 64)
    assert np.isfinite(scores).all()


def test_32_pixel_frames_are_tracked(tiny_tracker, tmp_path):
    paths = _frames(tmp_path, _noise_frames(3, 32, 32))
    boxes, scores, _ = track_video(tiny_tracker['model'], paths,
                                   np.array([12, 12, 4, 4.]),
                                   tiny_tracker['checked_pipeline'])
    _assert_inside(boxes, 32, 32)
    assert np.isfinite(scores).all() and scores[0] == 1.0


@pytest.mark.parametrize('height, width', [(40, 50), (100, 75), (33, 33)])
def test_boxes_stay_inside_frames_that_the_preprocessor_pads(
        tiny_tracker, height, width):
    # Sizes that are no multiple of 32: the padded frame used to be
    # searched and clipped whole, putting boxes in the padding.
    frames = _noise_frames(4, height, width, seed=height)
    boxes, _, _ = track_video(tiny_tracker['model'], frames,
                              np.array([5, 5, 6, 6.]),
                              tiny_tracker['pipeline'])
    _assert_inside(boxes, height, width)


def test_a_one_frame_video_returns_its_given_box(tiny_tracker, tmp_path):
    paths = _frames(tmp_path, _noise_frames(1, 48, 64))
    init = np.array([10, 12, 6, 5.])
    boxes, scores, seconds = track_video(tiny_tracker['model'], paths, init,
                                         tiny_tracker['checked_pipeline'])
    np.testing.assert_array_equal(boxes, init[None])
    np.testing.assert_array_equal(scores, [1.0])
    assert seconds >= 0


def test_an_empty_video_returns_empty_results(tiny_tracker):
    # Defined result: no frame, no box; list_videos refuses empty videos
    # before tracking (test_robust_data_loading.py).
    boxes, scores, seconds = track_video(tiny_tracker['model'], [],
                                         np.array([10, 12, 6, 5.]),
                                         tiny_tracker['pipeline'])
    assert boxes.shape == (0, 4) and scores.shape == (0, )
    assert seconds == 0.0


def test_a_checkpoint_of_another_model_is_refused(tiny_cfg, tmp_path):
    other = tmp_path / 'other_model.pth'
    torch.save({'state_dict': torch.nn.Linear(4, 2).state_dict()}, other)
    with pytest.raises(ValueError, match='does not fit GlobalSearchTracker'
                       ) as info:
        init_tracker(tiny_cfg, str(other), 'cpu')
    assert str(other) in str(info.value)
    assert 'unexpected key' in str(info.value)
    assert 'missing keys' in str(info.value)


def test_a_checkpoint_of_a_wider_model_is_refused(tiny_cfg, tiny_files):
    # Same keys, other shapes: the full-width CPU default config.
    wider = tiny_cfg.copy()
    wider.merge_from_dict({'model.head.feat_channels': 8})
    with pytest.raises(ValueError, match=r'size mismatch') as info:
        init_tracker(wider, tiny_files['checkpoint'], 'cpu')
    assert tiny_files['checkpoint'] in str(info.value)


@pytest.mark.parametrize('kind', ['truncated', 'jpeg', 'empty'])
def test_an_unreadable_checkpoint_is_not_called_a_misfit(
        tiny_cfg, tiny_files, tmp_path, kind):
    path = tmp_path / f'{kind}.pth'
    if kind == 'truncated':
        with open(tiny_files['checkpoint'], 'rb') as f:
            data = f.read()
        path.write_bytes(data[:len(data) - 100])
    elif kind == 'jpeg':
        path.write_bytes(write_jpeg(str(tmp_path / 'frame.jpg'),
                                    np.zeros((8, 8, 3), np.uint8)))
    else:
        path.write_bytes(b'')
    with pytest.raises(CheckpointLoadError) as info:
        init_tracker(tiny_cfg, str(path), 'cpu')
    assert str(info.value).startswith(f'checkpoint {path} cannot be read')
    assert 'does not fit' not in str(info.value)


def test_a_missing_checkpoint_is_named(tiny_cfg, tmp_path):
    missing = tmp_path / 'epoch_99.pth'
    with pytest.raises(FileNotFoundError, match='epoch_99.pth'):
        init_tracker(tiny_cfg, str(missing), 'cpu')


def test_the_saved_checkpoint_loads_back(tiny_cfg, tiny_files, tiny_tracker):
    # The counterpart of the refusals: the tiny checkpoint fits exactly.
    model, _ = init_tracker(tiny_cfg, tiny_files['checkpoint'], 'cpu')
    saved = tiny_tracker['model'].state_dict()
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in saved.items())
