import numpy as np
import pytest

import mmtrack_smallobj  # noqa: F401
from mmtrack.registry import TRANSFORMS
from mmtrack_smallobj.datasets.transforms import (VisiblePairSampling,
                                                  split_by_visible_ratio,
                                                  visible_frame_indices)


def _video(video_id, visible, valid=None):
    n = len(visible)
    bboxes = np.tile(np.array([[10., 10., 20., 20.]]), (n, 1))
    bboxes[~np.asarray(visible)] = 0
    return dict(
        video_id=video_id,
        frame_ids=np.arange(n),
        img_paths=[f'v{video_id}/{i:08d}.jpg' for i in range(n)],
        video_length=n,
        bboxes=bboxes,
        bboxes_isvalid=np.ones(n, bool) if valid is None else np.array(valid),
        visible=np.array(visible, bool))


def test_builds_from_registry():
    sampler = TRANSFORMS.build(dict(type='VisiblePairSampling', frame_range=3))
    assert isinstance(sampler, VisiblePairSampling)
    assert sampler.frame_range == [-3, 3]


def test_only_visible_frames_are_drawn():
    np.random.seed(0)
    visible = [False, True, False, False, True, True, False, False]
    video = _video(0, visible)
    other = _video(1, [False, False, True, False])
    sampler = VisiblePairSampling(frame_range=8, pos_prob=0.5)
    seen = set()
    positives = negatives = 0
    for _ in range(200):
        out = sampler.transform([video, other])
        label = int(out['instances'][0][0]['bbox_label'])
        if label:
            positives += 1
            assert out['video_id'] == [0, 0]
            seen.update(out['frame_id'])
            assert all(visible[f] for f in out['frame_id'])
        else:
            negatives += 1
            assert out['video_id'] == [0, 1]
            assert visible[out['frame_id'][0]]
            assert out['frame_id'][1] == 2
    assert seen == {1, 4, 5}
    assert positives > 50 and negatives > 50


def test_search_frame_stays_in_range():
    np.random.seed(1)
    video = _video(0, [True] * 30)
    sampler = VisiblePairSampling(frame_range=2, pos_prob=1.0)
    for _ in range(100):
        template, search = sampler.transform([video, video])['frame_id']
        assert -2 <= search - template < 2


def test_filter_template_falls_back_to_template_when_alone():
    np.random.seed(2)
    video = _video(0, [False, True, False])
    sampler = VisiblePairSampling(
        frame_range=5, pos_prob=1.0, filter_template_img=True)
    assert sampler.transform([video, video])['frame_id'] == [1, 1]


def test_invalid_boxes_are_not_drawn_and_inputs_not_mutated():
    video = _video(3, [True, True, True], valid=[True, False, True])
    before = video['visible'].copy()
    assert visible_frame_indices(video).tolist() == [0, 2]
    assert np.array_equal(video['visible'], before)


def test_video_without_visible_frame_is_named():
    with pytest.raises(ValueError, match='video 7'):
        visible_frame_indices(_video(7, [False, False]))


def _with_ratio(video, ratio):
    return dict(video, visible_ratio=np.array(ratio, np.float64))


# 20 frames: 0-9 whole, 10-12 partly hidden, 13 absent, 14-19 whole.
RATIO = [1.0] * 10 + [0.25, 0.5, 0.875] + [0.0] + [1.0] * 6


def test_split_by_visible_ratio():
    video = _with_ratio(_video(0, [r > 0 for r in RATIO]), RATIO)
    whole, partly = split_by_visible_ratio(video, visible_frame_indices(video))
    assert partly.tolist() == [10, 11, 12]
    assert whole.tolist() == list(range(10)) + list(range(14, 20))
    whole, partly = split_by_visible_ratio(_video(0, [True] * 3),
                                           np.arange(3))
    assert len(whole) == 0 and len(partly) == 0


def test_partly_hidden_search_frames_and_whole_templates():
    np.random.seed(3)
    video = _with_ratio(_video(0, [r > 0 for r in RATIO]), RATIO)
    sampler = VisiblePairSampling(frame_range=2, pos_prob=1.0,
                                  partly_hidden_prob=0.5, whole_template=True)
    partly_hidden = 0
    for _ in range(200):
        template, search = sampler.transform([video, video])['frame_id']
        assert RATIO[template] == 1.0
        if 0 < RATIO[search] < 1 and not -2 <= search - template < 2:
            partly_hidden += 1
        else:
            assert -2 <= search - template < 2
    # Half the pairs draw among frames 10-12 wherever the template is; a
    # few of those draws also fall in range and are not counted.
    assert 60 < partly_hidden < 110


def test_without_partly_hidden_frames_the_range_rule_holds():
    np.random.seed(4)
    video = _with_ratio(_video(0, [True] * 12), [1.0] * 12)
    sampler = VisiblePairSampling(frame_range=2, pos_prob=1.0,
                                  partly_hidden_prob=1.0, whole_template=True)
    for _ in range(50):
        template, search = sampler.transform([video, video])['frame_id']
        assert -2 <= search - template < 2


def test_options_off_keep_the_random_stream():
    """With both options off, a video with cover levels draws the same
    pairs as without them (a default config trains as it did)."""
    plain = _video(0, [r > 0 for r in RATIO])
    sampler = VisiblePairSampling(frame_range=4, pos_prob=0.7)
    draws = []
    for video in (plain, _with_ratio(plain, RATIO)):
        np.random.seed(5)
        draws.append([sampler.transform([video, plain])['frame_id']
                      for _ in range(50)])
    assert draws[0] == draws[1]


@pytest.mark.parametrize('prob', [-0.1, 1.5, True, 'half'])
def test_bad_partly_hidden_prob_is_named(prob):
    with pytest.raises(ValueError, match='^partly_hidden_prob must be a '
                       r'number in \[0, 1\], got '):
        VisiblePairSampling(partly_hidden_prob=prob)
