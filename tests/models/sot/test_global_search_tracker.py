"""Training and one-pass tracking of a tiny GlobalSearchTracker."""
import copy
import math
import re
from typing import List, Optional, Sequence

import numpy as np
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.structures import InstanceData

from mmtrack.registry import MODELS
from mmtrack.structures import TrackDataSample
from mmtrack.utils import register_all_modules
from mmtrack_smallobj.models.sot import GlobalSearchTracker
# A module import: pytest would collect a bare ``test_scale_shape``.
from mmtrack_smallobj.models.sot import global_search_tracker as gst
from tiny_tracker_config import MAX_CANDIDATES, TINY
from whole_frame_pairs import pair_inputs, pair_sample


@pytest.fixture(scope='module', autouse=True)
def registry() -> None:
    """mmtrack's and mmdet's modules (the preprocessor, FPN) in the mmtrack
    scope; ours are registered by importing the package above."""
    register_all_modules(init_default_scope=True)


def _model(**overrides) -> GlobalSearchTracker:
    torch.manual_seed(0)
    model = MODELS.build(dict(TINY, **overrides))
    model.init_weights()
    return model


def _frame_sample(frame_id: int,
                  box: Optional[Sequence[float]] = None,
                  img_path: Optional[str] = None) -> TrackDataSample:
    """A test-time sample of one frame, as mmtrack's video loaders give."""
    metainfo = dict(frame_id=frame_id)
    if img_path is not None:
        metainfo['img_path'] = img_path
    sample = TrackDataSample(metainfo=metainfo)
    # The loaders give every frame its box; only frame 0's is read.
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor([box if box is not None else [0., 0., 1., 1.]],
                            dtype=torch.float32))
    return sample


def _track(model: GlobalSearchTracker, frames: torch.Tensor,
           first_box: Sequence[float],
           video: str = 'video') -> List[InstanceData]:
    """Run mmtrack's predict (one-pass evaluation) over (T, 3, H, W)."""
    model.eval()
    results = []
    with torch.no_grad():
        for frame_id, frame in enumerate(frames):
            box = first_box if frame_id == 0 else None
            sample = _frame_sample(frame_id, box,
                                   f'{video}/{frame_id + 1:08d}.jpg')
            out = model(
                dict(img=frame[None, None]), [sample], mode='predict')
            assert len(out) == 1
            results.append(out[0].pred_track_instances)
    return results


def _check_tracked(results: List[InstanceData], first_box: Sequence[float],
                   height: int, width: int) -> None:
    """Frame 0 gives back its box; later frames one box in the image."""
    assert results[0].bboxes.tolist() == [list(first_box)]
    for result in results[1:]:
        box, score = result.bboxes, result.scores
        assert box.shape == (1, 4) and score.shape == (1, )
        assert torch.isfinite(box).all()
        x1, y1, x2, y2 = box[0].tolist()
        assert 0 <= x1 <= x2 <= width and 0 <= y1 <= y2 <= height, box
        assert 0 <= score.item() <= 1


def _square_frame(box: Sequence[int], size: int = 64) -> torch.Tensor:
    """(1, 3, size, size) uint8 dark frame with a bright square on ``box``."""
    frame = torch.full((1, 3, size, size), 20, dtype=torch.uint8)
    x1, y1, x2, y2 = box
    frame[..., y1:y2, x1:x2] = 230
    return frame


def test_built_from_the_registry_with_its_parts():
    model = _model()
    assert isinstance(model, GlobalSearchTracker)
    assert model.with_neck and model.with_head
    feats = model.extract_feat(torch.randn(1, 3, 64, 64))
    assert [tuple(f.shape) for f in feats] == [(1, 4, 16, 16), (1, 4, 8, 8)]
    # init_weights reaches the head: prior 0.5 is a zero score bias.
    assert not model.head.branches[0]['cls'].bias.any()
    assert model.head.branches[0]['reg'].bias.tolist() == [1.0] * 4


def test_loss_gives_finite_per_level_losses_that_backpropagate():
    model = _model().train()
    samples = [
        pair_sample([10., 10., 30., 30.], [20., 24., 44., 40.]),
        pair_sample([0., 0., 64., 64.], [40., 2., 60., 20.]),
    ]
    losses = model(pair_inputs(2), samples, mode='loss')
    assert set(losses) == {
        'loss_cls_s4', 'loss_bbox_s4', 'loss_cls_s8', 'loss_bbox_s8'
    }
    for name, value in losses.items():
        assert torch.isfinite(value) and value > 0, (name, value)
    sum(losses.values()).backward()
    stem = next(model.backbone.parameters())
    assert stem.grad is not None and stem.grad.abs().sum() > 0


@pytest.mark.parametrize('hidden_part', ['ignore', 'target'])
def test_loss_puts_the_target_on_the_packed_visible_part(hidden_part):
    model = _model(train_cfg=dict(hidden_part=hidden_part)).train()
    inputs = pair_inputs(1)
    box = [8., 8., 56., 40.]

    def losses(visible=None):
        sample = pair_sample([10., 10., 30., 30.], box)
        if visible is not None:
            sample.set_metainfo(
                dict(search_target_visible_bbox=np.array(visible)))
        return model.loss(inputs, [sample])

    whole = losses()
    assert losses(box) == whole  # the whole box showing: nothing changes
    right_half = losses([32., 8., 56., 40.])
    if hidden_part == 'target':  # the visible part is not read at all
        assert right_half == whole
        assert losses([0., 8., 32., 40.]) == whole
        return
    assert right_half['loss_bbox_s4'] != whole['loss_bbox_s4']
    with pytest.raises(ValueError, match='SeqTargetOcclusion'):
        losses([0., 8., 32., 40.])  # sticks out of the box


def test_negative_pairs_are_rejected():
    model = _model().train()
    samples = [
        pair_sample([10., 10., 30., 30.], [20., 24., 44., 40.]),
        pair_sample([10., 10., 30., 30.], [0., 0., 1., 1.], label=0),
    ]
    with pytest.raises(ValueError, match='pos_prob'):
        model.loss(pair_inputs(2), samples)


def test_loss_with_template_and_search_of_different_sizes():
    model = _model().train()
    inputs = pair_inputs(2, template_hw=(48, 40), search_hw=(64, 96))
    samples = [
        pair_sample([4., 4., 20., 36.], [70., 30., 90., 50.]),
        pair_sample([30., 10., 40., 20.], [0., 0., 10., 10.]),
    ]
    losses = model.loss(inputs, samples)
    for name, value in losses.items():
        assert torch.isfinite(value), (name, value)
    sum(losses.values()).backward()


@pytest.mark.parametrize('key, shape', [
    ('img', (1, 3, 64, 64)),
    ('search_img', (1, 2, 3, 64, 64)),
])
def test_loss_rejects_inputs_that_are_not_one_frame_per_sample(key, shape):
    model = _model().train()
    inputs = pair_inputs(1)
    inputs[key] = torch.randn(*shape)
    with pytest.raises(ValueError, match=re.escape(f"inputs['{key}']")):
        model.loss(inputs, [pair_sample([1., 1., 9., 9.], [1., 1., 9., 9.])])


def test_tracks_a_three_frame_video():
    model = _model()
    frames = torch.randn(3, 3, 64, 64)
    first = [10., 12., 30., 28.]
    results = _track(model, frames, first)
    _check_tracked(results, first, 64, 64)
    assert results[0].scores.tolist() == [-1.0]  # mmtrack's init marker
    # The template of every level, pooled once from frame 0.
    assert [tuple(t.shape) for t in model.memo.templates] == [(1, 4, 7, 7)
                                                              ] * 2
    candidates = model.memo.candidates
    assert 1 <= len(candidates) <= MAX_CANDIDATES
    assert candidates.bboxes.shape == (len(candidates), 4)
    scores = candidates.scores
    assert torch.equal(scores, scores.sort(descending=True).values)
    assert torch.equal(candidates.bboxes[:1], results[-1].bboxes)
    assert torch.equal(scores[:1], results[-1].scores)
    assert candidates.bboxes.min() >= 0 and candidates.bboxes.max() <= 64


def _record_precision(model: GlobalSearchTracker) -> dict:
    """Per call: the backbone's output dtype, and the head tower's
    (autocast on?, input dtype)."""
    seen = dict(features=[], head=[])
    model.backbone.register_forward_hook(
        lambda module, args, out: seen['features'].append(out[0].dtype))

    def head(module, args):
        seen['head'].append((torch.is_autocast_enabled('cpu'),
                             args[0].dtype))

    for branch in model.head.branches:
        branch['tower'].register_forward_pre_hook(head)
    return seen


def test_under_autocast_only_the_features_leave_float32():
    """bf16 autocast (CPU here; fp16 and bf16 on CUDA alike) reaches the
    backbone; the head's correlation, tower and decoding run in float32,
    for the losses and for tracking."""
    model = _model().train()
    seen = _record_precision(model)
    samples = [pair_sample([10., 10., 30., 30.], [20., 24., 44., 40.])]
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = model(pair_inputs(1), samples, mode='loss')
    assert all(v.dtype == torch.float32 for v in losses.values())
    assert seen['features'] == [torch.bfloat16]
    assert seen['head'] and set(seen['head']) == {(False, torch.float32)}
    assert model._feature_dtype is None  # nothing left for a later call
    seen['features'].clear()
    seen['head'].clear()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        results = _track(model, torch.rand(3, 3, 64, 64),
                         [10., 12., 30., 28.])
    _check_tracked(results, [10., 12., 30., 28.], 64, 64)
    assert set(seen['features']) == {torch.bfloat16}
    assert seen['head'] and set(seen['head']) == {(False, torch.float32)}
    # Outside a decorated method the caller's autocast is left as it is.
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert {f.dtype for f in model.extract_feat(
            torch.rand(1, 3, 32, 32))} == {torch.float32}
    assert seen['features'][-1] == torch.bfloat16


def test_a_failing_call_under_autocast_leaves_no_feature_dtype():
    model = _model().eval()
    with torch.autocast('cpu', dtype=torch.bfloat16), pytest.raises(
            ValueError, match='has no positive size'):
        _track(model, torch.rand(1, 3, 64, 64), [0., 0., 0., 0.])
    assert model._feature_dtype is None


def test_test_step_runs_the_preprocessor_and_tracks():
    model = _model().eval()
    first = [16., 16., 28., 28.]
    outputs = []
    for frame_id, box in enumerate([[16, 16, 28, 28], [20, 18, 32, 30]]):
        sample = _frame_sample(frame_id, first, f'v/{frame_id:08d}.jpg')
        data = dict(inputs=dict(img=[_square_frame(box)]),
                    data_samples=[sample])
        with torch.no_grad():
            outputs.append(model.test_step(data)[0].pred_track_instances)
    _check_tracked(outputs, first, 64, 64)


def test_non_square_frames_are_searched_whole_and_boxes_map_back():
    # 40 x 90 frames: resized to 64 x 144 and padded to 64 x 160; the
    # result comes back in input pixels, clipped to the 90 x 40 frame.
    model = _model()
    frames = torch.randn(3, 3, 40, 90)
    first = [70., 5., 85., 30.]
    _check_tracked(_track(model, frames, first), first, 40, 90)
    assert model.memo.candidates.bboxes[:, 0::2].max() <= 90
    assert model.memo.candidates.bboxes[:, 1::2].max() <= 40


def test_boxes_are_scaled_to_the_test_scale_and_back(monkeypatch):
    # A 40 x 50 frame at short side 64: factor 1.6, resized to 64 x 80,
    # padded to 64 x 96 (stride-4 map 16 x 24).
    model = _model()
    pooled, searched = [], []
    pool_templates = model.head.pool_templates

    def record_pool(feats, bboxes):
        pooled.append(([tuple(f.shape) for f in feats], bboxes.clone()))
        return pool_templates(feats, bboxes)

    def fake_predict(templates, feats, valid_size=None):
        searched.append(([tuple(f.shape) for f in feats], valid_size))
        return InstanceData(
            bboxes=torch.tensor([[16., 16., 32., 48.], [70., 60., 100., 70.],
                                 [-8., -4., 8., 4.]]),
            scores=torch.tensor([0.9, 0.5, 0.2]),
            levels=torch.tensor([0, 1, 0]))

    monkeypatch.setattr(model.head, 'pool_templates', record_pool)
    monkeypatch.setattr(model.head, 'predict', fake_predict)
    first = [5., 10., 25., 30.]
    results = _track(model, torch.randn(2, 3, 40, 50), first)

    (shapes, boxes), = pooled
    assert shapes == [(1, 4, 16, 24), (1, 4, 8, 12)]
    assert torch.allclose(boxes, torch.tensor([[8., 16., 40., 48.]]))
    (shapes, valid_size), = searched
    assert shapes == [(1, 4, 16, 24), (1, 4, 8, 12)]
    assert valid_size == (64, 80)
    # Back in input pixels and clipped to the 50 x 40 frame.
    expected = torch.tensor([[10., 10., 20., 30.], [43.75, 37.5, 50., 40.],
                             [0., 0., 5., 2.5]])
    assert torch.allclose(model.memo.candidates.bboxes, expected)
    assert torch.allclose(results[1].bboxes, expected[:1])
    assert results[1].scores.tolist() == pytest.approx([0.9])


def test_target_smaller_than_a_feature_cell_trains_and_tracks():
    model = _model().train()
    box = [30., 30., 32., 32.]  # 2 x 2 px: half a stride-4 cell
    losses = model.loss(
        pair_inputs(1), [pair_sample(box, [40., 9., 42., 11.])])
    for name, value in losses.items():
        assert torch.isfinite(value), (name, value)
    sum(losses.values()).backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert all(torch.isfinite(g).all() for g in grads)
    _check_tracked(_track(model, torch.randn(3, 3, 64, 64), box), box, 64, 64)


def test_image_smaller_than_the_template_crop():
    # 16 x 16 frames, kept at 16 px for testing too (padded to 32): a
    # 4 x 4 stride-4 map, smaller than the 7 x 7 template, with a box
    # covering most of the frame.
    model = _model(test_cfg=dict(short_side=16)).train()
    box = [1., 1., 15., 15.]
    inputs = pair_inputs(1, template_hw=(16, 16), search_hw=(16, 16))
    losses = model.loss(inputs, [pair_sample(box, [2., 0., 16., 14.])])
    for name, value in losses.items():
        assert torch.isfinite(value), (name, value)
    sum(losses.values()).backward()
    _check_tracked(_track(model, torch.randn(3, 3, 16, 16), box), box, 16, 16)


def test_box_partly_outside_the_first_frame_is_accepted():
    model = _model()
    first = [50., -6., 80., 20.]
    _check_tracked(_track(model, torch.randn(3, 3, 64, 64), first), first, 64,
                   64)


@pytest.mark.parametrize('box, match', [
    ([10., 10., 10., 30.], 'no positive size'),
    ([30., 30., 10., 10.], 'no positive size'),
    ([math.nan, 10., 20., 20.], 'not finite'),
    ([10., 10., math.inf, 20.], 'not finite'),
    ([70., 70., 90., 90.], 'lies outside the 64x64 image'),
    ([-20., -20., -5., -5.], 'lies outside'),
    ([64., 0., 70., 10.], 'lies outside'),
], ids=['zero-width', 'negative', 'nan', 'inf', 'past-bottom-right',
        'before-top-left', 'on-the-right-edge'])
def test_bad_first_box_names_the_frame(box, match):
    model = _model().eval()
    path = 'data/lasot/cat-3/img/00000001.jpg'
    sample = _frame_sample(0, box, path)
    with pytest.raises(ValueError) as error:
        with torch.no_grad():
            model(dict(img=torch.randn(1, 1, 3, 64, 64)), [sample],
                  mode='predict')
    assert path in str(error.value)
    assert re.search(match, str(error.value))


def test_bad_first_box_names_the_current_video_not_a_previous_one():
    model = _model()
    _track(model, torch.randn(2, 3, 64, 64), [1., 1., 9., 9.], 'first')
    sample = _frame_sample(0, [5., 5., 5., 5.], 'second/00000001.jpg')
    with pytest.raises(ValueError, match='second/00000001.jpg'):
        with torch.no_grad():
            model(dict(img=torch.randn(1, 1, 3, 64, 64)), [sample],
                  mode='predict')
    # Without a path the message says so instead of naming a stale file.
    sample = _frame_sample(0, [5., 5., 5., 5.])
    with pytest.raises(ValueError) as error:
        with torch.no_grad():
            model(dict(img=torch.randn(1, 1, 3, 64, 64)), [sample],
                  mode='predict')
    assert 'the first frame' in str(error.value)
    assert 'second' not in str(error.value)


def test_loss_decreases_on_a_bright_square_pair():
    model = _model().train()
    template_box, search_box = [16, 16, 28, 28], [36, 28, 48, 40]
    data = dict(
        inputs=dict(
            img=[_square_frame(template_box)],
            search_img=[_square_frame(search_box)]),
        data_samples=[
            pair_sample([float(v) for v in template_box],
                        [float(v) for v in search_box])
        ])
    optim_wrapper = OptimWrapper(torch.optim.Adam(model.parameters(),
                                                  lr=0.01))
    history = []
    for _ in range(20):
        log_vars = model.train_step(copy.deepcopy(data), optim_wrapper)
        history.append(log_vars['loss'].item())
    assert all(math.isfinite(v) for v in history)
    # Across seeds the last five average 0.18 to 0.30 of the first loss.
    assert sum(history[-5:]) / 5 < 0.6 * history[0], history


@pytest.mark.parametrize('hw, short, cap, expected', [
    ((480, 640), 240, 1333, (240, 320)),
    ((640, 480), 240, None, (320, 240)),
    ((100, 2000), 240, 1333, (67, 1333)),
    ((16, 16), 64, 1333, (64, 64)),
    ((1, 5000), 64, None, (64, 320000)),
])
def test_test_scale_keeps_the_aspect_ratio(hw, short, cap, expected):
    assert gst.test_scale_shape(*hw, short, cap) == expected


def test_unknown_test_cfg_key_raises():
    with pytest.raises(KeyError, match='short_sid'):
        _model(test_cfg=dict(short_sid=64))


def _scripted_predict(model, monkeypatch, frames_candidates):
    """Make ``head.predict`` return the given (boxes, scores) per call."""
    calls = iter(frames_candidates)

    def fake_predict(templates, feats, valid_size=None):
        boxes, scores = next(calls)
        return InstanceData(
            bboxes=torch.tensor(boxes, dtype=torch.float32),
            scores=torch.tensor(scores),
            levels=torch.zeros(len(scores), dtype=torch.long))

    monkeypatch.setattr(model.head, 'predict', fake_predict)


# Frame 0 box at the left; a distractor at the right scores higher on
# frame 1, the target (near the last box) second.
POSITION_SCRIPT = [
    ([[40., 40., 50., 50.], [6., 6., 16., 16.]], [0.9, 0.6]),
    ([[6., 8., 16., 18.], [40., 40., 50., 50.]], [0.8, 0.7]),
]


@pytest.mark.parametrize('strategy,expected', [
    ('top1', [[40., 40., 50., 50.], [6., 8., 16., 18.]]),
    ('position', [[6., 6., 16., 16.], [6., 8., 16., 18.]]),
])
def test_strategy_picks_top_score_or_nearest_candidate(
        monkeypatch, strategy, expected):
    model = _model(test_cfg=dict(short_side=64, strategy=strategy))
    _scripted_predict(model, monkeypatch, POSITION_SCRIPT)
    results = _track(model, torch.randn(3, 3, 64, 64), [5., 5., 15., 15.])
    assert [r.bboxes[0].tolist() for r in results[1:]] == expected


def test_position_strategy_only_looks_at_the_top_k(monkeypatch):
    model = _model(
        test_cfg=dict(short_side=64, strategy='position', position_top_k=1))
    _scripted_predict(model, monkeypatch, POSITION_SCRIPT[:1])
    results = _track(model, torch.randn(2, 3, 64, 64), [5., 5., 15., 15.])
    assert results[1].bboxes[0].tolist() == [40., 40., 50., 50.]


def test_low_scores_are_reported_absent_and_do_not_move_the_last_box(
        monkeypatch):
    model = _model(
        test_cfg=dict(
            short_side=64, strategy='position', absent_score_thr=0.5))
    script = [
        ([[40., 40., 50., 50.]], [0.3]),  # absent: a low-score jump
        ([[44., 44., 54., 54.], [8., 8., 18., 18.]], [0.9, 0.8]),
    ]
    _scripted_predict(model, monkeypatch, script)
    results = _track(model, torch.randn(3, 3, 64, 64), [5., 5., 15., 15.])
    assert results[1].absent.tolist() == [True]
    assert results[1].scores.tolist() == pytest.approx([0.3])
    assert model.memo.absent is False
    # The last believed box is still frame 0's, so 'position' stays left.
    assert results[2].bboxes[0].tolist() == [8., 8., 18., 18.]
    assert results[2].absent.tolist() == [False]


def test_box_smoothing_resizes_present_frames_only(monkeypatch):
    model = _model(
        test_cfg=dict(short_side=64, absent_score_thr=0.5,
                      box_smoothing=dict(size_lr=0.5, aspect_prior=0.0)))
    script = [
        ([[20., 20., 40., 40.]], [0.3]),  # absent: reported as given
        ([[20., 20., 40., 40.]], [0.9]),  # size 20 after 10: halfway
    ]
    _scripted_predict(model, monkeypatch, script)
    results = _track(model, torch.randn(3, 3, 64, 64), [5., 5., 15., 15.])
    assert results[1].bboxes[0].tolist() == [20., 20., 40., 40.]
    side = math.sqrt(10 * 20)
    assert results[2].bboxes[0].tolist() == pytest.approx(
        [30 - side / 2, 30 - side / 2, 30 + side / 2, 30 + side / 2])
    assert model.memo.log_size == pytest.approx(math.log(side))


def test_without_a_threshold_nothing_is_absent(monkeypatch):
    model = _model()
    _scripted_predict(model, monkeypatch, [([[1., 1., 5., 5.]], [0.01])])
    results = _track(model, torch.randn(2, 3, 64, 64), [5., 5., 15., 15.])
    assert results[1].absent.tolist() == [False]


@pytest.mark.parametrize('test_cfg,message', [
    (dict(strategy='nearest'), 'test_cfg.strategy'),
    (dict(position_top_k=0),
     '^test_cfg.position_top_k must be an integer >= 1, got 0$'),
    (dict(position_top_k=3.0),
     '^test_cfg.position_top_k must be an integer >= 1, got 3.0$'),
])
def test_bad_strategy_settings_raise(test_cfg, message):
    with pytest.raises(ValueError, match=message):
        _model(test_cfg=test_cfg)
