"""VOT-LT, OxUvA and Anti-UAV metrics: hand cases and closed forms."""
import math

import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (antiuav_state_accuracy,
                                                    determine_thresholds,
                                                    oxuva_max_gm,
                                                    oxuva_metrics,
                                                    vot_lt_metrics)


def test_determine_thresholds_like_vot_toolkit():
    scores = np.arange(1000, dtype=float)
    ths = determine_thresholds(np.append(scores, np.nan), resolution=10)
    assert ths[0] == np.inf and ths[-1] == -np.inf and len(ths) == 10
    desc = scores[::-1]
    delta = math.floor(1000 / 8)
    idx = np.round(np.linspace(delta, 1000 - delta, 8)).astype(int)
    np.testing.assert_array_equal(ths[1:-1], desc[idx])
    # few scores: all of them are thresholds
    np.testing.assert_array_equal(
        determine_thresholds(np.array([0.2, 0.9])), [np.inf, 0.9, 0.2,
                                                     -np.inf])


def _lt_case():
    # 4 frames: present x3 (IoU .8, .6, .0) + 1 absent
    lt_iou = [np.array([0.8, 0.6, 0.0, 0.0])]
    present = [np.array([True, True, True, False])]
    reported = [np.ones(4, bool)]
    scores = [np.array([0.9, 0.7, 0.3, 0.6])]
    return lt_iou, present, reported, scores


def test_vot_lt_hand_computed():
    out = vot_lt_metrics(*_lt_case())
    # thresholds .9, .7, .6, .3: at .7 -> Pr .7, Re 1.4/3; at .9 -> .8, .8/3
    candidates = []
    for sel in ([0], [0, 1], [0, 1, 3], [0, 1, 2, 3]):
        iou = np.array([0.8, 0.6, 0.0, 0.0])[sel]
        pr, re = iou.mean(), iou.sum() / 3
        candidates.append((2 * pr * re / (pr + re), pr, re))
    best = max(candidates)
    assert out['lt_fscore'] == pytest.approx(100 * best[0])
    assert out['lt_precision'] == pytest.approx(100 * best[1])
    assert out['lt_recall'] == pytest.approx(100 * best[2])
    assert out['lt_threshold'] == pytest.approx(0.7)


def test_oxuva_hand_computed():
    out = oxuva_metrics(*_lt_case(), threshold=0.5)
    # present & said present & IoU >= .5: frames 0, 1 -> TPR 2/3
    assert out['oxuva_tpr'] == pytest.approx(100 * 2 / 3)
    # the absent frame has score .6 >= .5: said present -> TNR 0
    assert out['oxuva_tnr'] == pytest.approx(0.0)
    assert out['oxuva_maxgm'] == pytest.approx(
        100 * oxuva_max_gm(2 / 3, 0.0))


@pytest.mark.parametrize('tpr, tnr', [(0.7, 0.9), (0.6, 0.1), (0.5, 0.0),
                                      (1.0, 0.5), (0.0, 0.3)])
def test_oxuva_max_gm_closed_form_matches_grid(tpr, tnr):
    p = np.linspace(0, 1, 200001)
    grid = np.sqrt((1 - p) * tpr * ((1 - p) * tnr + p)).max()
    assert oxuva_max_gm(tpr, tnr) == pytest.approx(grid, abs=1e-6)


def test_antiuav_state_accuracy_hand_computed():
    out = antiuav_state_accuracy(*_lt_case(), threshold=0.5)
    # frames: .8, .6, 0 (score .3: said absent while present), 0 (said
    # present while absent)
    assert out == pytest.approx(100 * (0.8 + 0.6) / 4)
    out = antiuav_state_accuracy(*_lt_case(), threshold=0.65)
    # the absent frame is now said absent: scores 1
    assert out == pytest.approx(100 * (0.8 + 0.6 + 1) / 4)
