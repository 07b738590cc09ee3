"""Training, tracking and motion re-scoring of a tiny SiamRCNN (GSTP)."""
import copy
from typing import List, Sequence

import pytest
import torch
from mmengine.structures import InstanceData

from mmtrack.registry import MODELS
from mmtrack.structures import TrackDataSample
from mmtrack.utils import register_all_modules
from mmtrack_smallobj.models.sot import SiamRCNN
from tiny_gstp_config import MAX_CANDIDATES, TINY, TINY_MOTION
from whole_frame_pairs import pair_inputs, pair_sample


@pytest.fixture(scope='module', autouse=True)
def registry() -> None:
    """mmtrack's and mmdet's modules in the mmtrack scope."""
    register_all_modules(init_default_scope=True)


def _model(reg_weight: float = 1.0, **overrides) -> SiamRCNN:
    torch.manual_seed(0)
    cfg = copy.deepcopy(TINY)
    cfg['head']['reg_weight'] = reg_weight
    cfg.update(overrides)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def _track(model: SiamRCNN, frames: torch.Tensor,
           first_box: Sequence[float]) -> List[InstanceData]:
    """mmtrack's one-pass evaluation over (T, 3, H, W)."""
    model.eval()
    results = []
    with torch.no_grad():
        for frame_id, frame in enumerate(frames):
            sample = TrackDataSample(
                metainfo=dict(frame_id=frame_id, img_path=f'v/{frame_id}.jpg'))
            sample.gt_instances = InstanceData(
                bboxes=torch.tensor([list(first_box)]))
            out = model(dict(img=frame[None, None]), [sample], mode='predict')
            results.append(out[0].pred_track_instances)
    return results


def test_loss_gives_four_finite_losses_with_gradients():
    model = _model().train()
    samples = [
        pair_sample([10., 10., 30., 30.], [20., 24., 44., 40.]),
        pair_sample([4., 20., 40., 50.], [30., 2., 60., 30.]),
    ]
    losses = model(pair_inputs(2), samples, mode='loss')
    loss_keys = {key for key in losses if 'loss' in key}
    assert loss_keys == {
        'loss_rpn_cls', 'loss_rpn_bbox', 'loss_roi_cls', 'loss_roi_bbox'
    }
    for key in loss_keys:
        assert torch.isfinite(losses[key]) and losses[key] > 0, key
    sum(losses[key] for key in loss_keys).backward()
    for module in (model.backbone, model.head.correlation, model.head.fuse,
                   model.head.rpn_head, model.head.roi_head):
        grads = [p.grad for p in module.parameters() if p.requires_grad]
        assert any(g is not None and g.abs().sum() > 0 for g in grads)


def test_zero_reg_weight_drops_the_box_losses():
    samples = [pair_sample([10., 10., 30., 30.], [20., 24., 44., 40.])]
    model = _model(reg_weight=0.0).train()
    losses = model.loss(pair_inputs(1), samples)
    assert losses['loss_rpn_bbox'] == 0 and losses['loss_roi_bbox'] == 0
    assert losses['loss_rpn_cls'] > 0 and losses['loss_roi_cls'] > 0
    losses['loss_rpn_bbox'].backward(retain_graph=True)
    losses['loss_roi_bbox'].backward()
    reg_layer = model.head.rpn_head.rpn_reg.weight
    assert reg_layer.grad is None or not reg_layer.grad.any()


def test_negative_pair_trains_classification_only():
    model = _model().train()
    samples = [
        pair_sample([10., 10., 30., 30.], [20., 24., 44., 40.], label=0)
    ]
    losses = model.loss(pair_inputs(1, search_hw=(48, 80)), samples)
    assert losses['loss_rpn_bbox'] == 0 and losses['loss_roi_bbox'] == 0
    assert losses['loss_rpn_cls'] > 0 and losses['loss_roi_cls'] > 0


def test_tracks_a_three_frame_video():
    model = _model()
    first = [10., 12., 30., 28.]
    results = _track(model, torch.rand(3, 3, 64, 64) * 255, first)
    assert results[0].bboxes.tolist() == [first]
    for result in results[1:]:
        assert result.bboxes.shape == (1, 4) and result.scores.shape == (1, )
        x1, y1, x2, y2 = result.bboxes[0].tolist()
        assert 0 <= x1 <= x2 <= 64 and 0 <= y1 <= y2 <= 64
        assert 0 <= float(result.scores) <= 1
    candidates = model.memo.candidates
    assert 1 <= len(candidates) <= MAX_CANDIDATES
    assert torch.equal(candidates.bboxes[:1], results[-1].bboxes)
    assert torch.equal(candidates.scores,
                       candidates.scores.sort(descending=True).values)


def test_frame_without_candidates_keeps_the_last_box_with_score_zero():
    model = _model()
    model.head.roi_head.test_cfg.score_thr = 1.01
    first = [10., 12., 30., 28.]
    results = _track(model, torch.rand(2, 3, 64, 64) * 255, first)
    assert results[1].bboxes.tolist() == [first]
    assert results[1].scores.tolist() == [0.0]
    assert len(model.memo.candidates) == 0


@pytest.mark.parametrize('box, match', [
    ([10., 10., 10., 20.], 'no positive size'),
    ([30., 10., 20., 20.], 'no positive size'),
    ([70., 70., 90., 90.], 'outside'),
    ([float('nan'), 0., 5., 5.], 'not finite'),
])
def test_degenerate_first_box_raises(box, match):
    model = _model().eval()
    with pytest.raises(ValueError, match=match):
        model.init(torch.randn(1, 3, 64, 64), torch.tensor(box))


def test_init_with_a_box_starts_a_fresh_memo():
    model = _model().eval()
    with torch.no_grad():
        model.init(torch.randn(1, 3, 64, 64), torch.tensor([8., 8., 24., 40.]))
        result = model.track(torch.randn(1, 3, 64, 64))[0]
    assert model.memo.template.shape == (1, 4, 7, 7)
    assert result.bboxes.shape == (1, 4)


def _fake_candidates(model: SiamRCNN, boxes: List[List[float]],
                     scores: List[float]) -> None:
    """Make the head return fixed candidates (in test-scale pixels)."""

    def predict(template, feat, img_shape):
        return InstanceData(
            bboxes=torch.tensor(boxes), scores=torch.tensor(scores))

    model.head.predict = predict


def _peaked_heatmap(x: float, y: float, size: int = 64) -> torch.Tensor:
    """A (1, 1, 16, 16) stride-4 heatmap of a 64 px frame peaked at x, y."""
    from mmtrack_smallobj.models.motion import render_heatmaps
    return render_heatmaps(
        torch.tensor([[x, y]]),
        torch.tensor([True]),
        size // 4,
        size // 4,
        sigma=4.0,
        stride=4)[None]


DISTRACTOR, TARGET = [2., 2., 12., 12.], [41., 41., 51., 51.]


def _track_past_a_distractor(model: SiamRCNN) -> InstanceData:
    """Init on ``TARGET``, then track one frame where the distractor scores
    higher (0.9 against 0.6) and the motion heatmap peaks at the target."""
    _fake_candidates(model, [DISTRACTOR, TARGET], [0.9, 0.6])
    model.motion_model.predict = lambda img, centres, valid: _peaked_heatmap(
        46., 46.)
    with torch.no_grad():
        model.init(torch.randn(1, 3, 64, 64), torch.tensor(TARGET))
        return model.track(torch.randn(1, 3, 64, 64))[0]


def test_motion_heatmap_promotes_the_candidate_where_it_points():
    model = _model(motion_model=TINY_MOTION).eval()
    assert not any(p.requires_grad for p in model.motion_model.parameters())
    result = _track_past_a_distractor(model)
    assert result.bboxes.tolist() == [TARGET]
    candidates = model.memo.candidates
    assert candidates.det_scores.tolist() == pytest.approx([0.6, 0.9])
    assert candidates.motion_scores[0] > 0.9 > candidates.motion_scores[1]
    assert float(
        result.scores) == pytest.approx(0.5 * 0.6 + 0.5 *
                                        float(candidates.motion_scores[0]))
    # The chosen centre is the newest of the K positions.
    assert model.memo.past_centres[-1].tolist() == [46., 46.]
    assert model.memo.past_valid.all()


def test_motion_weight_zero_keeps_the_detector_order():
    model = _model(
        motion_model=TINY_MOTION,
        test_cfg=dict(short_side=64, motion_weight=0.0)).eval()
    result = _track_past_a_distractor(model)
    assert result.bboxes.tolist() == [DISTRACTOR]


def test_real_motion_model_tracks_and_marks_lost_frames():
    model = _model(motion_model=TINY_MOTION).eval()
    model.head.roi_head.test_cfg.score_thr = 1.01
    first = [10., 12., 30., 28.]
    _track(model, torch.rand(3, 3, 64, 64) * 255, first)
    # Two frames without candidates: the last two positions are not
    # believed; the first is the init box's centre.
    assert model.memo.past_valid.tolist() == [True, False, False]
    assert model.memo.past_centres[0].tolist() == [20., 20.]


def test_motion_checkpoint_loads_at_the_first_video(tmp_path):
    trained = MODELS.build(
        dict(type='MotionHeatmapTracker', motion_net=TINY_MOTION))
    with torch.no_grad():
        for param in trained.parameters():
            param.fill_(0.5)
    path = str(tmp_path / 'motion.pth')
    torch.save(dict(state_dict=trained.state_dict()), path)
    model = _model(motion_model=TINY_MOTION, motion_checkpoint=path).eval()
    head = model.motion_model.head[-1].weight
    assert not torch.all(head == 0.5)
    with torch.no_grad():
        model.init(torch.randn(1, 3, 64, 64), torch.tensor([8., 8., 24., 24.]))
    assert torch.all(head == 0.5)


@pytest.mark.parametrize('overrides, error', [
    (dict(test_cfg=dict(short_side=64, bogus=1)), KeyError),
    (dict(test_cfg=dict(motion_weight=1.5)), ValueError),
    (dict(test_cfg=dict(motion_weight='0.5')), ValueError),
    (dict(motion_checkpoint='x.pth'), ValueError),
])
def test_bad_configs_are_rejected(overrides, error):
    with pytest.raises(error):
        _model(**overrides)


@pytest.mark.parametrize('overrides, message', [
    (dict(test_cfg=dict(motion_weight=1.5)),
     r'test_cfg.motion_weight must be a number in \[0, 1\], got 1.5'),
    (dict(reg_weight=-1), 'reg_weight must be a number >= 0, got -1'),
])
def test_bad_weights_name_their_range(overrides, message):
    with pytest.raises(ValueError, match=f'^{message}$'):
        _model(**overrides)


def test_caller_config_is_not_mutated():
    cfg = copy.deepcopy(TINY)
    cfg['motion_model'] = copy.deepcopy(TINY_MOTION)
    before = copy.deepcopy(cfg)
    MODELS.build(cfg)
    assert cfg == before
