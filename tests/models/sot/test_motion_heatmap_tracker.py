"""Training and motion-only tracking of GSTP's motion model."""
import copy

import numpy as np
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.structures import InstanceData

from mmtrack.registry import MODELS
from mmtrack.structures import TrackDataSample
from mmtrack.utils import register_all_modules
from mmtrack_smallobj.datasets.transforms import gaussian_heatmaps
from mmtrack_smallobj.models.sot import MotionHeatmapTracker
from tiny_gstp_config import TINY_MOTION

PREPROCESSOR = dict(
    type='TrackDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True)


@pytest.fixture(scope='module', autouse=True)
def registry() -> None:
    """mmtrack's and mmdet's modules in the mmtrack scope."""
    register_all_modules(init_default_scope=True)


def _model(**overrides) -> MotionHeatmapTracker:
    torch.manual_seed(0)
    cfg = dict(
        type='MotionHeatmapTracker',
        motion_net=copy.deepcopy(TINY_MOTION),
        data_preprocessor=PREPROCESSOR)
    cfg.update(overrides)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def _sample(centre=(12., 20.)) -> TrackDataSample:
    """A packed 32 x 32 training sample (K = 3, output stride 4)."""
    centres = np.array([centre] * 4, np.float32)
    return TrackDataSample(
        metainfo=dict(
            past_heatmaps=gaussian_heatmaps(centres[:3], [True] *
                                            3, 32, 32, 3.0),
            target_heatmap=gaussian_heatmaps(centres[3:], [True], 8, 8, 3.0,
                                             4)))


def test_train_step_runs_the_preprocessor_and_learns():
    model = _model().train()
    data = dict(
        inputs=dict(img=[
            torch.randint(0, 255, (1, 3, 32, 32), dtype=torch.uint8)
            for _ in range(2)
        ]),
        data_samples=[_sample(), _sample((4., 8.))])
    wrapper = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    first = model.train_step(copy.deepcopy(data), wrapper)['loss_heatmap']
    for _ in range(6):
        last = model.train_step(copy.deepcopy(data), wrapper)['loss_heatmap']
    assert torch.isfinite(first) and last < first


def test_loss_needs_the_packed_heatmaps():
    model = _model().train()
    with pytest.raises(KeyError, match='past_heatmaps'):
        model.loss(dict(img=torch.randn(1, 1, 3, 32, 32)), [TrackDataSample()])


def _track(model, frames, first_box):
    model.eval()
    results = []
    with torch.no_grad():
        for frame_id, frame in enumerate(frames):
            sample = TrackDataSample(metainfo=dict(frame_id=frame_id))
            sample.gt_instances = InstanceData(
                bboxes=torch.tensor([first_box]))
            out = model(dict(img=frame[None, None]), [sample], mode='predict')
            results.append(out[0].pred_track_instances)
    return results


def test_tracks_a_three_frame_video_with_the_first_box_size():
    model = _model()
    first = [10., 12., 30., 28.]
    results = _track(model, torch.rand(3, 3, 48, 64) * 255, first)
    assert results[0].bboxes.tolist() == [first]
    for result in results[1:]:
        assert result.bboxes.shape == (1, 4) and result.scores.shape == (1, )
        x1, y1, x2, y2 = result.bboxes[0].tolist()
        assert 0 <= x1 <= x2 <= 64 and 0 <= y1 <= y2 <= 48
        assert 0 <= float(result.scores) <= 1
    assert model.memo.past_centres.shape == (3, 2)


def test_follows_the_heatmap_peak():
    model = _model().eval()
    from mmtrack_smallobj.models.motion import render_heatmaps
    model.motion_net.predict = lambda img, centres, valid: render_heatmaps(
        torch.tensor([[42., 18.]]),
        torch.tensor([True]),
        12,
        16,
        3.0,
        stride=4)[None]
    results = _track(model,
                     torch.rand(2, 3, 48, 64) * 255, [10., 10., 20., 16.])
    assert results[1].bboxes.tolist() == [[37., 15., 47., 21.]]
    assert results[1].scores.tolist() == [1.0]
    assert model.memo.past_centres[-1].tolist() == [42., 18.]


def test_degenerate_first_box_raises():
    with pytest.raises(ValueError, match='no positive size'):
        _track(_model(), torch.rand(2, 3, 48, 64), [10., 10., 5., 20.])


def test_unknown_test_cfg_key_is_rejected():
    with pytest.raises(KeyError, match='short_side'):
        _model(test_cfg=dict(short_side=64))
