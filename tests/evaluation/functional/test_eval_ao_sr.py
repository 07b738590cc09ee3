"""AO / SR: hand cases and the got10k toolkit's ExperimentGOT10k rules."""
import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (VideoData,
                                                    average_overlap,
                                                    evaluate_videos,
                                                    xywh_to_xyxy)


def test_pooled_vs_per_video_hand_computed():
    ious = [np.array([1.0, 0.6]), np.array([0.0, 0.0, 0.0, 0.8])]
    masks = [np.ones(2, bool), np.ones(4, bool)]
    pooled = average_overlap(ious, masks, pooled=True)
    assert pooled['ao'] == pytest.approx(100 * 2.4 / 6)
    assert pooled['sr50'] == pytest.approx(100 * 3 / 6)
    assert pooled['sr75'] == pytest.approx(100 * 2 / 6)
    per_video = average_overlap(ious, masks, pooled=False)
    assert per_video['ao'] == pytest.approx(100 * (0.8 + 0.2) / 2)


def test_empty_mask_gives_nan_not_zero():
    out = average_overlap([np.array([0.5])], [np.zeros(1, bool)], True)
    assert np.isnan(out['ao']) and out['num_frames'] == 0


@pytest.mark.parametrize('edge_cases', [False, True])
def test_got10k_convention_matches_experiment_got10k(random_videos,
                                                     edge_cases):
    # got10k.experiments imports its downloader, which needs `wget`
    got10k_exp = pytest.importorskip('got10k.experiments.got10k')
    from got10k.utils.metrics import rect_iou
    ExperimentGOT10k = got10k_exp.ExperimentGOT10k
    exp = ExperimentGOT10k.__new__(ExperimentGOT10k)
    raw = random_videos(seed=5, num_videos=4, num_frames=70,
                        edge_cases=edge_cases)
    rng = np.random.default_rng(0)
    bound = (300, 250)  # smaller than the box range: clipping matters
    ref_ious, videos = [], []
    for i, (gt, pred, _) in enumerate(raw):
        cover = rng.integers(0, 9, len(gt))
        cover[len(gt) // 4] = 0  # the absent row
        # ExperimentGOT10k.report, one repetition
        seq_iou = rect_iou(pred[1:].copy(), gt[1:].copy(), bound=bound)
        ref_ious.append(seq_iou[cover[1:] > 0])
        videos.append(
            VideoData(f'v{i}', xywh_to_xyxy(gt), xywh_to_xyxy(pred),
                      cover=cover, image_size=bound))
    ao, sr, _, _ = exp._evaluate(np.concatenate(ref_ious), np.array([]))
    ours = evaluate_videos(videos, 'got10k')
    assert ours['ao'] == pytest.approx(100 * ao, abs=1e-6)
    assert ours['sr50'] == pytest.approx(100 * sr, abs=1e-6)
    all_ious = np.concatenate(ref_ious)
    assert ours['sr75'] == pytest.approx(100 * np.mean(all_ious > 0.75),
                                         abs=1e-6)


def test_got10k_ao_nan_box_scores_zero_with_warning():
    gt = xywh_to_xyxy(np.array([[0, 0, 10, 10]] * 3, float))
    pred = gt.copy()
    pred[2] = np.nan
    video = VideoData('v', gt, pred, cover=np.array([8, 8, 8]))
    with pytest.warns(UserWarning, match='NaN IoU'):
        out = evaluate_videos([video], 'got10k')
    assert out['ao'] == pytest.approx(50.0)  # frames 1 (IoU 1) and 2 (0)
