"""SeqTargetOcclusion: part of the target hidden by a patch of its frame."""
import numpy as np
import pytest
from mmdet.structures.bbox import HorizontalBoxes

from mmtrack_smallobj.datasets.transforms import SeqTargetOcclusion
from mmtrack_smallobj.datasets.transforms.target_occlusion import (
    occluder_rect, visible_part)

SIZE = (64, 64)  # height, width
BOX = [20., 24., 40., 36.]  # 20 x 12


def _pair(box=BOX, boxes_type=np.array):
    """Two frames: a white target on a dark frame whose pixels encode
    their position in the other two channels."""
    ys, xs = np.mgrid[0:SIZE[0], 0:SIZE[1]]
    img = np.stack([np.zeros_like(xs), xs, ys], axis=-1).astype(np.uint8)
    x1, y1, x2, y2 = (int(v) for v in box)
    img[y1:y2, x1:x2] = 255
    boxes = [boxes_type(np.array([box], np.float32)) for _ in range(2)]
    return dict(img=[img.copy(), img.copy()], gt_bboxes=boxes)


@pytest.mark.parametrize('side,expected', [
    (0, [20, 24, 30, 36]),  # left half
    (1, [20, 24, 40, 30]),  # top half
    (2, [30, 24, 40, 36]),  # right half
    (3, [20, 30, 40, 36]),  # bottom half
])
def test_the_occluder_covers_the_chosen_side(side, expected):
    rect = occluder_rect(np.array(BOX), side, 0.5, 0.0, (64, 64))
    assert rect.tolist() == expected


def test_overhang_reaches_past_the_box_and_is_clipped_to_the_frame():
    rect = occluder_rect(np.array(BOX), 0, 0.5, 0.5, (64, 64))
    assert rect.tolist() == [10, 18, 30, 42]
    rect = occluder_rect(np.array([0., 0., 10., 10.]), 0, 1.0, 1.0, (64, 64))
    assert rect.tolist() == [0, 0, 10, 20]


@pytest.mark.parametrize('side,expected', [
    (0, [30, 24, 40, 36]),  # left half hidden: the right half shows
    (1, [20, 30, 40, 36]),
    (2, [20, 24, 30, 36]),
    (3, [20, 24, 40, 30]),
])
def test_the_visible_part_is_the_box_beyond_the_occluder(side, expected):
    rect = occluder_rect(np.array(BOX), side, 0.5, 0.5, (64, 64))
    assert visible_part(np.array(BOX), rect, side).tolist() == expected


def test_nothing_visible_is_none():
    rect = occluder_rect(np.array(BOX), 0, 1.0, 0.0, (64, 64))
    assert visible_part(np.array(BOX), rect, 0) is None


@pytest.mark.parametrize('boxes_type', [np.array, HorizontalBoxes])
def test_hides_part_of_the_target_with_other_pixels_of_the_frame(
        boxes_type):
    occlusion = SeqTargetOcclusion(
        prob=(0.0, 1.0), hidden_range=(0.5, 0.5), max_overhang=0.0, seed=0)
    for _ in range(20):
        results = occlusion(_pair(boxes_type=boxes_type))
        template, search = results['img']
        target = search[24:36, 20:40]
        # The template is untouched; half the target's pixels are covered.
        assert (template[24:36, 20:40] == 255).all()
        assert (target == 255).all(axis=-1).mean() == pytest.approx(0.5)
        # By pixels copied from elsewhere in the frame, none of the target.
        covered = target[(target != 255).any(axis=-1)]
        assert (covered[:, 0] == 0).all()
        box = results['gt_bboxes'][1]
        box = box.tensor if isinstance(box, HorizontalBoxes) else box
        assert np.asarray(box).tolist() == [BOX]
        # The recorded visible part is exactly the target pixels left.
        template_part, part = results['target_visible_bbox']
        assert template_part.tolist() == BOX
        x1, y1, x2, y2 = (int(v) for v in part)
        assert (x2 - x1) * (y2 - y1) == 10 * 12 or \
            (x2 - x1) * (y2 - y1) == 20 * 6
        assert (search[y1:y2, x1:x2] == 255).all()


def test_the_mean_colour_fills_in_when_no_patch_misses_the_target():
    # The target fills the frame but for a 2 px rim: no 16 px wide patch
    # can miss it.
    occlusion = SeqTargetOcclusion(
        prob=(1.0, 1.0), hidden_range=(0.25, 0.25), max_overhang=0.0, seed=0)
    results = occlusion(_pair([2., 2., 62., 62.]))
    search = results['img'][1]
    covered = search[(search != 255).any(axis=-1)]
    # The rim keeps its pixels, the covered part is one colour.
    inside = search[2:62, 2:62].reshape(-1, 3)
    hidden = inside[(inside != 255).any(axis=-1)]
    assert len(hidden) == 15 * 60 and len(covered) > len(hidden)
    assert (hidden == hidden[0]).all()


def test_probability_zero_leaves_the_frames_as_they_were():
    pair = _pair()
    before = [img.copy() for img in pair['img']]
    results = SeqTargetOcclusion(prob=(0.0, 0.0), seed=0)(pair)
    for img, original in zip(results['img'], before):
        assert (img == original).all()
    assert [part.tolist() for part in results['target_visible_bbox']] == [
        BOX, BOX]


def test_a_frame_without_a_target_box_has_no_visible_part():
    pair = _pair()
    pair['gt_bboxes'][1] = np.zeros((0, 4), np.float32)
    results = SeqTargetOcclusion(prob=(1.0, 1.0), seed=0)(pair)
    template_part, search_part = results['target_visible_bbox']
    assert template_part is not None and search_part is None


def test_a_target_rounding_would_hide_whole_is_left_alone():
    # A 1 px box: the occluder's edge, rounded out to whole pixels, covers
    # all of it from any side, so the frame is not occluded.
    pair = _pair([20., 24., 21., 25.])
    before = pair['img'][1].copy()
    occlusion = SeqTargetOcclusion(
        prob=(0.0, 1.0), hidden_range=(0.3, 0.3), max_overhang=0.0, seed=0)
    results = occlusion(pair)
    assert (results['img'][1] == before).all()
    assert results['target_visible_bbox'][1].tolist() == [20., 24., 21., 25.]


@pytest.mark.parametrize('kwargs,message', [
    (dict(prob=(0.0, 1.5)),
     r'^SeqTargetOcclusion prob\[1\] must be a number in \[0, 1\], got 1.5$'),
    (dict(prob=('0.3', 0.3)), r'prob\[0\] must be a number in .*, got '),
    (dict(hidden_range=(0.0, 0.5)), 'hidden_range'),
    (dict(hidden_range=(0.8, 0.5)), 'hidden_range'),
    (dict(hidden_range=(0.5, )), 'hidden_range'),
    (dict(max_overhang=-1.0), 'max_overhang'),
    (dict(max_overhang=float('inf')),
     '^SeqTargetOcclusion max_overhang must be a number >= 0, got inf$'),
])
def test_bad_settings_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SeqTargetOcclusion(**kwargs)


def test_one_probability_per_frame_of_the_pair():
    with pytest.raises(ValueError, match='2 frames'):
        SeqTargetOcclusion(prob=(0.5, ))(_pair())
