"""Convention rules on frame 0, absent frames, invalid and failed rows."""
import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (VideoData,
                                                    evaluate_videos,
                                                    score_video, xywh_to_xyxy)

GT = np.array([[10, 10, 10, 10], [10, 10, 10, 10], [0, 0, 0, 0],
               [10, 10, 10, 10]], float)


def _video(pred_xywh, gt_xywh=GT, visible=None, failed=None):
    return VideoData('v', xywh_to_xyxy(gt_xywh), xywh_to_xyxy(pred_xywh),
                     visible=visible, failed=failed, pred_source='R/v.txt',
                     gt_source='D/v/groundtruth.txt')


def test_frame0_replaced_by_ground_truth_except_mmtrack():
    pred = np.array([[100, 100, 10, 10]] + [[10, 10, 10, 10]] * 3, float)
    assert score_video(_video(pred), 'mmtrack').iou[0] == 0
    assert score_video(_video(pred), 'got10k').iou[0] == 1
    assert score_video(_video(pred), 'lasot').iou[0] == 1


def test_absent_row_is_a_miss_in_every_convention():
    pred = np.array([[10, 10, 10, 10]] * 4, float)
    vis = np.array([True, True, False, True])
    for conv in ('mmtrack', 'got10k', 'lasot'):
        frames = score_video(_video(pred, visible=vis), conv)
        assert frames.iou[2] <= 0, conv
        out = evaluate_videos([_video(pred, visible=vis)], conv)
        # 3 of 4 frames hit at every IoU threshold below 1
        assert out['curves']['success']['values'][0] == pytest.approx(75.0)


def test_mmtrack_only_eval_visible_makes_invisible_frames_misses():
    pred = np.array([[10, 10, 10, 10]] * 4, float)
    vis = np.array([True, False, True, True])
    loose = evaluate_videos([_video(pred, visible=vis)], 'mmtrack')
    strict = evaluate_videos([_video(pred, visible=vis)], 'mmtrack',
                             only_eval_visible=True)
    # mmtrack quirk, reproduced: the absent 0,0,0,0 frame (gt centre not > 0)
    # gets distance -1, which passes every precision threshold
    assert loose['precision'] == pytest.approx(100.0)
    assert loose['success'] < 100.0  # but it is an IoU miss
    # the invisible frame 1 is dropped; the absent frame 2 is still visible
    assert strict['precision'] == pytest.approx(75.0)
    strict_vis = evaluate_videos(
        [_video(pred, visible=np.array([True, True, False, True]))],
        'mmtrack', only_eval_visible=True)
    assert strict_vis['precision'] == pytest.approx(75.0)


def test_lasot_carries_failed_predictions_forward():
    pred = np.array([[10, 10, 10, 10], [10, 10, 10, 10], [0, 0, 0, 0],
                     [5, 5, 0, 3]], float)
    frames = score_video(_video(pred), 'lasot')
    # frame 3 has zero width: it takes frame 2's box, which took frame 1's
    assert frames.iou[3] == pytest.approx(1.0)
    assert score_video(_video(pred), 'mmtrack').iou[3] == 0


def test_lasot_counts_invisible_frames_as_failures():
    pred = np.array([[10, 10, 10, 10]] * 4, float)
    gt = GT.copy()
    gt[2] = [10, 10, 10, 10]  # a box is annotated, but flagged invisible
    vis = np.array([True, True, False, True])
    out = evaluate_videos([_video(pred, gt, vis)], 'lasot')
    assert out['precision'] == pytest.approx(75.0)
    assert out['norm_precision'] == pytest.approx(75.0)


@pytest.mark.parametrize('bad, message', [
    ([10, 10, -1, 10], 'negative width or height'),
    ([np.nan, 10, 10, 10], 'non-finite'),
])
def test_lasot_rejects_invalid_results_naming_file_and_line(bad, message):
    pred = np.array([[10, 10, 10, 10]] * 4, float)
    pred[3] = bad
    with pytest.raises(ValueError, match=f'R/v.txt, line 4: {message}'):
        score_video(_video(pred), 'lasot')


def test_lasot_rejects_nan_ground_truth():
    gt = GT.copy()
    gt[1, 0] = np.nan
    with pytest.raises(ValueError, match='groundtruth.txt, line 2'):
        score_video(_video(GT.copy(), gt), 'lasot')


@pytest.mark.parametrize('conv', ['mmtrack', 'got10k'])
def test_nan_and_negative_predictions_are_misses(conv):
    pred = np.array([[10, 10, 10, 10], [np.nan, 10, 10, 10],
                     [10, 10, 10, 10], [10, 10, 10, -10]], float)
    frames = score_video(_video(pred), conv)
    assert frames.iou[1] <= 0 and frames.iou[3] <= 0
    assert np.isinf(frames.center_error[1])
    assert not frames.point_hit[1]


@pytest.mark.parametrize('conv', ['mmtrack', 'got10k', 'lasot'])
def test_failed_rows_override_everything(conv):
    pred = np.array([[10, 10, 10, 10]] * 4, float)
    failed = np.array([False, True, False, False])
    frames = score_video(_video(pred, failed=failed), conv)
    assert frames.iou[1] == -1 and np.isinf(frames.center_error[1])
    assert not frames.point_hit[1] and not frames.reported[1]


def test_unknown_convention_is_rejected():
    with pytest.raises(ValueError, match='unknown convention'):
        score_video(_video(GT.copy()), 'otb')


def test_video_data_checks_lengths():
    with pytest.raises(ValueError, match='3 predicted boxes for 4'):
        VideoData('v', np.zeros((4, 4)), np.zeros((3, 4)))
