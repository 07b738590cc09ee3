"""SeqTargetCrop: random windows of a pair that keep the target."""
import numpy as np
import pytest

from mmtrack_smallobj.datasets.transforms import SeqTargetCrop


def _pair(boxes, size=(240, 320)):
    """A pair of frames whose pixel (x, y) encodes its own position."""
    height, width = size
    ys, xs = np.mgrid[0:height, 0:width]
    img = np.stack([xs % 256, ys % 256, (xs // 256) * 16 + ys // 256],
                   axis=-1).astype(np.uint8)
    return dict(
        img=[img.copy(), img.copy()],
        gt_bboxes=[np.array([b], np.float32) for b in boxes],
        img_shape=[size, size])


def test_windows_have_the_configured_sizes_and_hold_the_target():
    crop = SeqTargetCrop(crop_sizes=(64, 128), margins=(16, 4), seed=0)
    for trial in range(50):
        results = crop(_pair([[100, 50, 110, 58], [200, 150, 206, 160]]))
        assert results['img'][0].shape == (64, 64, 3)
        assert results['img'][1].shape == (128, 128, 3)
        assert results['img_shape'] == [(64, 64), (128, 128)]
        for i, margin in enumerate((16, 4)):
            box = results['gt_bboxes'][i][0]
            side = results['img'][i].shape[0]
            assert box[0] >= margin and box[1] >= margin
            assert box[2] <= side - margin and box[3] <= side - margin


def test_pixels_move_with_the_boxes():
    crop = SeqTargetCrop(crop_sizes=(64, 96), seed=1)
    results = crop(_pair([[100, 50, 110, 58], [200, 150, 206, 160]]))
    for i, original in enumerate([[100, 50], [200, 150]]):
        x, y = results['gt_bboxes'][i][0][:2].astype(int)
        pixel = results['img'][i][y, x]
        assert pixel[0] == original[0] % 256 and pixel[1] == original[1]


def test_the_target_lands_anywhere_in_the_search_window():
    crop = SeqTargetCrop(crop_sizes=(64, 128), margins=(16, 0), seed=2)
    xs = [
        crop(_pair([[150, 100, 160, 110], [150, 100, 160, 110]]))
        ['gt_bboxes'][1][0][0] for _ in range(200)
    ]
    # Window origins span the whole range the target allows: 0..118.
    assert min(xs) < 20 and max(xs) > 98


def test_a_large_target_grows_the_window_and_is_never_cut():
    crop = SeqTargetCrop(crop_sizes=(64, 128), margins=(16, 8), seed=3)
    results = crop(_pair([[20, 30, 170, 130], [20, 30, 170, 130]]))
    height, width = results['img'][0].shape[:2]
    assert width >= 150 + 32 and width % 32 == 0 and height % 32 == 0
    box = results['gt_bboxes'][0][0]
    assert box[0] >= 0 and box[2] <= width


def test_windows_past_the_frame_edge_are_padded_with_the_mean():
    crop = SeqTargetCrop(crop_sizes=(64, 64), margins=(8, 8), seed=4)
    small = _pair([[2, 2, 30, 30], [2, 2, 30, 30]], size=(40, 40))
    small['img'] = [np.full((40, 40, 3), 7, np.uint8)] * 2
    results = crop(small)
    assert results['img'][0].shape == (64, 64, 3)
    assert (results['img'][0] == 7).all()


@pytest.mark.parametrize('kwargs,message', [
    (dict(crop_sizes=(64, ), margins=(8, 8)), 'same frames'),
    (dict(crop_sizes=(0, 64)),
     r'crop_sizes\[0\] must be a number >= 1, got 0'),
    (dict(margins=(-1, 8)), r'margins\[0\] must be a number >= 0, got -1'),
    (dict(margins=(8, True)), r'margins\[1\] must be a number >= 0, got True'),
    (dict(size_divisor=0), 'size_divisor must be a number >= 1, got 0'),
])
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SeqTargetCrop(**kwargs)


def test_a_pair_without_a_target_box_raises():
    crop = SeqTargetCrop(seed=0)
    results = _pair([[1, 1, 5, 5], [1, 1, 5, 5]])
    results['gt_bboxes'][1] = np.zeros((0, 4), np.float32)
    with pytest.raises(ValueError, match='target box on frame 1'):
        crop(results)
