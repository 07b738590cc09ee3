"""The motion heatmap network of GSTP: shapes, loss, heatmap conventions."""
import copy

import numpy as np
import pytest
import torch

from mmtrack.registry import MODELS
from mmtrack.utils import register_all_modules
from mmtrack_smallobj.datasets.transforms import gaussian_heatmaps
from mmtrack_smallobj.models.motion import (MotionHeatmapNet, init_history,
                                            push_history, render_heatmaps)
from tiny_gstp_config import TINY_MOTION


def _net(num_past: int = 2, **overrides) -> MotionHeatmapNet:
    """Two HRNet branches of 2 and 4 channels on 32 x 32 inputs."""
    torch.manual_seed(0)
    cfg = copy.deepcopy(TINY_MOTION)
    cfg.update(num_past=num_past, **overrides)
    net = MODELS.build(cfg)
    net.init_weights()
    return net


@pytest.fixture(scope='module', autouse=True)
def registry() -> None:
    """mmdet's HRNet and MSELoss in the mmtrack scope."""
    register_all_modules(init_default_scope=True)


def test_output_is_one_map_at_stride_four():
    net = _net(num_past=3)
    out = net(torch.randn(2, 3, 32, 48), torch.rand(2, 3, 32, 48))
    assert out.shape == (2, 1, 8, 12)
    assert net.backbone.conv1.in_channels == 6


@pytest.mark.parametrize('overrides, message', [
    (dict(num_past=0), 'num_past must be an integer >= 1, got 0'),
    (dict(sigma=0), 'sigma must be a number > 0, got 0'),
    (dict(sigma=float('nan')), 'sigma must be a number > 0, got nan'),
])
def test_bad_settings_name_their_range(overrides, message):
    cfg = copy.deepcopy(TINY_MOTION)
    cfg.update(overrides)
    with pytest.raises(ValueError, match=f'^{message}$'):
        MODELS.build(cfg)


def test_wrong_number_of_past_maps_is_rejected():
    net = _net(num_past=2)
    with pytest.raises(ValueError, match='num_past=2'):
        net(torch.randn(1, 3, 32, 32), torch.rand(1, 3, 32, 32))


def test_backbone_in_channels_must_match_num_past():
    with pytest.raises(ValueError, match='3 \\(RGB\\) \\+ num_past'):
        _net(num_past=2, backbone=dict(TINY_MOTION['backbone'], in_channels=3))


def test_loss_is_zero_at_the_target_and_decreases_when_trained():
    net = _net().train()
    img, past = torch.randn(2, 3, 32, 32), torch.rand(2, 2, 32, 32)
    target = render_heatmaps(
        torch.tensor([[10., 14.], [20., 6.]]),
        torch.ones(2, dtype=bool),
        8,
        8,
        sigma=4.0,
        stride=4)[:, None]
    zero = net.loss_by_feat(target, target)['loss_heatmap']
    assert zero == 0
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    losses = []
    for _ in range(8):
        loss = net.loss(img, past, target)['loss_heatmap']
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    assert all(np.isfinite(losses))
    assert losses[-1] < losses[0] * 0.5, losses


def test_loss_rejects_targets_of_another_size():
    net = _net()
    with pytest.raises(ValueError, match='heatmap_stride'):
        net.loss(
            torch.randn(1, 3, 32, 32), torch.rand(1, 2, 32, 32),
            torch.rand(1, 1, 16, 16))


def test_rendered_heatmaps_peak_at_their_pixels_and_match_the_transform():
    centres = torch.tensor([[5.5, 2.5], [10., 14.], [0., 0.]])
    valid = torch.tensor([True, True, False])
    maps = render_heatmaps(centres, valid, 16, 16, sigma=3.0)
    assert maps[0].argmax() == 2 * 16 + 5 and maps[0, 2, 5] == 1
    assert not maps[2].any()
    expected = gaussian_heatmaps(centres.numpy(), valid.numpy(), 16, 16, 3.0)
    assert np.allclose(maps.numpy(), expected, atol=1e-6)
    strided = render_heatmaps(centres[1:2], valid[1:2], 4, 4, 3.0, stride=4)
    assert np.allclose(
        strided.numpy(),
        gaussian_heatmaps(centres[1:2].numpy(), [True], 4, 4, 3.0, 4))


def test_values_and_peak_map_back_to_frame_pixels():
    # A 64 x 48 frame, heatmap 16 x 12 cells (stride 4): cell (2, 5) is the
    # point (22, 10).
    net = _net()
    heatmap = render_heatmaps(
        torch.tensor([[22., 10.]]),
        torch.tensor([True]),
        12,
        16,
        3.0,
        stride=4)[None]
    values = net.predict_by_feat(heatmap, torch.tensor([[22., 10.],
                                                        [60., 40.]]), (48, 64))
    assert values[0] == pytest.approx(1.0) and values[1] < 1e-3
    centre, value = net.peak(heatmap, (48, 64))
    assert centre.tolist() == [22., 10.] and value == pytest.approx(1.0)
    assert net.predict_by_feat(heatmap, torch.zeros(0, 2), (48, 64)).numel() \
        == 0


def test_predict_takes_frames_of_any_size():
    net = _net().eval()
    centres, valid = init_history(torch.tensor([30., 20.]), 2)
    with torch.no_grad():
        heatmap = net.predict(torch.randn(1, 3, 48, 80), centres, valid)
    assert heatmap.shape == (1, 1, 8, 8)
    assert heatmap.min() >= 0 and heatmap.max() <= 1


def test_history_keeps_the_last_k_positions():
    centres, valid = init_history(torch.tensor([1., 2.]), 3)
    assert centres.tolist() == [[1., 2.]] * 3 and valid.all()
    centres, valid = push_history(centres, valid, torch.tensor([5., 6.]),
                                  False)
    centres, valid = push_history(centres, valid, torch.tensor([7., 8.]), True)
    assert centres.tolist() == [[1., 2.], [5., 6.], [7., 8.]]
    assert valid.tolist() == [True, False, True]
