"""OPE curves: threshold counting, hand cases, and the references."""
import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (
    OPE_THRESHOLDS, VideoData, evaluate_videos, grouped_threshold_counts,
    ope_metrics, xywh_to_xyxy)


def test_grouped_counts_match_brute_force_including_ties():
    rng = np.random.default_rng(0)
    ths = OPE_THRESHOLDS['mmtrack']['iou']
    values = np.concatenate([rng.uniform(-1, 1.2, 300), ths, [-np.inf,
                                                              np.inf]])
    groups = rng.integers(0, 5, len(values))
    for above in (True, False):
        counts = grouped_threshold_counts(values, groups, 5, ths, above)
        for g in range(5):
            v = values[groups == g]
            ref = [(v > t).sum() if above else (v <= t).sum() for t in ths]
            np.testing.assert_array_equal(counts[g], ref)


def test_ope_hand_computed():
    # one video, 4 frames; IoU 1, 0.5 (not > 0.5), 0.3, miss
    iou = [np.array([1.0, 0.5, 0.3, -1.0])]
    ce = [np.array([0.0, 20.0, 20.5, np.inf])]
    out = ope_metrics(iou, ce, ce, 'mmtrack')
    ths = OPE_THRESHOLDS['mmtrack']['iou']
    expected_auc = np.mean([(np.array(iou[0]) > t).mean() for t in ths])
    assert out['success'] == pytest.approx(100 * expected_auc)
    assert out['precision'] == pytest.approx(50.0)  # 0 and 20 px pass at 20
    # success at threshold 0 counts IoU > 0 only: 3 of 4
    assert out['curves']['success']['values'][0] == pytest.approx(75.0)


def test_ope_curves_are_averaged_per_video():
    iou = [np.array([1.0]), np.array([-1.0, -1.0, -1.0])]
    ce = [np.array([0.0]), np.full(3, np.inf)]
    out = ope_metrics(iou, ce, ce, 'got10k')
    assert out['precision'] == pytest.approx(50.0)  # not 25 (pooled)


def _videos(raw):
    out = []
    for i, (gt, pred, vis) in enumerate(raw):
        out.append(
            VideoData(f'v{i}', xywh_to_xyxy(gt), xywh_to_xyxy(pred), vis))
    return out


@pytest.mark.parametrize('only_visible', [False, True])
@pytest.mark.parametrize('edge_cases', [False, True])
def test_mmtrack_convention_matches_eval_sot_ope(random_videos, only_visible,
                                                 edge_cases):
    pytest.importorskip('mmtrack')
    from mmtrack.evaluation.functional import eval_sot_ope
    raw = random_videos(seed=3, num_videos=5, num_frames=80,
                        edge_cases=edge_cases)
    videos = _videos(raw)
    gts = [v.gt_bboxes.astype(np.float32) for v in videos]
    preds = [list(v.pred_bboxes) for v in videos]
    vis = [v.visible for v in videos] if only_visible else None
    ref = eval_sot_ope(preds, gts, vis)
    ours = evaluate_videos(videos, 'mmtrack', only_eval_visible=only_visible)
    for key in ('success', 'precision', 'norm_precision'):
        assert ours[key] == pytest.approx(float(ref[key]), abs=1e-4), key
    # and not trivially: the edge cases really change the numbers
    assert 0 < ours['success'] < 100


def _got10k_otb_reference(raw):
    """ExperimentOTB.report's per-sequence loop, with the toolkit's own
    metric functions (its constructor would download OTB)."""
    # got10k.experiments imports its downloader, which needs `wget`
    otb = pytest.importorskip('got10k.experiments.otb')
    ExperimentOTB = otb.ExperimentOTB
    exp = ExperimentOTB.__new__(ExperimentOTB)
    exp.nbins_iou, exp.nbins_ce = 21, 51
    succ, prec = [], []
    for gt, pred, _ in raw:
        boxes, anno = pred.copy(), gt.copy()
        boxes[0] = anno[0]
        ious, center_errors = exp._calc_metrics(boxes, anno)
        s, p = exp._calc_curves(ious, center_errors)
        succ.append(s)
        prec.append(p)
    succ_curve, prec_curve = np.mean(succ, axis=0), np.mean(prec, axis=0)
    return 100 * np.mean(succ_curve), 100 * prec_curve[20]


@pytest.mark.parametrize('edge_cases', [False, True])
def test_got10k_convention_matches_experiment_otb(random_videos, edge_cases):
    raw = random_videos(seed=4, num_videos=5, num_frames=80,
                        edge_cases=edge_cases)
    ref_success, ref_precision = _got10k_otb_reference(raw)
    ours = evaluate_videos(_videos(raw), 'got10k')
    assert ours['success'] == pytest.approx(ref_success, abs=1e-6)
    assert ours['precision'] == pytest.approx(ref_precision, abs=1e-6)
