"""The entry point: keys, JSON readiness, long-term switch, table text."""
import json

import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (CORE_METRICS,
                                                    LT_METRICS, VideoData,
                                                    evaluate_videos,
                                                    format_metrics_table,
                                                    xywh_to_xyxy)


def _videos(random_videos, scores=None):
    raw = random_videos(seed=7, num_videos=3, num_frames=40)
    out = []
    for i, (gt, pred, vis) in enumerate(raw):
        s = None if scores is None else scores(i, len(gt))
        out.append(
            VideoData(f'vid-{i}', xywh_to_xyxy(gt), xywh_to_xyxy(pred), vis,
                      scores=s))
    return out


def test_keys_and_json(random_videos):
    out = evaluate_videos(_videos(random_videos), 'mmtrack')
    for key in CORE_METRICS:
        assert isinstance(out[key], float), key
    assert not any(k in out for k in LT_METRICS)
    assert set(out['per_video']) == {'vid-0', 'vid-1', 'vid-2'}
    assert out['num_frames'] == 120 and out['num_videos'] == 3
    json.loads(json.dumps(out, allow_nan=False))


def test_long_term_metrics_with_confidences(random_videos):
    rng = np.random.default_rng(0)
    out = evaluate_videos(
        _videos(random_videos, lambda i, n: rng.uniform(0, 1, n)), 'got10k')
    for key in LT_METRICS:
        assert 0 <= out[key] <= 100, key


def test_confidences_for_some_videos_only_is_an_error(random_videos):
    with pytest.raises(ValueError, match='some videos but not'):
        evaluate_videos(
            _videos(random_videos,
                    lambda i, n: None if i else np.ones(n)), 'mmtrack')


def test_table_lists_overall_and_bins(random_videos):
    out = evaluate_videos(_videos(random_videos), 'mmtrack')
    text = format_metrics_table(out)
    assert 'convention: mmtrack' in text
    assert f"{out['success']:.2f}" in text
    for label in ('<8', '8-16', '>=128', 'PointAcc', 'n/a'):
        assert label in text
