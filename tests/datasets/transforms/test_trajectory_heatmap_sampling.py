"""Motion-model samples: frame choice, resizing and heatmap positions."""
import mmcv
import numpy as np
import pytest

import mmtrack_smallobj  # noqa: F401
from mmtrack.registry import TRANSFORMS
from mmtrack_smallobj.datasets.transforms import (TrajectoryHeatmapSampling,
                                                  gaussian_heatmaps)


def _video(tmp_path, centres, visible, size=(64, 48)):
    """A video of blank ``size`` (width, height) frames whose 4 x 4 target
    box is centred at ``centres``."""
    width, height = size
    paths = []
    for index in range(len(centres)):
        path = str(tmp_path / f'{index:08d}.jpg')
        mmcv.imwrite(np.zeros((height, width, 3), np.uint8), path)
        paths.append(path)
    centres = np.asarray(centres, np.float32)
    bboxes = np.concatenate([centres - 2, centres + 2], axis=1)
    bboxes[~np.asarray(visible)] = 0
    return dict(
        video_id=3,
        img_paths=paths,
        bboxes=bboxes,
        bboxes_isvalid=np.asarray(visible, bool),
        visible=np.asarray(visible, bool),
        video_length=len(paths))


def _peak(heatmap):
    row, col = np.unravel_index(np.argmax(heatmap), heatmap.shape)
    return int(row), int(col)


def test_gaussians_peak_at_the_pixel_holding_the_centre():
    maps = gaussian_heatmaps([[5.5, 2.5], [3.0, 3.0]], [True, False],
                             8,
                             8,
                             sigma=3.0)
    assert maps.shape == (2, 8, 8) and maps.dtype == np.float32
    assert _peak(maps[0]) == (2, 5) and maps[0, 2, 5] == 1
    assert not maps[1].any()
    # Stride 4: cell (1, 2) stands for the point (10, 6).
    strided = gaussian_heatmaps([[10., 6.]], [True], 4, 4, 3.0, stride=4)
    assert _peak(strided[0]) == (1, 2) and strided[0, 1, 2] == 1
    # One sigma away the value is exp(-1/2).
    assert maps[0, 2, 8 - 1] == pytest.approx(np.exp(-(2.0**2) / 18), 1e-5)


def test_sample_has_the_frame_and_heatmaps_at_the_resized_positions(tmp_path):
    # 64 x 48 frames resized to 32 x 24: the centre (21, 11 + 2 t) of
    # frame t lands on (10.5, 5.5 + t), the pixel (row 5 + t, col 10).
    centres = [[21., 11. + 2 * t] for t in range(6)]
    video = _video(tmp_path, centres, [True] * 6)
    transform = TRANSFORMS.build(
        dict(
            type='TrajectoryHeatmapSampling',
            num_past=3,
            input_size=(32, 24),
            sigma=1.0,
            heatmap_stride=2))
    np.random.seed(0)
    for _ in range(5):
        out = transform([video, video])
        current = out['frame_id']
        assert out['img'].shape == (24, 32, 3)
        assert out['img_shape'] == (24, 32) and out['ori_shape'] == (48, 64)
        assert out['img_path'] == video['img_paths'][current]
        assert out['past_heatmaps'].shape == (3, 24, 32)
        past = np.maximum(current - np.array([3, 2, 1]), 0)
        for heatmap, frame in zip(out['past_heatmaps'], past):
            assert _peak(heatmap) == (5 + frame, 10)
        assert out['past_visible'].tolist() == [True] * 3
        # Stride 2: the target (10.5, 5.5 + t) is nearest the cell
        # (row (5 + t) // 2, col 5).
        target = out['target_heatmap']
        assert target.shape == (1, 12, 16)
        assert _peak(target[0]) == ((5 + current) // 2, 5)
        np.testing.assert_allclose(out['gt_bboxes'],
                                   [[9.5, 4.5 + current, 11.5, 6.5 + current]])


def test_absent_past_frames_give_empty_maps_and_the_target_is_visible(
        tmp_path):
    visible = [True, False, True, False, True]
    video = _video(tmp_path, [[20., 20.]] * 5, visible)
    transform = TrajectoryHeatmapSampling(
        num_past=2, input_size=(64, 48), heatmap_stride=4)
    np.random.seed(1)
    for _ in range(10):
        out = transform(video)
        current = out['frame_id']
        assert visible[current] and out['target_heatmap'].max() > 0.5
        past = np.maximum(current - np.array([2, 1]), 0)
        expected = [visible[index] for index in past]
        assert out['past_visible'].tolist() == expected
        for heatmap, seen in zip(out['past_heatmaps'], expected):
            assert (heatmap.max() > 0.9) if seen else not heatmap.any()


def test_frame_stride_spaces_the_past_frames():
    transform = TrajectoryHeatmapSampling(num_past=3, frame_stride=4)
    video = dict(
        visible=np.ones(30, bool), bboxes=np.ones((30, 4)), video_id=0)
    np.random.seed(0)
    for _ in range(5):
        indices = transform.sample_frames(video)
        current = indices[-1]
        assert indices.tolist() == np.maximum(
            current - np.array([12, 8, 4, 0]), 0).tolist()


def test_absent_current_frame_without_visible_only_gives_a_zero_target(
        tmp_path):
    video = _video(tmp_path, [[20., 20.]] * 2, [False, False])
    transform = TrajectoryHeatmapSampling(
        num_past=1, input_size=(64, 48), visible_only=False)
    out = transform(video)
    assert not out['target_heatmap'].any() and not out['past_visible'].any()
    with pytest.raises(ValueError, match='no frame where the target'):
        TrajectoryHeatmapSampling(num_past=1, input_size=(64, 48))(video)


@pytest.mark.parametrize('kwargs, match', [
    (dict(num_past=0), '^num_past must be an integer >= 1, got 0$'),
    (dict(frame_stride=0), 'frame_stride'),
    (dict(frame_stride=2.0),
     '^frame_stride must be an integer >= 1, got 2.0$'),
    (dict(sigma=0.0), '^sigma must be a number > 0, got 0.0$'),
    (dict(target_sigma=-1), '^target_sigma must be a number > 0, got -1$'),
    (dict(input_size=(30, 32), heatmap_stride=4), 'multiple'),
])
def test_bad_arguments_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TrajectoryHeatmapSampling(**kwargs)


def test_packs_for_the_motion_model(tmp_path):
    video = _video(tmp_path, [[21., 11.]] * 3, [True] * 3)
    pipeline = [
        TrajectoryHeatmapSampling(num_past=2, input_size=(32, 24)),
        TRANSFORMS.build(
            dict(
                type='PackTrackInputs',
                pack_single_img=True,
                meta_keys=('past_heatmaps', 'target_heatmap', 'past_visible')))
    ]
    results = [video, video]
    for step in pipeline:
        results = step(results)
    assert results['inputs']['img'].shape == (1, 3, 24, 32)
    sample = results['data_samples']
    assert sample.past_heatmaps.shape == (2, 24, 32)
    assert sample.target_heatmap.shape == (1, 6, 8)
    assert sample.gt_instances.bboxes.shape == (1, 4)
