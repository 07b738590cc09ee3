"""Centre sampling of the point head's score-map targets."""
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


def test_centre_sampling_defaults_fill_missing_keys():
    assert check_centre_sampling(dict(ratio=0.3)) == dict(
        ratio=0.3, min_cells=2)
    assert check_centre_sampling(None) is None
