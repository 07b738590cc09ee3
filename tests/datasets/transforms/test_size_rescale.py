import numpy as np
import pytest

import mmtrack_smallobj  # noqa: F401
from mmtrack.registry import TRANSFORMS
from mmtrack_smallobj.datasets.transforms import SizeBinRescale
from mmtrack_smallobj.evaluation.functional.size_bins import assign_size_bins

W, H = 160, 120


def _frame(box):
    """A dark frame with the target painted white over ``box``."""
    img = np.full((H, W, 3), 30, np.uint8)
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    img[y1:y2, x1:x2] = 255
    return img


def _pair(template_box, search_box, target=None, size_range=None):
    """A pair as the TransformBroadcaster leaves it (dict of lists)."""
    boxes = [np.array([template_box], np.float32),
             np.array([search_box], np.float32)]
    results = dict(
        img=[_frame(b[0]) for b in boxes],
        gt_bboxes=boxes,
        img_shape=[(H, W)] * 2,
        scale_factor=[(1.0, 1.0)] * 2)
    if target is not None:
        results['size_target'] = [target] * 2
        results['size_range'] = [size_range] * 2
    return results


def _size(box):
    return float(np.sqrt((box[2] - box[0]) * (box[3] - box[1])))


def _inside(results):
    for img, boxes in zip(results['img'], results['gt_bboxes']):
        h, w = img.shape[:2]
        assert (h, w) == (H, W)
        assert (boxes[:, :2] >= 0).all()
        assert (boxes[:, 2] <= w).all() and (boxes[:, 3] <= h).all()


def _white_box(img):
    """Bounding box of the bright pixels (the painted target)."""
    ys, xs = np.nonzero(img[..., 0] > 140)
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])


def test_builds_from_registry():
    t = TRANSFORMS.build(dict(type='SizeBinRescale', scale_range=(0.5, 2.)))
    assert isinstance(t, SizeBinRescale)
    assert t.scale_range == (0.5, 2.0)


@pytest.mark.parametrize('target', [3.0, 6.0, 11.0, 45.0, 90.0])
def test_wrapper_target_is_reached_and_inside(target):
    np.random.seed(0)
    t = SizeBinRescale()
    # The search target (20 px) starts outside the bin, so it is rescaled.
    out = t(_pair([30, 30, 54, 54], [100, 70, 120, 90], target,
                  (target * 0.9, target * 1.1)))
    search, template = out['gt_bboxes'][1][0], out['gt_bboxes'][0][0]
    assert _size(search) == pytest.approx(target, rel=0.05, abs=0.3)
    factor = out['size_rescale_factor'][1]
    assert out['size_rescale_factor'] == [factor, factor]
    # Shared factor: the 24 px template is scaled alike.
    assert _size(template) == pytest.approx(24 * factor, rel=0.05, abs=0.3)
    assert out['scale_factor'][1] == pytest.approx((factor, factor))
    _inside(out)
    assert 'size_target' not in out and 'size_range' not in out


@pytest.mark.parametrize('factor', [0.15, 0.3, 0.5, 1.7, 2.0])
def test_pixels_follow_boxes(factor):
    np.random.seed(1)
    out = SizeBinRescale()(_pair([10, 10, 30, 30], [120, 80, 140, 100],
                                 20 * factor, (1000, 2000)))
    for img, boxes in zip(out['img'], out['gt_bboxes']):
        np.testing.assert_allclose(_white_box(img), boxes[0], atol=1.5)


@pytest.mark.parametrize('factor', [0.2, 0.45, 1.6])
def test_odd_frame_sizes_and_grey_frames(factor):
    np.random.seed(5)
    img = np.full((113, 157), 30, np.uint8)
    img[40:70, 90:120] = 255
    boxes = np.array([[90, 40, 120, 70]], np.float32)
    out = SizeBinRescale()(dict(
        img=[img, img.copy()], gt_bboxes=[boxes, boxes.copy()],
        size_target=[30 * factor] * 2, size_range=[(0, 1)] * 2))
    for frame, box in zip(out['img'], out['gt_bboxes']):
        assert frame.shape == (113, 157)
        assert _size(box[0]) == pytest.approx(30 * factor, rel=0.04)
        ys, xs = np.nonzero(frame > 140)
        np.testing.assert_allclose(
            [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], box[0],
            atol=1.5)


def test_target_at_the_corner_stays_in_frame_when_enlarged():
    for seed in range(5):
        np.random.seed(seed)
        out = SizeBinRescale()(_pair([0, 0, 20, 20], [140, 100, 160, 120],
                                     40.0, (35.0, 45.0)))
        _inside(out)
        assert _size(out['gt_bboxes'][1][0]) == pytest.approx(40, abs=0.5)
        assert _size(out['gt_bboxes'][0][0]) == pytest.approx(40, abs=0.5)


def test_in_range_target_is_left_alone():
    pair = _pair([30, 30, 54, 54], [100, 70, 120, 90], 18.0, (16.0, 32.0))
    before = [img.copy() for img in pair['img']]
    out = SizeBinRescale()(pair)
    assert out['size_rescale_factor'] == [1.0, 1.0]
    for img, ref in zip(out['img'], before):
        assert np.array_equal(img, ref)


def test_per_frame_factors_reach_the_same_size():
    np.random.seed(2)
    t = SizeBinRescale(share_factor=False)
    out = t(_pair([30, 30, 70, 70], [100, 70, 120, 90], 10.0, (9.0, 11.0)))
    assert _size(out['gt_bboxes'][0][0]) == pytest.approx(10, abs=0.3)
    assert _size(out['gt_bboxes'][1][0]) == pytest.approx(10, abs=0.3)
    assert out['size_rescale_factor'] == pytest.approx([0.25, 0.5], rel=0.02)


def test_factor_is_capped_so_that_the_target_fits():
    np.random.seed(3)
    out = SizeBinRescale()(_pair([0, 0, 20, 20], [10, 10, 90, 70], 300.0,
                                 (256.0, 512.0)))
    _inside(out)
    search = out['gt_bboxes'][1][0]
    assert search[3] - search[1] == pytest.approx(H, abs=0.5)
    assert out['size_rescale_factor'][1] == pytest.approx(2.0)


def test_degenerate_search_target_passes_unchanged():
    pair = _pair([30, 30, 54, 54], [0, 0, 0, 0], 5.0, (4.0, 8.0))
    out = SizeBinRescale()(pair)
    assert out['size_rescale_factor'] == [1.0, 1.0]


def test_alone_lands_in_weighted_reachable_bins():
    np.random.seed(4)
    weights = [0.5, 0.0, 0.0, 0.0, 0.5, 0.0]
    t = SizeBinRescale(weights=weights, scale_range=(0.1, 4.0))
    bins = []
    for _ in range(200):
        out = t(_pair([30, 30, 54, 54], [60, 40, 90, 70]))
        _inside(out)
        bins.append(assign_size_bins([_size(out['gt_bboxes'][1][0])])[0])
    counts = np.bincount(bins, minlength=6)
    # 30 px x [0.1, 4]: bins <8 and 64-128 are both reachable.
    assert counts[[1, 2, 3, 5]].sum() == 0
    assert 70 < counts[0] < 130 and 70 < counts[4] < 130


def test_alone_with_zero_prob_is_identity():
    pair = _pair([30, 30, 54, 54], [60, 40, 90, 70])
    out = SizeBinRescale(prob=0.0)(pair)
    assert out['size_rescale_factor'] == [1.0, 1.0]


@pytest.mark.parametrize('kwargs, message', [
    (dict(weights=[0.5, 0.5]), 'weights has 2 entries but .* 6 bins'),
    (dict(weights=[0.5, 0.6, 0, 0, 0, -0.1]), 'non-negative'),
    (dict(weights=[0.2] * 6), 'must sum to 1, got sum 1.2'),
    (dict(scale_range=(1.5, 2.0)), 'scale_range'),
    (dict(min_size=0),
     '^SizeBinRescale: min_size must be a number > 0, got 0$'),
    (dict(prob=True), r'^SizeBinRescale: prob must be a number in \[0, 1\]'),
    (dict(pad_val='zeros'), 'pad_val'),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SizeBinRescale(**kwargs)


def test_inside_a_broadcaster_is_refused():
    single = dict(img=_frame([0, 0, 10, 10]),
                  gt_bboxes=np.array([[0, 0, 10, 10]], np.float32))
    with pytest.raises(TypeError, match='after the TransformBroadcaster'):
        SizeBinRescale()(single)
