"""The re-id parts of GlobalSearchTracker: the 'reid' strategy, the joint
detection + identity loss, and their config checks."""
from typing import List, Optional, Sequence

import addict
import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import InstanceData

from mmtrack.registry import MODELS
from mmtrack.structures import TrackDataSample
from mmtrack.utils import register_all_modules
from mmtrack_smallobj.models.trackers.tracklet_table import Tracklets
from tiny_tracker_config import TINY

REID = dict(
    reid_head=dict(
        type='ReIDEmbeddingHead',
        in_channels=4,
        num_ids=6,
        embed_channels=8,
        feat_channels=4),
    association=dict(type='ReIDAssociationTracker'))


@pytest.fixture(scope='module', autouse=True)
def registry() -> None:
    """mmtrack's and mmdet's modules in the mmtrack scope."""
    register_all_modules(init_default_scope=True)


def _model(reid: bool = True, **overrides):
    torch.manual_seed(0)
    cfg = dict(TINY, **(REID if reid else {}))
    cfg.update(overrides)
    cfg['test_cfg'] = dict(
        TINY['test_cfg'], strategy='reid' if reid else 'top1',
        **overrides.get('test_cfg', {}))
    return MODELS.build(cfg)


def _start(model, img: torch.Tensor, box_xyxy: Sequence[float]) -> None:
    """Initialise on (1, 3, H, W) as mmtrack's predict_ope does."""
    x1, y1, x2, y2 = box_xyxy
    model.memo = addict.Dict()
    model.memo.frame_id = 0
    model.memo.bbox = torch.tensor([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1,
                                    y2 - y1])
    model.init(img)


def _run(model,
         frames: torch.Tensor,
         box_xyxy: Sequence[float],
         candidates: Optional[list] = None) -> List[InstanceData]:
    """Track (T, 3, H, W) frames directly with init/track; append each
    frame's candidate boxes to ``candidates`` if given."""
    model.eval()
    results = []
    with torch.no_grad():
        _start(model, frames[:1], box_xyxy)
        for frame_id in range(1, len(frames)):
            model.memo.frame_id = frame_id
            results.extend(model.track(frames[frame_id:frame_id + 1], []))
            if candidates is not None:
                candidates.append(model.memo.candidates.bboxes.clone())
    return results


def test_reid_strategy_tracks_and_keeps_tracklets():
    model = _model()
    candidates = []
    results = _run(model, torch.randn(3, 3, 64, 64), [10., 12., 30., 28.],
                   candidates)
    for result, boxes in zip(results, candidates):
        assert result.bboxes.shape == (1, 4) and result.scores.shape == (1, )
        assert result.absent.dtype == torch.bool and result.absent.shape == (
            1, )
        assert torch.isfinite(result.bboxes).all()
        x1, y1, x2, y2 = result.bboxes[0].tolist()
        assert 0 <= x1 <= x2 <= 64 and 0 <= y1 <= y2 <= 64
        if result.absent.item():
            assert result.scores.item() == 0
        else:
            # Found: the association's box is one of this frame's candidates.
            assert (boxes == result.bboxes).all(1).any()
    tracklets = model.memo.tracklets
    assert isinstance(tracklets, Tracklets)  # not rebuilt by addict
    assert 0 in tracklets.ids.tolist()  # the target's
    assert model.memo.association.frame_id == 2


def test_reid_follows_identity_not_score_and_reports_absence(monkeypatch):
    """Frame 1: a distractor on the right outscores the target on the left;
    frame 2: only the distractor. Embeddings say which is which."""
    model = _model()
    frames_candidates = [
        ([[40., 40., 50., 50.], [6., 8., 16., 18.]], [0.9, 0.6]),
        ([[40., 41., 50., 51.]], [0.9]),
    ]
    calls = iter(frames_candidates)

    def fake_predict(templates, feats, valid_size=None):
        boxes, scores = next(calls)
        return InstanceData(
            bboxes=torch.tensor(boxes),
            scores=torch.tensor(scores),
            levels=torch.zeros(len(scores), dtype=torch.long))

    def fake_embed(feats, boxes, stride=None, batch_inds=None):
        # Identity by side of the frame: the target lives on the left.
        left = (boxes[:, 0] + boxes[:, 2]) / 2 < 32
        out = torch.zeros(len(boxes), 8)
        out[left, 0] = 1
        out[~left, 1] = 1
        return out

    monkeypatch.setattr(model.head, 'predict', fake_predict)
    monkeypatch.setattr(model.reid_head, 'embed_boxes', fake_embed)
    results = _run(model, torch.randn(3, 3, 64, 64), [5., 6., 15., 16.])
    assert results[0].bboxes[0].tolist() == [6., 8., 16., 18.]
    assert results[0].scores.tolist() == pytest.approx([0.6])
    assert results[0].absent.tolist() == [False]
    assert results[1].absent.tolist() == [True]
    assert results[1].scores.tolist() == [0.]
    # Absent: the motion prediction near the left, not the distractor.
    assert results[1].bboxes[0, 2].item() < 32
    assert model.memo.absent is True


def test_embeddings_are_read_at_the_test_scale(monkeypatch):
    """64 px frames searched at 128 px: the first box and the candidates
    are embedded at twice their image coordinates; the association gets
    image coordinates."""
    model = _model(test_cfg=dict(short_side=128)).eval()
    frames = torch.randn(2, 3, 64, 64)
    box = torch.tensor([10., 12., 30., 28.])
    raw = {}
    predict = model.head.predict

    def keep_raw(*args, **kwargs):
        out = predict(*args, **kwargs)
        raw['boxes'] = out.bboxes.clone()
        return out

    monkeypatch.setattr(model.head, 'predict', keep_raw)
    with torch.no_grad():
        _start(model, frames[:1], box.tolist())
        feats = model.extract_feat(
            F.interpolate(frames[:1], size=(128, 128), mode='bilinear'))
        first = model.reid_head.embed_boxes(feats[0], box[None] * 2)[0]
        association = model.memo.association
        assert torch.allclose(
            torch.from_numpy(association.first_embed), first, atol=1e-5)
        seen = {}
        update = association.update

        def spy(boxes, scores, embeddings, frame_id):
            seen.update(boxes=boxes.clone(), embeddings=embeddings,
                        frame_id=frame_id)
            return update(boxes, scores, embeddings, frame_id)

        monkeypatch.setattr(association, 'update', spy)
        model.memo.frame_id = 1
        model.track(frames[1:], [])
        feats = model.extract_feat(
            F.interpolate(frames[1:], size=(128, 128), mode='bilinear'))
        expected = model.reid_head.embed_boxes(feats[0], raw['boxes'])
    assert seen['frame_id'] == 1
    assert torch.equal(seen['boxes'], model.memo.candidates.bboxes)
    assert torch.allclose(seen['boxes'], (raw['boxes'] / 2).clamp(0, 64))
    assert torch.allclose(seen['embeddings'], expected, atol=1e-5)


def test_every_video_gets_a_fresh_association():
    model = _model()
    _run(model, torch.randn(3, 3, 64, 64), [10., 12., 30., 28.])
    first = model.memo.association
    _run(model, torch.randn(2, 3, 64, 64), [30., 30., 40., 40.])
    assert model.memo.association is not first
    assert model.memo.association.frame_id == 1
    assert first.frame_id == 2


def test_top1_with_reid_parts_tracks_as_without_them():
    plain = _model(reid=False)
    with_reid = _model()
    with_reid.test_cfg['strategy'] = 'top1'
    missing, unexpected = with_reid.load_state_dict(
        plain.state_dict(), strict=False)
    assert not unexpected and all(k.startswith('reid_head') for k in missing)
    frames = torch.randn(3, 3, 64, 64)
    expected = _run(plain, frames, [10., 12., 30., 28.])
    got = _run(with_reid, frames, [10., 12., 30., 28.])
    for a, b in zip(expected, got):
        assert torch.equal(a.bboxes, b.bboxes)
        assert torch.equal(a.scores, b.scores)
    assert 'association' not in with_reid.memo
    assert 'tracklets' not in with_reid.memo


def _sample(search_boxes: Sequence[Sequence[float]],
            ids: Optional[Sequence[int]] = None) -> TrackDataSample:
    """A pair whose search frame has the target first, then others."""
    sample = TrackDataSample()
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor([[10., 10., 22., 22.]]), labels=torch.tensor([1]))
    fields = dict(
        bboxes=torch.tensor(search_boxes),
        labels=torch.ones(len(search_boxes), dtype=torch.long))
    if ids is not None:
        fields['instances_id'] = torch.tensor(ids, dtype=torch.int32)
    sample.search_gt_instances = InstanceData(**fields)
    return sample


def _inputs(num: int) -> dict:
    generator = torch.Generator().manual_seed(0)
    return dict(
        img=torch.randn(num, 1, 3, 64, 64, generator=generator),
        search_img=torch.randn(num, 1, 3, 64, 64, generator=generator))


MOT = [[12., 12., 24., 24.], [40., 30., 52., 44.], [4., 44., 14., 60.]]


@pytest.mark.parametrize('weighting,det_key,id_key', [
    (None, 'loss_cls_s4', 'loss_reid'),
    (dict(type='UncertaintyLossWeighting'), 'loss_det', 'loss_id'),
    (dict(type='FixedLossWeighting', id_weight=0.5), 'loss_det', 'loss_id'),
])
def test_loss_has_a_reid_term_only_with_identities(weighting, det_key,
                                                   id_key):
    model = _model(loss_weighting=weighting).train()
    mot = [_sample(MOT, [0, 3, 5]), _sample(MOT[:1])]
    losses = model.loss(_inputs(2), mot)
    assert det_key in losses and id_key in losses
    assert torch.isfinite(losses[id_key]) and losses[id_key] > 0
    sot = [_sample(MOT[:1]), _sample(MOT[:1])]
    losses = model.loss(_inputs(2), sot)
    assert det_key in losses and id_key not in losses
    assert 'loss_reid' not in losses


def test_gradients_reach_the_reid_head_and_the_weighting():
    model = _model(
        loss_weighting=dict(type='UncertaintyLossWeighting')).train()
    losses = model.loss(_inputs(2), [_sample(MOT, [0, 1, 2])] * 2)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    for name in ('convs.0.conv.weight', 'embed.weight', 'classifier.weight'):
        grad = dict(model.reid_head.named_parameters())[name].grad
        assert grad is not None and grad.abs().sum() > 0, name
    assert model.loss_weighting.s_id.grad is not None
    # The re-id loss also trains the shared stride-4 features.
    assert model.neck.fpn_convs[0].conv.weight.grad.abs().sum() > 0


def test_sot_only_batch_leaves_the_reid_head_out():
    model = _model().train()
    losses = model.loss(_inputs(2), [_sample(MOT[:1])] * 2)
    sum(losses.values()).backward()
    assert all(p.grad is None for p in model.reid_head.parameters())


def test_identity_out_of_range_is_named():
    model = _model().train()
    with pytest.raises(ValueError, match='identity 9'):
        model.loss(_inputs(1), [_sample(MOT, [0, 1, 9])])


@pytest.mark.parametrize('drop,message', [
    ('reid_head', 'model.reid_head'),
    ('association', 'model.association'),
])
def test_reid_strategy_without_its_parts_raises(drop, message):
    parts = {k: v for k, v in REID.items() if k != drop}
    with pytest.raises(ValueError, match=message) as err:
        MODELS.build(
            dict(TINY, **parts, test_cfg=dict(short_side=64,
                                              strategy='reid')))
    assert "strategy='reid'" in str(err.value)


@pytest.mark.parametrize('part', [
    dict(association=dict(type='ReIDAssociationTracker')),
    dict(loss_weighting=dict(type='UncertaintyLossWeighting')),
])
def test_reid_parts_without_a_reid_head_raise(part):
    with pytest.raises(ValueError, match='reid_head is not'):
        MODELS.build(dict(TINY, **part))


def test_reid_head_on_another_stride_raises():
    reid_head = dict(REID['reid_head'], stride=8)
    with pytest.raises(ValueError, match='stride'):
        MODELS.build(dict(TINY, reid_head=reid_head))


def test_bad_association_config_fails_at_build():
    association = dict(type='ReIDAssociationTracker', max_mised=3)
    with pytest.raises(TypeError, match='max_mised'):
        MODELS.build(dict(TINY, **dict(REID, association=association)))


@pytest.mark.parametrize('other_objects', ['ignore', 'negative'])
def test_other_objects_of_mot_frames_reach_the_head_only_when_ignored(
        other_objects, monkeypatch):
    model = _model(train_cfg=dict(other_objects=other_objects)).train()
    seen = []
    head_loss = model.head.loss

    def recording_loss(*args):
        seen.append(args[4] if len(args) > 4 else None)
        return head_loss(*args)

    monkeypatch.setattr(model.head, 'loss', recording_loss)
    model.loss(_inputs(2), [_sample(MOT, [0, 3, 5]), _sample(MOT[:1])])
    model.loss(_inputs(2), [_sample(MOT[:1])] * 2)
    if other_objects == 'negative':
        assert seen == [None, None]
        return
    # Sample 0's two other objects, sample 1's zero padding; SOT-only
    # batches have nothing to ignore.
    expected = torch.tensor([MOT[1:], [[0.] * 4] * 2])
    assert torch.equal(seen[0], expected) and seen[1] is None


@pytest.mark.parametrize('train_cfg,error,match', [
    (dict(other_objects='positive'), ValueError, 'train_cfg.other_objects'),
    (dict(hidden_part='background'), ValueError, 'train_cfg.hidden_part'),
    (dict(other_object='ignore'), KeyError, 'train_cfg keys'),
])
def test_bad_train_cfg_is_named(train_cfg, error, match):
    with pytest.raises(error, match=match):
        _model(train_cfg=train_cfg)
