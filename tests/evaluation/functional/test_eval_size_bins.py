"""Size bins: labels, assignment, and consistency with the overall numbers."""
import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (VideoData,
                                                    assign_size_bins,
                                                    evaluate_videos,
                                                    size_bin_labels,
                                                    xywh_to_xyxy)


def test_default_labels():
    assert size_bin_labels() == [
        '<8', '8-16', '16-32', '32-64', '64-128', '>=128'
    ]
    assert size_bin_labels([10, 20.5]) == ['<10', '10-20.5', '>=20.5']


def test_assignment_includes_lower_edge():
    sizes = np.array([0.5, 7.99, 8.0, 16.0, 127.9, 128.0, 1e6, np.nan])
    np.testing.assert_array_equal(
        assign_size_bins(sizes), [0, 0, 1, 2, 4, 5, 5, -1])


@pytest.mark.parametrize('edges', [[], [8, 8], [-1, 3], [np.inf]])
def test_bad_edges_are_rejected(edges):
    with pytest.raises(ValueError, match='size bin edges'):
        size_bin_labels(edges)


@pytest.mark.parametrize('convention', ['mmtrack', 'got10k', 'lasot'])
def test_single_bin_equals_overall_without_absent_frames(
        random_videos, convention):
    videos = [
        VideoData(f'v{i}', xywh_to_xyxy(g), xywh_to_xyxy(p))
        for i, (g, p, _) in enumerate(
            random_videos(seed=6, num_frames=50, edge_cases=False))
    ]
    out = evaluate_videos(videos, convention, size_edges=[1e9])
    whole = out['by_size']['<1e+09']
    for key in ('success', 'precision', 'norm_precision', 'ao',
                'point_accuracy'):
        assert whole[key] == pytest.approx(out[key], abs=1e-9), key
    assert out['by_size']['>=1e+09']['num_frames'] == 0
    assert out['by_size']['>=1e+09']['success'] is None


def test_bins_split_frames_by_ground_truth_size():
    gt = np.array([[0, 0, 4, 4], [0, 0, 20, 20], [0, 0, 20, 20],
                   [0, 0, 0, 0]], float)
    pred = np.array([[0, 0, 4, 4], [0, 0, 20, 20], [50, 50, 20, 20],
                     [0, 0, 5, 5]], float)
    out = evaluate_videos(
        [VideoData('v', xywh_to_xyxy(gt), xywh_to_xyxy(pred))], 'mmtrack')
    assert out['by_size']['<8']['num_frames'] == 1
    assert out['by_size']['16-32']['num_frames'] == 2
    assert out['by_size']['<8']['point_accuracy'] == pytest.approx(100.0)
    assert out['by_size']['16-32']['point_accuracy'] == pytest.approx(50.0)
    # the absent frame is in no bin
    assert sum(b['num_frames'] for b in out['by_size'].values()) == 3
