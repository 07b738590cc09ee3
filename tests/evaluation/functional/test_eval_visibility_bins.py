"""Visibility bins: cover levels to bins, and the per-visibility breakdown."""
import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (COVER_BIN_LABELS,
                                                    EvaluationInputError,
                                                    VideoData,
                                                    assign_cover_bins,
                                                    evaluate_results,
                                                    evaluate_videos,
                                                    format_metrics_table,
                                                    xywh_to_xyxy)


def test_levels_map_to_shown_fraction_bins():
    # GOT-10k: 1, 2 <= 30 %; 3, 4 <= 60 %; 5, 6 <= 90 %; 7 < 100 %; 8 all.
    np.testing.assert_array_equal(
        assign_cover_bins(np.arange(9)), [-1, 0, 0, 1, 1, 2, 2, 3, 4])
    assert COVER_BIN_LABELS == ['0-30', '30-60', '60-90', '90-100', '100']


@pytest.mark.parametrize('bad', [[8, 9], [8, -1], [8, 2.5]])
def test_levels_outside_0_to_8_are_rejected(bad):
    with pytest.raises(ValueError, match='at frame 1 is not an integer'):
        assign_cover_bins(np.array(bad))


def _video(cover):
    """Six 20 px frames: the prediction hits the first four and misses the
    last two."""
    gt = np.tile([10.0, 10.0, 20.0, 20.0], (6, 1))
    pred = gt.copy()
    pred[4:, :2] = 100.0
    return VideoData('v', xywh_to_xyxy(gt), xywh_to_xyxy(pred),
                     visible=np.asarray(cover) > 0, cover=np.asarray(cover))


def test_breakdown_splits_frames_by_cover_level():
    out = evaluate_videos([_video([8, 8, 8, 7, 2, 0])], 'lasot')
    bins = out['by_visibility']
    assert list(bins) == COVER_BIN_LABELS
    assert bins['100']['num_frames'] == 3
    assert bins['100']['point_accuracy'] == pytest.approx(100.0)
    assert bins['90-100']['num_frames'] == 1
    assert bins['0-30']['point_accuracy'] == pytest.approx(0.0)
    assert bins['30-60']['num_frames'] == 0
    assert bins['30-60']['success'] is None
    # the absent frame (level 0) is in no bin
    assert sum(b['num_frames'] for b in bins.values()) == 5
    assert set(out['curves']['by_visibility']) == {'0-30', '90-100', '100'}
    assert 'visible (%)' in format_metrics_table(out)


def test_fully_visible_bin_equals_overall():
    out = evaluate_videos([_video([8] * 6)], 'lasot')
    for key in ('success', 'precision', 'point_accuracy'):
        assert out['by_visibility']['100'][key] == pytest.approx(out[key])


def test_no_breakdown_unless_every_video_has_cover_levels():
    with_cover = _video([8] * 6)
    without = VideoData('w', with_cover.gt_bboxes, with_cover.pred_bboxes)
    out = evaluate_videos([with_cover, without], 'lasot')
    assert 'by_visibility' not in out
    assert 'visible (%)' not in format_metrics_table(out)


def _lasot_root(tmp_path, cover_text):
    """One 3-frame LaSOT-layout video with a cover.label; results that hit
    every frame."""
    video = tmp_path / 'data' / 'cat' / 'cat-1'
    video.mkdir(parents=True)
    (video / 'groundtruth.txt').write_text('10,10,20,20\n' * 3)
    (video / 'full_occlusion.txt').write_text('0,0,0')
    (video / 'out_of_view.txt').write_text('0,0,0')
    (video / 'cover.label').write_text(cover_text)
    results = tmp_path / 'results'
    results.mkdir()
    (results / 'cat-1.txt').write_text('10,10,20,20\n' * 3)
    return str(tmp_path / 'data'), str(results)


def test_lasot_layout_reads_cover_label(tmp_path):
    data, results = _lasot_root(tmp_path, '8\n4\n4\n')
    out = evaluate_results(data, 'lasot', results, convention='lasot')
    assert out['by_visibility']['100']['num_frames'] == 1
    assert out['by_visibility']['30-60']['num_frames'] == 2


def test_bad_cover_level_names_file_and_line(tmp_path):
    data, results = _lasot_root(tmp_path, '8\n9\n8\n')
    with pytest.raises(EvaluationInputError,
                       match=r'cover\.label, line 2: cover level 9'):
        evaluate_results(data, 'lasot', results, convention='lasot')
