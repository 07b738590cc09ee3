"""Centre sampling and visible parts of the point head's loss targets."""
import pytest
import torch
from torch import nn

import mmtrack_smallobj  # noqa: F401  (registers the head and its losses)
from mmtrack.registry import MODELS
from mmtrack_smallobj.models.track_heads.point_head_losses import (
    central_boxes, check_centre_sampling)

CENTRE = dict(ratio=0.5, min_cells=2)


def _head(**kwargs):
    cfg = dict(
        type='PointGlobalSearchHead',
        in_channels=2,
        strides=[4, 8],
        feat_channels=2,
        num_convs=1,
        loss_cls=dict(type='HardMaxPointLoss', num_points=1))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_central_boxes_shrink_only_where_the_centre_spans_the_cells():
    boxes = torch.tensor([[0., 0., 40., 24.], [10., 10., 18., 18.]])
    # Stride 4: the first box's centre is 20 x 12 px, 12 > 2 cells of 4 px.
    assert central_boxes(boxes, 4, **CENTRE).tolist() == [
        [10., 6., 30., 18.], [10., 10., 18., 18.]]
    # Stride 8: 12 px is not more than 2 cells of 8 px: whole boxes.
    assert torch.equal(central_boxes(boxes, 8, **CENTRE), boxes)
    assert torch.equal(central_boxes(boxes, 4, ratio=1.0, min_cells=0),
                       boxes)


def test_a_bright_corner_of_the_box_is_neither_positive_nor_negative():
    # Every point scores low except one near the box's corner. With the
    # whole box the corner is the positive, already above the margin, and
    # no outside point is above it: nothing to train. With centre sampling
    # the positive is a central point (trained up) and the corner is in the
    # ignored ring, not a negative.
    box = torch.tensor([[0., 0., 48., 48.]])
    s4 = torch.full((1, 1, 16, 16), -3.0, requires_grad=True)
    s8 = torch.full((1, 1, 8, 8), -3.0, requires_grad=True)
    with torch.no_grad():
        s4[0, 0, 0, 0] = 3.0  # the point (2, 2), inside the box's corner
    plain = _head().cls_loss_by_feat([s4, s8], box)
    assert plain['loss_cls_s4'].item() == 0
    centred = _head(centre_sampling=CENTRE).cls_loss_by_feat([s4, s8], box)
    assert centred['loss_cls_s4'].item() > 0
    centred['loss_cls_s4'].backward()
    grad = s4.grad[0, 0]
    assert grad[0, 0] == 0
    (row, col), = (grad != 0).nonzero().tolist()
    # Pushed up (negative gradient), inside the central 24 x 24 px.
    assert grad[row, col] < 0
    assert 12 < 4 * col + 2 < 36 and 12 < 4 * row + 2 < 36


def test_dense_loss_ignores_the_ring_and_labels_the_centre():
    calls = []

    class Recorder(nn.Module):

        def forward(self, pred, labels, weight=None, avg_factor=None):
            calls.append((labels.clone(), weight.clone(), avg_factor))
            return pred.sum() * 0 + 1.0

    head = _head(
        loss_cls=dict(type='mmdet.FocalLoss', use_sigmoid=True),
        centre_sampling=CENTRE)
    head.loss_cls = Recorder()
    scores = [torch.zeros(1, 1, 16, 16), torch.zeros(1, 1, 8, 8)]
    head.cls_loss_by_feat(scores, torch.tensor([[0., 0., 48., 48.]]))
    labels, weight, avg_factor = calls[0]
    labels, weight = labels.view(16, 16), weight.view(16, 16)
    # Stride 4: the central box 12..36 holds points 14, 18, ..., 34 (6).
    centre = [[r, c] for r in range(3, 9) for c in range(3, 9)]
    assert (labels == 0).nonzero().tolist() == centre
    assert float(avg_factor) == 36
    # The rest of the box (points 2..46: 12 x 12) weighs 0, outside 1.
    ring = (weight == 0).nonzero().tolist()
    assert len(ring) == 12 * 12 - 36 and [0, 0] in ring
    assert weight[12:, :].eq(1).all() and weight[3:9, 3:9].eq(1).all()


def test_small_boxes_train_as_without_centre_sampling():
    scores = [torch.randn(2, 1, 16, 16), torch.randn(2, 1, 8, 8)]
    boxes = torch.tensor([[20., 20., 30., 30.], [3., 40., 9., 50.]])
    plain = _head().cls_loss_by_feat(scores, boxes)
    centred = _head(centre_sampling=CENTRE).cls_loss_by_feat(scores, boxes)
    for key in plain:
        assert torch.allclose(plain[key], centred[key]), key


@pytest.mark.parametrize('cfg, error', [
    ('half', TypeError),
    (dict(ratio=0.5, radius=2), KeyError),
    (dict(ratio=0.0), ValueError),
    (dict(ratio=1.5), ValueError),
    (dict(min_cells=-1), ValueError),
    (dict(ratio='0.5'), ValueError),
])
def test_bad_centre_sampling_raises(cfg, error):
    with pytest.raises(error, match='centre_sampling'):
        _head(centre_sampling=cfg)


@pytest.mark.parametrize('cfg, message', [
    (dict(ratio=0.0), r'centre_sampling.ratio must be a number in \(0, 1\], '
     'got 0.0'),
    (dict(ratio='0.5'), r'centre_sampling.ratio must be a number in '
     r"\(0, 1\], got '0.5'"),
    (dict(min_cells=-1), 'centre_sampling.min_cells must be a number >= 0, '
     'got -1'),
])
def test_bad_centre_sampling_names_the_key_and_range(cfg, message):
    with pytest.raises(ValueError, match=f'^{message}$'):
        _head(centre_sampling=cfg)


def test_centre_sampling_defaults_fill_missing_keys():
    assert check_centre_sampling(dict(ratio=0.3)) == dict(
        ratio=0.3, min_cells=2)
    assert check_centre_sampling(None) is None


class _Recorder(nn.Module):
    """A loss that records its inputs and returns 1 (in the graph)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = []

    def forward(self, pred, target, weight=None, avg_factor=None):
        self.calls.append((pred.detach(), target.detach(),
                           None if weight is None else weight.clone()))
        return pred.sum() * 0 + 1.0


@pytest.mark.parametrize('centre', [None, CENTRE])
def test_a_wholly_visible_box_trains_as_without_visible_parts(centre):
    torch.manual_seed(0)
    scores = [torch.randn(2, 1, 16, 16), torch.randn(2, 1, 8, 8)]
    distances = [torch.rand(2, 4, 16, 16) * 9, torch.rand(2, 4, 8, 8) * 9]
    boxes = torch.tensor([[4., 6., 50., 40.], [3., 40., 9., 50.]])
    head = _head(centre_sampling=centre, num_reg_points=4)
    plain = head.loss_by_feat(scores, distances, boxes)
    shown = head.loss_by_feat(scores, distances, boxes, None, boxes.clone())
    for key in plain:
        assert torch.allclose(plain[key], shown[key]), key


@pytest.mark.parametrize('centre', [None, CENTRE])
def test_the_hidden_part_of_the_box_is_neither_target_nor_background(centre):
    # The box's left half is hidden. Its points score high: without the
    # visible part one of them is the positive (nothing to train, it is
    # above the margin); with it they are ignored, and the target is a
    # point of the right half, trained up.
    box = torch.tensor([[0., 0., 64., 32.]])
    visible = torch.tensor([[32., 0., 64., 32.]])
    s4 = torch.full((1, 1, 16, 16), -3.0, requires_grad=True)
    s8 = torch.full((1, 1, 8, 8), -3.0)
    with torch.no_grad():
        s4[0, 0, 0:8, 0:8] = 3.0  # the hidden half, x < 32
    distances = [torch.ones(1, 4, 16, 16), torch.ones(1, 4, 8, 8)]
    head = _head(centre_sampling=centre)
    plain = head.loss_by_feat([s4, s8], distances, box)
    assert plain['loss_cls_s4'].item() == 0
    shown = head.loss_by_feat([s4, s8], distances, box, None, visible)
    assert shown['loss_cls_s4'].item() > 0
    shown['loss_cls_s4'].backward()
    grad = s4.grad[0, 0]
    assert grad[0:8, 0:8].eq(0).all()  # hidden: no gradient at all
    (row, col), = (grad != 0).nonzero().tolist()
    assert grad[row, col] < 0 and 4 * col + 2 > 32 and 4 * row + 2 < 32


def _flat_maps(distance: float):
    """Zero scores and constant distances on a 64 x 64 input's two
    levels."""
    return ([torch.zeros(1, 1, 64 // s, 64 // s) for s in (4, 8)],
            [torch.full((1, 4, 64 // s, 64 // s), distance) for s in (4, 8)])


def test_the_box_is_regressed_from_the_visible_part():
    head = _head(num_reg_points=1)
    head.loss_bbox = recorder = _Recorder()
    # Zero distances decode every point to the degenerate box (x, y, x, y).
    box = torch.tensor([[0., 0., 64., 36.]])
    visible = torch.tensor([[44., 0., 64., 36.]])
    head.loss_by_feat(*_flat_maps(0.0), box, None, visible)
    (pred4, target4, _), (pred8, target8, _) = recorder.calls
    # The point nearest the visible part's centre (54, 18), not the box's
    # (32, 18); the target is the whole box.
    assert pred4[0, :2].tolist() == [54., 18.]
    assert pred8[0, :2].tolist() == [52., 20.]
    assert torch.equal(target4, box) and torch.equal(target8, box)


def test_dense_loss_weighs_the_hidden_part_zero():
    head = _head(loss_cls=dict(type='mmdet.FocalLoss', use_sigmoid=True))
    head.loss_cls = recorder = _Recorder()
    box = torch.tensor([[0., 0., 64., 32.]])
    visible = torch.tensor([[32., 0., 64., 32.]])
    head.loss_by_feat(*_flat_maps(1.0), box, None, visible)
    _, labels, weight = recorder.calls[0]  # stride 4
    labels, weight = labels.view(16, 16), weight.view(16, 16)
    # Positives: the visible half (x 34..62, y 2..30); hidden half: weight
    # 0; outside the box: background, weight 1.
    assert (labels[:8, 8:] == 0).all() and (labels[:8, :8] == 1).all()
    assert weight[:8, :8].eq(0).all() and weight[:8, 8:].eq(1).all()
    assert weight[8:].eq(1).all() and (labels[8:] == 1).all()
