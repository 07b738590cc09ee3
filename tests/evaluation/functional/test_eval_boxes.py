"""Box conventions and the aligned IoU variants."""
import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (aligned_iou,
                                                    aligned_iou_got10k,
                                                    aligned_iou_mmdet,
                                                    box_centers, box_sizes,
                                                    points_in_boxes,
                                                    valid_box_mask,
                                                    xywh_to_xyxy,
                                                    xyxy_to_xywh)


def test_xywh_xyxy_convention_is_continuous():
    # x2 = x + w, no '+1 pixel': a 10 px wide box at x=5 ends at 15.
    xyxy = xywh_to_xyxy(np.array([[5, 6, 10, 20]]))
    np.testing.assert_array_equal(xyxy, [[5, 6, 15, 26]])
    np.testing.assert_array_equal(xyxy_to_xywh(xyxy), [[5, 6, 10, 20]])
    np.testing.assert_array_equal(box_centers(xyxy), [[10, 16]])


def test_sizes_and_validity():
    boxes = xywh_to_xyxy(
        np.array([[0, 0, 4, 9], [0, 0, 0, 0], [1, 1, -2, 3],
                  [np.nan, 0, 1, 1]]))
    np.testing.assert_array_equal(valid_box_mask(boxes),
                                  [True, False, False, False])
    sizes = box_sizes(boxes)
    assert sizes[0] == pytest.approx(6.0)
    assert np.isnan(sizes[1:]).all()


def test_aligned_iou_hand_computed():
    a = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]], float)
    b = np.array([[5, 0, 15, 10], [20, 20, 30, 30], [0, 0, 10, 10]], float)
    np.testing.assert_allclose(aligned_iou(a, b), [50 / 150, 0, 1])
    np.testing.assert_allclose(aligned_iou_got10k(a, b), [50 / 150, 0, 1])
    np.testing.assert_allclose(
        aligned_iou_mmdet(a, b), [50 / 150, 0, 1], rtol=1e-6)


def test_aligned_iou_degenerate_union_is_nan():
    zero = np.zeros((1, 4))
    assert np.isnan(aligned_iou(zero, zero)).all()


def test_got10k_bound_shifts_boxes_like_the_toolkit():
    # x clipped to 0, then w clipped to W - x: the box is shifted right.
    from mmtrack_smallobj.evaluation.functional import clip_boxes_got10k
    out = clip_boxes_got10k(np.array([[-5., 0., 5., 10.]]), (100, 100))
    np.testing.assert_array_equal(out, [[0, 0, 10, 10]])


def test_points_in_boxes_includes_borders():
    boxes = np.array([[0, 0, 10, 10]] * 4, float)
    points = np.array([[10, 10], [0, 5], [10.01, 5], [np.nan, 5]])
    np.testing.assert_array_equal(
        points_in_boxes(points, boxes), [True, True, False, False])


def test_mmdet_iou_matches_bbox_overlaps_diagonal(random_videos):
    pytest.importorskip('mmdet')
    from mmdet.evaluation.functional import bbox_overlaps
    for gt, pred, _ in random_videos(seed=1, num_videos=2):
        g, p = xywh_to_xyxy(gt), xywh_to_xyxy(pred)
        ref = np.diag(bbox_overlaps(g, p))
        np.testing.assert_array_equal(aligned_iou_mmdet(g, p), ref)


def test_got10k_iou_matches_rect_iou(random_videos):
    pytest.importorskip('got10k')
    from got10k.utils.metrics import rect_iou
    for gt, pred, _ in random_videos(seed=2, num_videos=2):
        for bound in (None, (300, 250)):
            ref = rect_iou(pred.copy(), gt.copy(), bound=bound)
            ours = aligned_iou_got10k(
                xywh_to_xyxy(pred), xywh_to_xyxy(gt), bound=bound)
            np.testing.assert_allclose(ours, ref, atol=1e-9)
