"""Where the mean overlap is lost: the three parts on hand-made frames, the
bins adding up to the overall row, and the table."""
import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (OVERLAP_LOSS_PARTS,
                                                    VideoData,
                                                    evaluate_videos,
                                                    format_metrics_table,
                                                    overlap_loss,
                                                    score_video)

GT = [0.0, 0.0, 10.0, 10.0]


def _four_frames() -> VideoData:
    """One frame of each kind, xyxy, under the lasot rules: frame 0 (the
    given box), an absent frame, a miss that still overlaps the target, a
    centred box twice too wide."""
    gt = np.array([GT, [0, 0, 0, 0], GT, GT])
    pred = np.array([GT, [0, 0, 10, 10], [6, 0, 16, 10], [-5, 0, 15, 10]])
    visible = np.array([True, False, True, True])
    return VideoData('four', gt, pred, visible)


def test_each_frame_loses_its_own_part():
    frames = [score_video(_four_frames(), 'lasot')]
    out = overlap_loss(frames)
    # 4 frames: the absent one loses 1, the miss 1 - 40 / 160, the wide
    # box 1 - 100 / 200; frame 0 nothing.
    assert out['lost_absent'] == pytest.approx(25.0)
    assert out['lost_missed'] == pytest.approx(100 * 0.75 / 4)
    assert out['lost_box_error'] == pytest.approx(100 * 0.5 / 4)
    assert out['mean_overlap'] == pytest.approx(100 * (1 + 0.25 + 0.5) / 4)
    assert out['hit_overlap'] == pytest.approx(75.0)
    assert out['num_hits'] == 2
    lost = sum(out[part] for part in OVERLAP_LOSS_PARTS)
    assert lost == pytest.approx(100 - out['mean_overlap'])


def test_masked_parts_are_shares_of_all_frames():
    frames = [score_video(_four_frames(), 'lasot')]
    out = overlap_loss(frames, [np.array([False, False, False, True])])
    assert out['lost_box_error'] == pytest.approx(100 * 0.5 / 4)
    assert out['lost_absent'] == out['lost_missed'] == 0.0
    assert out['mean_overlap'] == pytest.approx(50.0)
    empty = overlap_loss(frames, [np.zeros(4, bool)])
    assert empty['mean_overlap'] is None and empty['hit_overlap'] is None
    assert empty['num_hits'] == 0
    with pytest.raises(ValueError, match='at least one frame'):
        overlap_loss([])


def test_bins_add_up_to_the_overall_row(covered_videos):
    videos = covered_videos(seed=3, num_videos=3)
    out = evaluate_videos(videos, 'lasot')
    lost = sum(out[part] for part in OVERLAP_LOSS_PARTS)
    assert lost == pytest.approx(100 - out['mean_overlap'])
    assert out['lost_absent'] > 0 and out['lost_missed'] > 0
    for breakdown in ('by_size', 'by_visibility'):
        bins = out[breakdown].values()
        for part in ('lost_missed', 'lost_box_error'):
            assert sum(m[part] for m in bins) == pytest.approx(out[part])
        assert sum(m['num_hits'] for m in bins) == out['num_hits']
    text = format_metrics_table(out)
    assert 'overlap lost, size (px)' in text
    assert 'overlap lost, visible (%)' in text
    all_row = [line for line in text.splitlines()
               if line.startswith('all') and 'n/a' not in line][-1]
    assert f"{out['lost_box_error']:.2f}" in all_row
