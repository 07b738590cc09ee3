"""The batched Kalman filter against mmtrack's per-track one."""
import numpy as np
import pytest
import torch
from mmtrack.models.motion import KalmanFilter
from mmtrack.structures.bbox import bbox_cxcyah_to_xyxy, bbox_xyxy_to_cxcyah

from mmtrack_smallobj.models.trackers.batch_kalman import (
    batch_gating_distance, batch_initiate, batch_predict, batch_project,
    batch_update, cxcyah_to_xyxy, xyxy_to_cxcyah)


def _measures(num: int, seed: int = 0) -> np.ndarray:
    """x, y, a, h boxes of a few to a hundred pixels."""
    rng = np.random.default_rng(seed)
    return np.stack([
        rng.uniform(0, 500, num),
        rng.uniform(0, 500, num),
        rng.uniform(0.3, 3, num),
        rng.uniform(3, 100, num)
    ],
                    axis=1)


def _moved_states(kf: KalmanFilter, num: int):
    """Tracks after one update and one predict, so that every covariance
    term is populated, as the per-track filter computes them."""
    start, later = _measures(num, 0), _measures(num, 1)
    means, covs = [], []
    for first, second in zip(start, later):
        mean, cov = kf.predict(*kf.initiate(first))
        mean, cov = kf.predict(*kf.update(mean, cov, (first + second) / 2))
        means.append(mean)
        covs.append(cov)
    return np.stack(means), np.stack(covs)


@pytest.fixture(params=[False, True], ids=['plain', 'nsa'])
def kf(request) -> KalmanFilter:
    return KalmanFilter(use_nsa=request.param)


def test_initiate_and_predict_match_mmtrack(kf):
    measures = _measures(5)
    means, covs = batch_initiate(kf, measures)
    for i, measure in enumerate(measures):
        mean, cov = kf.initiate(measure)
        np.testing.assert_allclose(means[i], mean)
        np.testing.assert_allclose(covs[i], cov)
    means, covs = _moved_states(kf, 5)
    pred_means, pred_covs = batch_predict(kf, means, covs)
    for i in range(5):
        mean, cov = kf.predict(means[i], covs[i])
        np.testing.assert_allclose(pred_means[i], mean)
        np.testing.assert_allclose(pred_covs[i], cov)


def test_project_and_update_match_mmtrack(kf):
    means, covs = _moved_states(kf, 6)
    measures = _measures(6, 2)
    scores = np.linspace(0.1, 0.9, 6)
    proj_means, proj_covs = batch_project(kf, means, covs, scores)
    new_means, new_covs = batch_update(kf, means, covs, measures, scores)
    for i in range(6):
        mean, cov = kf.project(means[i], covs[i], scores[i])
        np.testing.assert_allclose(proj_means[i], mean)
        np.testing.assert_allclose(proj_covs[i], cov)
        mean, cov = kf.update(means[i], covs[i], measures[i], scores[i])
        np.testing.assert_allclose(new_means[i], mean, rtol=1e-9)
        np.testing.assert_allclose(new_covs[i], cov, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize('only_position', [False, True])
def test_gating_distance_matches_mmtrack(only_position):
    kf = KalmanFilter()
    means, covs = _moved_states(kf, 4)
    measures = _measures(7, 3)
    dist = batch_gating_distance(kf, means, covs, measures, only_position)
    assert dist.shape == (4, 7)
    for i in range(4):
        expected = kf.gating_distance(means[i], covs[i], measures,
                                      only_position)
        np.testing.assert_allclose(dist[i], expected, rtol=1e-9)


def test_min_height_treats_small_boxes_as_that_tall():
    """A 4-pixel box gated with min_height 32 behaves as a 32-pixel box
    under mmtrack's model, and boxes taller than min_height are unchanged."""
    kf = KalmanFilter(center_only=True)
    small, tall = np.array([[100., 50., 1.,
                             4.]]), np.array([[100., 50., 1., 32.]])
    offset = np.array([[103., 50., 1., 4.]])

    def gate(box, min_height):
        means, covs = batch_initiate(kf, box, min_height)
        means, covs = batch_predict(kf, means, covs, min_height)
        return batch_gating_distance(kf, means, covs, offset, True,
                                     min_height)[0, 0]

    assert gate(small, 32.) == pytest.approx(gate(tall, 0.))
    # mmtrack's own noise for a 4-pixel box puts 3 pixels outside the gate.
    assert gate(small, 0.) > kf.gating_threshold > gate(small, 32.)
    big = np.array([[100., 50., 1., 64.]])
    assert gate(big, 32.) == pytest.approx(gate(big, 0.))


def test_box_conversions_match_mmtrack():
    rng = np.random.default_rng(4)
    xy = rng.uniform(0, 300, (5, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(1, 50, (5, 2))], axis=1)
    expected = bbox_xyxy_to_cxcyah(torch.from_numpy(boxes)).numpy()
    np.testing.assert_allclose(xyxy_to_cxcyah(boxes), expected)
    np.testing.assert_allclose(
        cxcyah_to_xyxy(expected),
        bbox_cxcyah_to_xyxy(torch.from_numpy(expected)).numpy())
    np.testing.assert_allclose(cxcyah_to_xyxy(expected), boxes)
