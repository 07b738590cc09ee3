"""Absence-threshold sweep and tuning: equal to the one-threshold metrics,
and the threshold found where it is known by construction."""
import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (VideoData,
                                                    absence_candidates,
                                                    antiuav_state_accuracy,
                                                    long_term_sweep,
                                                    oxuva_metrics,
                                                    score_video,
                                                    tune_absent_threshold,
                                                    vot_lt_metrics)


def _random_case(seed=0, num_videos=4, num_frames=50):
    """Per-video arrays with every kind of frame: present and absent, IoU 0
    to 1, unreported boxes, NaN scores, tied scores, and one video without
    a present frame."""
    rng = np.random.default_rng(seed)
    lt_iou, present, reported, scores = [], [], [], []
    for v in range(num_videos):
        pres = rng.random(num_frames) > 0.3
        if v == num_videos - 1:
            pres[:] = False
        lt_iou.append(np.where(pres, rng.random(num_frames), 0.0))
        present.append(pres)
        reported.append(rng.random(num_frames) > 0.1)
        score = np.round(rng.random(num_frames), 2)  # ties on purpose
        score[rng.random(num_frames) < 0.05] = np.nan
        scores.append(score)
    return lt_iou, present, reported, scores


def _vot_at(lt_iou, present, reported, scores, th):
    """VOT-LT precision, recall and F at one threshold, by the definition."""
    prs, res = [], []
    for ov, pres, rep, score in zip(lt_iou, present, reported, scores):
        with np.errstate(invalid='ignore'):
            said = rep & (score >= th)
        prs.append(ov[said].mean() if said.any() else 1.0)
        if pres.any():
            res.append(ov[said].sum() / pres.sum())
    pr, re = np.mean(prs), np.mean(res)
    return pr, re, (2 * pr * re / (pr + re) if pr + re > 0 else 0.0)


def test_sweep_equals_the_one_threshold_metrics():
    case = _random_case()
    thresholds = absence_candidates(case[2], case[3])
    sweep = long_term_sweep(*case, thresholds)
    for i, th in enumerate(thresholds):
        oxuva = oxuva_metrics(*case, threshold=th)
        for key, value in oxuva.items():
            assert sweep[key][i] == pytest.approx(value), (key, th)
        assert sweep['antiuav_sa'][i] == pytest.approx(
            antiuav_state_accuracy(*case, threshold=th))
        pr, re, f = _vot_at(*case, th)
        assert sweep['lt_precision'][i] == pytest.approx(100 * pr)
        assert sweep['lt_recall'][i] == pytest.approx(100 * re)
        assert sweep['lt_fscore'][i] == pytest.approx(100 * f)
    # over VOT's own thresholds, the best F is vot_lt_metrics' F
    best = tune_absent_threshold(*case, metric='lt_fscore')
    assert best.tuned['lt_fscore'] == pytest.approx(
        vot_lt_metrics(*case, resolution=1000)['lt_fscore'])


def test_candidates_are_the_observed_scores():
    reported = [np.array([True, True, False, True, True])]
    scores = [np.array([0.5, np.nan, 0.9, 0.2, 0.5])]
    np.testing.assert_array_equal(
        absence_candidates(reported, scores), [np.inf, 0.5, 0.2, -np.inf])
    many = [np.linspace(0, 1, 101)]
    kept = absence_candidates([np.ones(101, bool)], many, max_thresholds=5)
    np.testing.assert_allclose(kept, [np.inf, 1, 0.75, 0.5, 0.25, 0, -np.inf])


def _separable(seed=1):
    """Present frames score in [0.6, 1] with IoU 0.7 to 1; absent frames in
    [0, 0.3]: the right threshold is anything in between."""
    rng = np.random.default_rng(seed)
    lt_iou, present, reported, scores = [], [], [], []
    for _ in range(3):
        pres = np.ones(60, bool)
        pres[20:40] = False
        lt_iou.append(np.where(pres, rng.uniform(0.7, 1.0, 60), 0.0))
        present.append(pres)
        reported.append(np.ones(60, bool))
        scores.append(
            np.where(pres, rng.uniform(0.6, 1.0, 60),
                     rng.uniform(0.0, 0.3, 60)))
    return lt_iou, present, reported, scores


@pytest.mark.parametrize('metric', ['lt_fscore', 'oxuva_maxgm', 'antiuav_sa'])
def test_tuning_finds_the_gap_between_absent_and_present_scores(metric):
    case = _separable()
    result = tune_absent_threshold(*case, metric=metric)
    low = max(s[~p].max() for p, s in zip(case[1], case[3]))
    high = min(s[p].min() for p, s in zip(case[1], case[3]))
    # a short number across the gap, with a margin to both sides
    assert low < result.threshold < high
    assert abs(result.threshold - 0.5 * (low + high)) <= 0.25 * (high - low)
    assert result.threshold == round(result.threshold, 2)
    assert result.tuned['oxuva_tnr'] == pytest.approx(100.0)
    assert result.tuned['oxuva_tpr'] == pytest.approx(100.0)
    assert result.never_absent['oxuva_tnr'] == pytest.approx(0.0)
    assert result.tuned[metric] > result.never_absent[metric] + 5
    assert result.tuned['lt_fscore'] > result.never_absent['lt_fscore']
    assert result.values.max() == pytest.approx(result.tuned[metric])


def test_ties_go_to_never_absent_and_always_absent_can_win():
    # every frame present and perfectly tracked: absence only loses, and
    # the lowest score ties with -inf
    iou, pres = [np.ones(5)], [np.ones(5, bool)]
    rep, scores = [np.ones(5, bool)], [np.array([0.1, 0.2, 0.3, 0.4, 0.5])]
    result = tune_absent_threshold(iou, pres, rep, scores)
    assert result.threshold == -np.inf
    assert result.tuned['lt_fscore'] == result.never_absent['lt_fscore']
    # Anti-UAV rewards saying "absent" on a mostly absent, badly tracked
    # video: always absent (+inf) is the best state accuracy
    pres = [np.array([False, True, False, False])]
    result = tune_absent_threshold([np.zeros(4)], pres, [np.ones(4, bool)],
                                   [np.array([0.9, 0.8, 0.7, 0.6])],
                                   metric='antiuav_sa')
    assert result.threshold == np.inf
    assert result.tuned['antiuav_sa'] == pytest.approx(75.0)
    assert result.never_absent['antiuav_sa'] == pytest.approx(0.0)


def test_threshold_is_a_short_number_in_the_gap():
    iou, pres = [np.array([1.0, 1.0, 0, 0])], [np.array([1, 1, 0, 0], bool)]
    for scores, expected in (([0.9, 0.7, 0.6, 0.1], 0.65),
                             ([0.9, 0.61, 0.6, 0.1], 0.605),
                             ([0.9, 0.8, 0.1, 0.0], 0.5)):
        result = tune_absent_threshold(iou, pres, [np.ones(4, bool)],
                                       [np.array(scores)])
        assert result.threshold == expected


def test_tuning_errors_are_clear():
    case = _separable()
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        tune_absent_threshold(*case, metric='f1')
    nan_scores = [np.full(60, np.nan)] * 3
    with pytest.raises(ValueError, match='no frame has both'):
        tune_absent_threshold(case[0], case[1], case[2], nan_scores)
    all_present = [np.ones(60, bool)] * 3
    with pytest.raises(ValueError, match='oxuva_maxgm is undefined'):
        tune_absent_threshold(case[0], all_present, case[2], case[3],
                              metric='oxuva_maxgm')


def test_tracker_absence_makes_a_frame_unreported():
    gt = np.array([[0, 0, 10, 10]] * 3, float)
    video = VideoData('v', gt, gt.copy(), scores=np.ones(3),
                      absent=np.array([False, True, False]))
    frames = score_video(video)
    np.testing.assert_array_equal(frames.reported, [True, False, True])
    np.testing.assert_array_equal(frames.iou, [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match='absent has 2 entries for 3'):
        VideoData('v', gt, gt, absent=np.zeros(2, bool))
