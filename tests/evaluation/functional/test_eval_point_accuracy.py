"""Point accuracy: centre of the prediction inside the ground-truth box."""
import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (VideoData,
                                                    evaluate_videos,
                                                    point_accuracy,
                                                    point_hits, xywh_to_xyxy)


def test_point_hits_hand_computed():
    gt = xywh_to_xyxy(np.array([[0, 0, 4, 4]] * 5, float))
    pred = xywh_to_xyxy(
        np.array([
            [1, 1, 100, 100],  # centre (51, 51): outside, IoU tiny
            [-2, -2, 4, 4],  # centre (0, 0): on the corner, inside
            [3, 3, 2, 2],  # centre (4, 4): on the far corner, inside
            [3.1, 0, 2, 2],  # centre (4.1, 1): just outside
            [np.nan, 0, 1, 1],
        ]))
    np.testing.assert_array_equal(
        point_hits(pred, gt), [False, True, True, False, False])


def test_point_hits_invalid_ground_truth_is_a_miss():
    gt = np.zeros((1, 4))
    assert not point_hits(np.zeros((1, 4)), gt)[0]


def test_point_accuracy_pools_frames():
    hits = [np.array([True]), np.array([False, False, False])]
    assert point_accuracy(hits) == pytest.approx(25.0)
    assert np.isnan(point_accuracy([np.array([True])], [np.zeros(1, bool)]))


@pytest.mark.parametrize('convention', ['mmtrack', 'got10k', 'lasot'])
def test_point_accuracy_in_evaluation(convention):
    gt = xywh_to_xyxy(np.array([[10, 10, 4, 4]] * 4, float))
    pred = xywh_to_xyxy(
        np.array([[10, 10, 4, 4], [11, 11, 20, 20], [0, 0, 3, 3],
                  [12, 12, 1, 1]], float))
    out = evaluate_videos([VideoData('v', gt, pred)], convention)
    assert out['point_accuracy'] == pytest.approx(50.0)  # frames 0 and 3
