"""Losses, targets and candidates of the point global-search head."""
import math
from typing import Dict, List, Optional, Tuple

import pytest
import torch
from torch import Tensor, nn

import mmtrack_smallobj  # noqa: F401  (registers the head and its losses)
from mmtrack.registry import MODELS
from mmtrack_smallobj.models.losses import HardMaxPointLoss
from mmtrack_smallobj.models.track_heads import (PointGlobalSearchHead,
                                                 decode_points)

STRIDES = (4, 8)
IMAGE = 64  # the feature maps stand for a 64 x 64 input
DENSE_LOSSES = [
    dict(type='mmdet.FocalLoss', use_sigmoid=True),
    dict(type='ShrinkageBCELoss'),
    dict(type='mmdet.CrossEntropyLoss', use_sigmoid=True),
]


def _head(**kwargs) -> PointGlobalSearchHead:
    cfg = dict(
        type='PointGlobalSearchHead',
        in_channels=2,
        strides=list(STRIDES),
        feat_channels=2,
        num_convs=1)
    cfg.update(kwargs)
    torch.manual_seed(0)
    head = MODELS.build(cfg)
    head.init_weights()
    return head


def _feats(num: int = 1, size: int = IMAGE, seed: int = 1) -> List[Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return [
        torch.randn(num, 2, math.ceil(size / s), math.ceil(size / s),
                    generator=generator) for s in STRIDES
    ]


def _loss(head: PointGlobalSearchHead,
          search_boxes: Tensor,
          template_boxes: Optional[Tensor] = None) -> Dict[str, Tensor]:
    """Head losses on random features; one template box for all images
    unless given."""
    num = search_boxes.size(0)
    if template_boxes is None:
        template_boxes = torch.tensor([[16., 16., 40., 36.]]).repeat(num, 1)
    return head.loss(
        _feats(num, seed=1), _feats(num, seed=2), template_boxes,
        search_boxes)


class RecordingLoss(nn.Module):
    """A box loss that records its inputs and returns 1 (in the graph)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: List[Tuple[Tensor, Tensor, Tensor]] = []

    def forward(self, pred, target, avg_factor=None):
        self.calls.append((pred.detach(), target.detach(), avg_factor))
        return pred.sum() * 0 + 1.0


def _maps(logits_by_level, distance: float = 1.0):
    """(1, 1, H, W) score maps from the given logits and constant
    distances, one (1, 4, H, W) map per level."""
    scores = [logit[None, None].clone() for logit in logits_by_level]
    distances = [
        torch.full((1, 4) + tuple(logit.shape), distance)
        for logit in logits_by_level
    ]
    return scores, distances


def test_one_box_gives_per_level_losses_all_positive_and_finite():
    head = _head().train()
    losses = _loss(head, torch.tensor([[20., 20., 40., 44.]]))
    assert sorted(losses) == [
        'loss_bbox_s4', 'loss_bbox_s8', 'loss_cls_s4', 'loss_cls_s8'
    ]
    for name, value in losses.items():
        assert value.dim() == 0, name
        assert torch.isfinite(value) and value > 0, (name, value)
    sum(losses.values()).backward()
    assert all(p.grad is not None for p in head.parameters())


def test_loss_keys_follow_the_strides():
    head = MODELS.build(
        dict(
            type='PointGlobalSearchHead',
            in_channels=2,
            strides=[2, 4, 16],
            feat_channels=2,
            num_convs=1))
    feats = [torch.randn(1, 2, 32 // s, 32 // s) for s in (2, 4, 16)]
    losses = head.loss(feats, feats, torch.tensor([[4., 4., 20., 20.]]),
                       torch.tensor([[8., 8., 24., 24.]]))
    assert set(losses) == {
        f'loss_{kind}_s{s}'
        for kind in ('cls', 'bbox') for s in (2, 4, 16)
    }


@pytest.mark.parametrize(
    'loss_cls', DENSE_LOSSES, ids=lambda cfg: cfg['type'])
def test_dense_classification_losses_train(loss_cls):
    head = _head(loss_cls=loss_cls, cls_prior_prob=0.01).train()
    assert not isinstance(head.loss_cls, HardMaxPointLoss)
    losses = _loss(head, torch.tensor([[20., 20., 40., 44.], [0., 0., 9.,
                                                              9.]]))
    for name, value in losses.items():
        assert torch.isfinite(value) and value > 0, (name, value)
    sum(losses.values()).backward()
    cls_grad = head.branches[0]['cls'].bias.grad
    assert cls_grad is not None and cls_grad.abs().sum() > 0


def test_dense_loss_labels_the_inside_points_as_the_target():
    # mmdet's sigmoid convention: label 0 (the one class) inside the box,
    # 1 (background) outside, averaged over the inside points.
    calls = []

    class Recorder(nn.Module):

        def forward(self, pred, labels, avg_factor=None):
            calls.append((pred.shape, labels.clone(), avg_factor))
            return pred.sum() * 0 + 1.0

    head = _head(loss_cls=dict(type='mmdet.FocalLoss', use_sigmoid=True))
    head.loss_cls = Recorder()
    box = torch.tensor([[16., 16., 40., 40.]])
    _loss(head, box)
    (shape4, labels4, avg4), (shape8, labels8, avg8) = calls
    assert shape4 == (16 * 16, 1) and shape8 == (8 * 8, 1)
    # Stride 4: points 18, 22, ..., 38 lie strictly inside 16..40 (6 x 6).
    inside4 = (labels4 == 0).view(16, 16).nonzero().tolist()
    assert inside4 == [[r, c] for r in range(4, 10) for c in range(4, 10)]
    assert float(avg4) == 36
    # Stride 8: points 20, 28, 36 (3 x 3).
    assert (labels8 == 0).sum() == 9 and float(avg8) == 9
    assert set(labels4.tolist()) == {0, 1}


@pytest.mark.parametrize(
    'loss_cls', [dict(type='HardMaxPointLoss')] + DENSE_LOSSES,
    ids=lambda cfg: cfg['type'])
@pytest.mark.parametrize(
    'box', [[30., 30., 32., 32.], [29.5, 29.5, 30.5, 30.5]],
    ids=['2px', '1px'])
def test_box_smaller_than_a_cell_gives_finite_losses_with_gradient(
        loss_cls, box):
    head = _head(loss_cls=loss_cls).train()
    losses = _loss(head, torch.tensor([box]), torch.tensor([box]))
    for name, value in losses.items():
        assert torch.isfinite(value), (name, value)
    assert losses['loss_bbox_s8'] > 0
    sum(losses.values()).backward()
    reg_grad = head.branches[0]['reg'].weight.grad
    assert torch.isfinite(reg_grad).all() and reg_grad.abs().sum() > 0
    assert torch.isfinite(head.branches[0]['cls'].weight.grad).all()


@pytest.mark.parametrize('box', [
    [0., 0., 12., 64.],
    [50., 52., 64., 64.],
    [-6., 30., 10., 50.],
    [60., 60., 70., 70.],
], ids=['left-edge', 'corner', 'crossing-left', 'crossing-corner'])
def test_box_touching_or_crossing_the_border(box):
    head = _head().train()
    losses = _loss(head, torch.tensor([box]))
    for name, value in losses.items():
        assert torch.isfinite(value) and value > 0, (name, value)
    sum(losses.values()).backward()


def test_regression_uses_the_inside_points_nearest_the_centre():
    head = _head(num_reg_points=9)
    head.loss_bbox = recorder = RecordingLoss()
    # Zero distances decode every point to the degenerate box (x, y, x, y).
    scores, distances = _maps([torch.zeros(16, 16), torch.zeros(8, 8)], 0.0)
    box = torch.tensor([[20., 20., 40., 40.]])
    head.loss_by_feat(scores, distances, box)
    (pred4, target4, avg4), (pred8, target8, avg8) = recorder.calls
    # Stride 4: 25 points strictly inside (22..38); the 3 x 3 around the
    # centre point (30, 30) are the nearest.
    assert len(pred4) == 9 and float(avg4) == 9
    centres = {(x, y) for x, y, _, _ in pred4.tolist()}
    assert centres == {(x, y) for x in (26, 30, 34) for y in (26, 30, 34)}
    assert torch.equal(target4, box.expand(9, 4))
    # Stride 8: only 4 points (28 and 36) are inside: fewer than 9.
    assert len(pred8) == 4 and float(avg8) == 4
    assert {(x, y) for x, y, _, _ in pred8.tolist()} == {
        (x, y) for x in (28, 36) for y in (28, 36)
    }


@pytest.mark.parametrize('num_reg_points', [1, 4, 9])
def test_regression_points_are_capped_per_image_and_level(num_reg_points):
    head = _head(num_reg_points=num_reg_points)
    head.loss_bbox = recorder = RecordingLoss()
    boxes = torch.tensor([[0., 0., 64., 64.], [8., 8., 56., 40.],
                          [30., 30., 31., 31.]])
    _loss(head, boxes)
    assert len(recorder.calls) == len(STRIDES)
    for pred, target, avg_factor in recorder.calls:
        per_image = [int((target == box).all(1).sum()) for box in boxes]
        assert per_image[:2] == [num_reg_points] * 2
        assert per_image[2] == 1  # a box inside one cell: its nearest point
        assert len(pred) == sum(per_image) == float(avg_factor)


def test_regression_loss_is_zero_for_exact_distances():
    # Every inside point of the stride-8 map predicting the exact distances
    # to the box sides gives a zero GIoU loss on that level.
    head = _head()
    box = torch.tensor([[12., 12., 44., 36.]])
    scores, distances = _maps([torch.zeros(16, 16), torch.zeros(8, 8)])
    for dist, stride in zip(distances, STRIDES):
        centres = (torch.arange(dist.size(-1)) + 0.5) * stride
        xs, ys = centres[None, :], centres[:, None]
        dist[0] = torch.stack([
            (xs - 12).expand_as(dist[0, 0]), (ys - 12).expand_as(dist[0, 0]),
            (44 - xs).expand_as(dist[0, 0]), (36 - ys).expand_as(dist[0, 0])
        ])
    losses = head.loss_by_feat(scores, distances, box)
    assert losses['loss_bbox_s4'].item() == pytest.approx(0, abs=1e-5)
    assert losses['loss_bbox_s8'].item() == pytest.approx(0, abs=1e-5)


def test_decode_points_gives_boxes_with_sorted_corners():
    points = torch.tensor([[10., 20.], [10., 20.], [0., 0.]])
    distances = torch.tensor([
        [2., 3., 4., 5.],
        [-2., -3., -1., -1.],  # a point outside a box smaller than a cell
        [-1., 1., 2., -3.],
    ])
    boxes = decode_points(points, distances)
    assert boxes.tolist() == [
        [8., 17., 14., 25.],
        [9., 19., 12., 23.],
        [1., -3., 2., -1.],
    ]
    assert (boxes[:, 2:] >= boxes[:, :2]).all()
    # Any leading shape.
    assert decode_points(points[None].expand(2, 3, 2),
                         distances[None].expand(2, 3, 4)).shape == (2, 3, 4)


@pytest.mark.parametrize('prior', [0.5, 0.01])
def test_init_weights_reaches_every_level_branch(prior):
    head = _head(cls_prior_prob=prior, share_levels=False)
    for branch in head.branches:
        assert torch.sigmoid(branch['cls'].bias).item() == pytest.approx(prior)
        assert branch['reg'].bias.tolist() == [1.0] * 4
        # The correlation's own init: a near-zero 'DC' controller output.
        controller = branch['corr'].controller[-1]
        assert not controller.bias.any()
        assert controller.weight.std() < 0.03


def test_pool_templates_gives_one_template_per_image_and_level():
    head = _head(template_size=5)
    templates = head.pool_templates(
        _feats(2), torch.tensor([[0., 0., 10., 10.], [30., 20., 60., 62.]]))
    assert [tuple(t.shape) for t in templates] == [(2, 2, 5, 5)] * 2


@pytest.mark.parametrize('pooling', ['box', 'native'])
def test_pool_templates_levels_pools_the_named_levels_only(pooling):
    head = _head(template_size=3, template_pooling=pooling,
                 normalize_feats=True)
    feats = _feats(2)
    boxes = torch.tensor([[4., 6., 20., 14.], [30., 20., 60., 62.]])
    every = head.pool_templates(feats, boxes)
    assert not torch.allclose(every[0], every[1])
    for levels in [(1, ), (1, 0)]:
        some = head.pool_templates(feats, boxes, levels=levels)
        assert len(some) == len(levels)
        for pooled, level in zip(some, levels):
            assert torch.equal(pooled, every[level])


def test_native_pooling_keeps_the_level_scale_and_weights_box_cells():
    head = _head(template_size=5, template_pooling='native')
    # A 4 x 8 px box centred at (32, 34): at stride 4 the 5 x 5 window
    # spans 22..42 x 24..44, and the box covers one column of it: a full
    # cell in y flanked by two half cells.
    feats = [torch.ones(1, 2, 16, 16), torch.ones(1, 2, 8, 8)]
    templates = head.pool_templates(feats, torch.tensor([[30., 30., 34.,
                                                           38.]]))
    assert [tuple(t.shape) for t in templates] == [(1, 2, 5, 5)] * 2
    stride4 = templates[0][0, 0]
    expected = torch.zeros(5, 5)
    expected[1:4, 2] = torch.tensor([0.25, 0.5, 0.25])
    assert torch.allclose(stride4, expected)
    # At stride 8 the whole box sits inside the centre cell.
    stride8 = templates[1][0, 0]
    assert stride8[2, 2] == pytest.approx(1.0)
    assert stride8.sum() == pytest.approx(1.0)


def test_native_pooling_normalises_every_template_to_unit_weight():
    head = _head(template_size=7, template_pooling='native')
    boxes = torch.tensor([[0., 0., 3., 3.], [10., 12., 60., 50.],
                          [31., 31., 32., 32.]])
    feats = [torch.ones(3, 2, 16, 16), torch.ones(3, 2, 8, 8)]
    for template in head.pool_templates(feats, boxes):
        assert torch.allclose(template.sum(dim=(2, 3)), torch.ones(3, 2),
                              atol=1e-5)


def test_unknown_template_pooling_raises():
    with pytest.raises(ValueError, match='template_pooling'):
        _head(template_pooling='crop')


def test_predict_returns_nms_candidates_sorted_by_score():
    head = _head(test_cfg=dict(max_candidates=5, nms_iou_thr=0.3)).eval()
    with torch.no_grad():
        templates = head.pool_templates(_feats(1, seed=1),
                                        torch.tensor([[8., 8., 30., 30.]]))
        result = head.predict(templates, _feats(1, seed=2))
    assert 1 <= len(result) <= 5
    assert result.bboxes.shape == (len(result), 4)
    scores = result.scores
    assert ((scores >= 0) & (scores <= 1)).all()
    assert torch.equal(scores, scores.sort(descending=True).values)
    assert set(result.levels.tolist()) <= {0, 1}
    boxes = result.bboxes
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert _iou(boxes[i], boxes[j]) <= 0.3 + 1e-6


def _iou(a: Tensor, b: Tensor) -> float:
    lt = torch.maximum(a[:2], b[:2])
    rb = torch.minimum(a[2:], b[2:])
    inter = (rb - lt).clamp(min=0).prod()
    area = (a[2:] - a[:2]).prod() + (b[2:] - b[:2]).prod()
    return float(inter / (area - inter))


def test_predict_by_feat_takes_the_best_points_across_levels():
    head = _head(test_cfg=dict(max_candidates=3, nms_iou_thr=0.5))
    logit4, logit8 = torch.full((16, 16), -5.0), torch.full((8, 8), -5.0)
    logit4[3, 7] = 2.0  # point (30, 14)
    logit8[6, 1] = 3.0  # point (12, 52)
    logit8[0, 0] = 1.0  # point (4, 4)
    result = head.predict_by_feat(*_maps([logit4, logit8], 2.0))
    assert result.bboxes.tolist() == [[10., 50., 14., 54.],
                                      [28., 12., 32., 16.], [2., 2., 6., 6.]]
    assert result.levels.tolist() == [1, 0, 1]
    assert result.scores.tolist() == pytest.approx(
        torch.sigmoid(torch.tensor([3.0, 2.0, 1.0])).tolist())


def test_nms_removes_a_point_overlapping_a_better_one():
    head = _head(test_cfg=dict(max_candidates=10, nms_iou_thr=0.5))
    logit4, logit8 = torch.full((16, 16), -5.0), torch.full((8, 8), -9.0)
    logit4[5, 5] = 3.0  # point (22, 22), box 12..32 with distance 10
    logit4[5, 6] = 2.0  # point (26, 22): IoU 16 / 24 with the first
    result = head.predict_by_feat(*_maps([logit4, logit8], 10.0))
    kept = result.bboxes.tolist()
    assert kept[0] == [12., 12., 32., 32.]
    assert [16., 12., 36., 32.] not in kept
    assert len(kept) == 10


def test_valid_size_ranks_padding_points_last():
    # The padding holds the best logits, yet the candidates come from the
    # real 24 x 40 (height x width) image first.
    head = _head(test_cfg=dict(max_candidates=10, pre_nms_top_k=300))
    logit4, logit8 = torch.zeros(16, 16), torch.zeros(8, 8)
    logit4[6:, :] = 5.0
    logit4[:, 10:] = 5.0
    logit8[3:, :] = 5.0
    logit8[:, 5:] = 5.0
    logit4[1, 1] = 1.0  # the best real point, (6, 6)
    scores, distances = _maps([logit4, logit8], 1.0)
    result = head.predict_by_feat(scores, distances, valid_size=(24, 40))
    centres = (result.bboxes[:, :2] + result.bboxes[:, 2:]) / 2
    assert len(result) == 10
    assert (centres[:, 0] < 40).all() and (centres[:, 1] < 24).all()
    assert centres[0].tolist() == [6., 6.]
    # Without valid_size the padding wins.
    unmasked = head.predict_by_feat(scores, distances)
    assert unmasked.scores[0] == pytest.approx(torch.sigmoid(
        torch.tensor(5.0)).item())


def test_valid_size_padding_candidates_score_zero():
    # Fewer real points than max_candidates: the padding points fill the
    # rest, after every real point and with score 0.
    head = _head(test_cfg=dict(max_candidates=6, pre_nms_top_k=300))
    scores, distances = _maps([torch.full((16, 16), 4.0),
                               torch.full((8, 8), 4.0)], 1.0)
    result = head.predict_by_feat(scores, distances, valid_size=(4, 8))
    # Real points: (2, 2) and (6, 2) at stride 4, (4, 4) is past row 4.
    centres = ((result.bboxes[:, :2] + result.bboxes[:, 2:]) / 2).tolist()
    assert sorted(centres[:2]) == [[2., 2.], [6., 2.]]
    assert result.scores[:2].tolist() == pytest.approx(
        [torch.sigmoid(torch.tensor(4.0)).item()] * 2)
    assert result.scores[2:].eq(0).all()


def test_box_voting_averages_the_overlapping_boxes_by_score():
    # Two neighbouring points regress different boxes around one target;
    # a third, far away, is another candidate and votes for nothing.
    head = _head(test_cfg=dict(max_candidates=2, box_voting_iou_thr=0.5))
    logit4, logit8 = torch.full((16, 16), -30.0), torch.full((8, 8), -30.0)
    logit4[5, 5] = math.log(3.0)  # point (22, 22), p = 0.75
    logit4[5, 6] = 0.0  # point (26, 22), p = 0.5: IoU 16 / 24
    logit8[6, 6] = 0.0  # point (52, 52), p = 0.5
    result = head.predict_by_feat(*_maps([logit4, logit8], 10.0))
    # (0.75 * 12 + 0.5 * 16) / 1.25 = 13.6 on x; y is the same for both.
    assert result.bboxes[0].tolist() == pytest.approx(
        [13.6, 12.0, 33.6, 32.0], abs=1e-4)
    assert result.bboxes[1].tolist() == pytest.approx(
        [42.0, 42.0, 62.0, 62.0], abs=1e-4)
    assert result.scores.tolist() == pytest.approx([0.75, 0.5])
    plain = _head(test_cfg=dict(max_candidates=2)).predict_by_feat(
        *_maps([logit4, logit8], 10.0))
    assert plain.bboxes[0].tolist() == [12., 12., 32., 32.]


def test_box_voting_leaves_out_boxes_below_the_iou_threshold():
    head = _head(test_cfg=dict(max_candidates=1, box_voting_iou_thr=0.7))
    logit4, logit8 = torch.full((16, 16), -30.0), torch.full((8, 8), -30.0)
    logit4[5, 5] = 1.0
    logit4[5, 6] = 0.0  # IoU 2 / 3 < 0.7
    result = head.predict_by_feat(*_maps([logit4, logit8], 10.0))
    assert result.bboxes[0].tolist() == pytest.approx([12., 12., 32., 32.])


def test_box_voting_ignores_padding_points():
    # The only boxes next to the real candidate lie in the padding, which
    # scores 0 and so has no vote.
    head = _head(test_cfg=dict(max_candidates=1, pre_nms_top_k=300,
                               box_voting_iou_thr=0.1))
    scores, distances = _maps([torch.full((16, 16), 4.0),
                               torch.full((8, 8), 4.0)], 3.0)
    result = head.predict_by_feat(scores, distances, valid_size=(4, 4))
    assert result.bboxes[0].tolist() == pytest.approx([-1., -1., 5., 5.])


@pytest.mark.parametrize('thr', [0, -0.5, 1.5, '0.5', True])
def test_bad_box_voting_threshold_raises(thr):
    with pytest.raises(ValueError, match=r'^test_cfg.box_voting_iou_thr must '
                       r'be a number in \(0, 1\], got '):
        _head(test_cfg=dict(box_voting_iou_thr=thr))


def test_predict_takes_one_image():
    head = _head()
    scores, distances = _maps([torch.zeros(16, 16), torch.zeros(8, 8)])
    with pytest.raises(ValueError, match='one image at a time'):
        head.predict_by_feat([s.repeat(2, 1, 1, 1) for s in scores],
                             [d.repeat(2, 1, 1, 1) for d in distances])


def test_levels_share_one_branch_by_default():
    shared = _head()
    separate = _head(share_levels=False)
    assert len(shared.branches) == 1
    assert len(separate.branches) == len(STRIDES)
    assert len(separate.scales) == len(shared.scales) == len(STRIDES)
    num = sum(p.numel() for p in shared.branches.parameters())
    assert sum(p.numel() for p in separate.branches.parameters()) == 2 * num


def test_separate_levels_use_their_own_branch():
    head = _head(share_levels=False).eval()
    templates = head.pool_templates(_feats(1), torch.tensor([[8., 8., 30.,
                                                              30.]]))
    search = _feats(1, seed=2)
    with torch.no_grad():
        before, _ = head(templates, search)
        head.branches[1]['cls'].bias.add_(1.0)
        after, _ = head(templates, search)
    assert torch.equal(before[0], after[0])
    assert torch.allclose(after[1], before[1] + 1.0)


def test_forward_outputs_per_level_maps_in_pixels():
    head = _head().eval()
    templates = head.pool_templates(_feats(2), torch.tensor(
        [[8., 8., 30., 30.], [0., 0., 64., 64.]]))
    with torch.no_grad():
        scores, distances = head(templates, _feats(2, seed=2))
        head.scales[1].scale.fill_(2.0)
        _, doubled = head(templates, _feats(2, seed=2))
    assert [tuple(s.shape) for s in scores] == [(2, 1, 16, 16), (2, 1, 8, 8)]
    assert [tuple(d.shape) for d in distances] == [(2, 4, 16, 16),
                                                   (2, 4, 8, 8)]
    # The reg bias starts at 1: distances near one stride.
    assert distances[0].mean().item() == pytest.approx(4, rel=0.1)
    assert distances[1].mean().item() == pytest.approx(8, rel=0.1)
    assert torch.equal(doubled[0], distances[0])
    assert torch.allclose(doubled[1], 2 * distances[1])


def test_wrong_number_of_levels_raises():
    head = _head()
    feats = _feats(1)
    box = torch.tensor([[8., 8., 30., 30.]])
    with pytest.raises(ValueError, match='built for 2 levels'):
        head.pool_templates(feats[:1], box)
    templates = head.pool_templates(feats, box)
    with pytest.raises(ValueError, match='got 3 feature maps'):
        head(templates, feats + [feats[1]])


def test_unknown_test_cfg_key_raises():
    with pytest.raises(KeyError, match='max_candidate'):
        _head(test_cfg=dict(max_candidate=5))


@pytest.mark.parametrize('kwargs, match', [
    (dict(template_size=6), 'template_size must be odd'),
    (dict(num_reg_points=0), 'num_reg_points'),
    (dict(num_reg_points=9.0),
     '^num_reg_points must be an integer >= 1, got 9.0$'),
    (dict(cls_prior_prob=0.0), 'cls_prior_prob'),
    (dict(cls_prior_prob=1.0),
     r'^cls_prior_prob must be a number in \(0, 1\), got 1.0$'),
])
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _head(**kwargs)


def test_the_callers_config_is_not_mutated():
    loss_cls = dict(type='mmdet.FocalLoss', use_sigmoid=True)
    test_cfg = dict(max_candidates=3)
    _head(loss_cls=loss_cls, test_cfg=test_cfg)
    assert loss_cls == dict(type='mmdet.FocalLoss', use_sigmoid=True)
    assert test_cfg == dict(max_candidates=3)


def test_normalized_features_make_dw_scores_blind_to_feature_scale():
    # With unit-length feature points, scaling the search features changes
    # nothing: the correlation is a cosine similarity.
    head = _head(corr_type='DW', template_pooling='native',
                 normalize_feats=True).eval()
    box = torch.tensor([[16., 16., 40., 36.]])
    with torch.no_grad():
        templates = head.pool_templates(_feats(1, seed=1), box)
        scores, _ = head(templates, _feats(1, seed=2))
        scaled, _ = head(templates, [f * 7.0 for f in _feats(1, seed=2)])
    for a, b in zip(scores, scaled):
        assert torch.allclose(a, b, atol=1e-5)
    plain = _head(corr_type='DW', template_pooling='native').eval()
    with torch.no_grad():
        templates = plain.pool_templates(_feats(1, seed=1), box)
        first, _ = plain(templates, _feats(1, seed=2))
        second, _ = plain(templates, [f * 7.0 for f in _feats(1, seed=2)])
    assert not torch.allclose(first[0], second[0], atol=1e-3)


@pytest.mark.parametrize('loss_cls', DENSE_LOSSES + [
    dict(type='HardMaxPointLoss')
])
def test_other_objects_in_ignore_bboxes_get_no_score_gradient(loss_cls):
    # A look-alike at (40..60, 40..60) scores high; as background it would
    # be pushed down, ignored it is left alone, whatever the loss.
    head = _head(loss_cls=loss_cls)
    target = torch.tensor([[4., 4., 20., 20.]])
    other = torch.tensor([[[40., 40., 60., 60.]]])
    grads = []
    for ignore in (None, other):
        logits = [torch.zeros(16, 16), torch.zeros(8, 8)]
        logits[0][11:15, 11:15] = 3.0
        logits[1][5:7, 5:7] = 3.0
        scores, distances = _maps(logits)
        for score in scores:
            score.requires_grad_()
        losses = head.loss_by_feat(scores, distances, target, ignore)
        sum(v for k, v in losses.items() if 'cls' in k).backward()
        grads.append([score.grad[0, 0] for score in scores])
    for stride_index, (lo, hi) in enumerate([(11, 15), (5, 7)]):
        background = grads[0][stride_index][lo:hi, lo:hi]
        ignored = grads[1][stride_index][lo:hi, lo:hi]
        assert (background > 0).any()
        assert torch.count_nonzero(ignored) == 0
        # The target's points are trained as before.
        assert (grads[1][stride_index][1:4, 1:4] < 0).any()
