"""Selection rules, margin, vectorisation and training of HardMaxPointLoss."""
import math

import pytest
import torch

from mmtrack_smallobj.models.losses import HardMaxPointLoss, grid_points
from mmtrack_smallobj.models.losses.hard_max_point_loss import (ignored_mask,
                                                          inside_mask)

STRIDE = 8
POINTS = grid_points((8, 8), STRIDE)  # x, y in 4, 12, ..., 60


def _flat(col, row, width=8):
    return row * width + col


def _map_with(values, fill=-3.0):
    """A (1, 1, 8, 8) leaf logit map, ``values`` maps (col, row) to logit."""
    score = torch.full((1, 1, 8, 8), fill)
    for (col, row), value in values.items():
        score[0, 0, row, col] = value
    return score.requires_grad_()


def _grad_positions(score):
    grad = score.grad.flatten()
    return {i: math.copysign(1, grad[i].item())
            for i in grad.nonzero().flatten().tolist()}


def test_grid_points_are_cell_centres_in_row_major_order():
    points = grid_points((2, 3), 8)
    assert points.tolist() == [[4, 4], [12, 4], [20, 4], [4, 12], [12, 12],
                               [20, 12]]
    assert grid_points((1, 1), 16, offset=0.0).tolist() == [[0, 0]]


def test_gradient_reaches_only_the_two_selected_points():
    # Box covers points with col, row in 2..4; (3, 3) is the best inside,
    # (7, 0) the best outside, (6, 6) the runner-up outside.
    score = _map_with({(3, 3): -0.2, (2, 4): -0.5, (7, 0): 1.0, (6, 6): 0.8})
    box = torch.tensor([[16., 16., 40., 40.]])
    HardMaxPointLoss()(score, box, POINTS).backward()
    # Pushed up (negative gradient) inside, down outside.
    assert _grad_positions(score) == {_flat(3, 3): -1, _flat(7, 0): 1}


def test_points_past_the_margin_are_not_trained():
    box = torch.tensor([[16., 16., 40., 40.]])
    settled = _map_with({(3, 3): 3.0})  # positive p = 0.95, negatives 0.05
    loss = HardMaxPointLoss()(settled, box, POINTS)
    assert loss.item() == 0
    loss.backward()
    assert not settled.grad.any()
    # A wider margin (positives must pass 0.97) trains them again.
    strict = HardMaxPointLoss(margin=0.97)(settled, box, POINTS)
    assert strict > 0
    # Only the positive side is past the margin: only the negative trains.
    half = _map_with({(3, 3): 3.0, (0, 0): 0.5})
    HardMaxPointLoss()(half, box, POINTS).backward()
    assert _grad_positions(half) == {_flat(0, 0): 1}


@pytest.mark.parametrize('fill', [0.0, -10.0])
def test_everything_zero_is_not_a_minimum(fill):
    # 0 logits (p = 0.5, the margin itself) and p ~ 0 both still train.
    score = _map_with({}, fill=fill)
    loss = HardMaxPointLoss()(score, torch.tensor([[16., 16., 40., 40.]]),
                              POINTS)
    assert loss > 0
    loss.backward()
    assert (score.grad < 0).sum() == 1


def test_point_on_the_box_edge_is_outside():
    # Points at 12 and 28 lie on the edges; only (20, 20) is strictly inside.
    box = torch.tensor([[12., 12., 28., 28.]])
    inside = inside_mask(POINTS[None], torch.ones(1, 64, dtype=torch.bool),
                         box)
    assert inside.flatten().nonzero().flatten().tolist() == [_flat(2, 2)]


def test_box_smaller_than_a_cell_takes_the_nearest_point():
    # A 1 px box between point centres; nearest centre is (12, 12).
    box = torch.tensor([[13., 13., 14., 14.]])
    inside = inside_mask(POINTS[None], torch.ones(1, 64, dtype=torch.bool),
                         box)
    assert inside.flatten().nonzero().flatten().tolist() == [_flat(1, 1)]
    score = _map_with({(5, 5): 1.0})
    HardMaxPointLoss(num_points=3)(score, box, POINTS).backward()
    positives = [i for i, s in _grad_positions(score).items() if s < 0]
    assert positives == [_flat(1, 1)]


@pytest.mark.parametrize('box,expected_inside', [
    ([0., 0., 10., 10.], [_flat(0, 0)]),  # touches the top-left border
    ([50., 58., 64., 64.], [_flat(6, 7), _flat(7, 7)]),  # bottom-right
    ([-20., 20., 6., 30.], [_flat(0, 3)]),  # sticks out of the map
    ([70., 70., 90., 90.], [_flat(7, 7)]),  # entirely off the map: nearest
])
def test_boxes_at_the_border(box, expected_inside):
    box = torch.tensor([box])
    inside = inside_mask(POINTS[None], torch.ones(1, 64, dtype=torch.bool),
                         box)
    assert inside.flatten().nonzero().flatten().tolist() == expected_inside
    score = _map_with({}, fill=0.0)
    loss = HardMaxPointLoss(reduction='none')(score, box, POINTS)
    assert torch.isfinite(loss).all()
    assert (loss[0, 0, :, 0] > 0).all()  # one positive and one negative


def test_same_number_of_points_for_small_and_large_boxes():
    small = torch.tensor([[8., 8., 24., 24.]])  # 2 x 2 points inside
    large = torch.tensor([[0., 0., 56., 56.]])  # 7 x 7 points inside
    for box in (small, large):
        # p = 0.5 everywhere: every selected point is trained.
        score = torch.zeros(1, 1, 8, 8, requires_grad=True)
        loss = HardMaxPointLoss(num_points=4, reduction='sum')
        loss(score, box, POINTS).backward()
        signs = list(_grad_positions(score).values())
        assert signs.count(-1) == 4 and signs.count(1) == 4


def test_fewer_inside_points_than_num_points_leaves_slots_empty():
    score = _map_with({}, fill=0.0)
    box = torch.tensor([[13., 13., 14., 14.]])  # 1 inside point
    loss = HardMaxPointLoss(num_points=3, reduction='none')
    per_slot = loss(score, box, POINTS)
    assert per_slot.shape == (1, 1, 2, 3)
    assert (per_slot[0, 0, 0] > 0).tolist() == [True, False, False]
    assert (per_slot[0, 0, 1] > 0).all()
    # 'mean' divides by the 4 selected points, not by the 6 slots.
    mean = HardMaxPointLoss(num_points=3)(score, box, POINTS)
    assert mean.item() == pytest.approx(per_slot.sum().item() / 4)


def _reference(scores, boxes, points, num_points, margin):
    """Slow per-image, per-level, per-point version of the rules."""
    total = 0.0
    for n, (x1, y1, x2, y2) in enumerate(boxes.tolist()):
        for score, level_points in zip(scores, points):
            values = score[n, 0].flatten().tolist()
            coords = level_points.tolist()
            inside = [i for i, (x, y) in enumerate(coords)
                      if x1 < x < x2 and y1 < y < y2]
            if not inside:
                cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
                inside = [min(range(len(coords)),
                              key=lambda i: (coords[i][0] - cx)**2 +
                              (coords[i][1] - cy)**2)]
            outside = [i for i in range(len(coords)) if i not in inside]
            by_score = sorted(inside, key=lambda i: -values[i])
            for i in by_score[:num_points]:
                p = 1 / (1 + math.exp(-values[i]))
                total += -math.log(p) if p <= margin else 0.0
            by_score = sorted(outside, key=lambda i: -values[i])
            for i in by_score[:num_points]:
                p = 1 / (1 + math.exp(-values[i]))
                total += -math.log(1 - p) if p >= 1 - margin else 0.0
    return total


@pytest.mark.parametrize('num_points,margin', [(1, 0.5), (3, 0.8)])
def test_batch_of_two_levels_matches_slow_reference(num_points, margin):
    torch.manual_seed(0)
    scores = [torch.randn(4, 1, 8, 8), torch.randn(4, 1, 3, 3)]
    points = [POINTS, grid_points((3, 3), 16, offset=0.25)]
    boxes = torch.tensor([[16., 16., 40., 40.], [13., 13., 14., 14.],
                          [0., 40., 30., 64.], [-5., -5., 70., 12.]])
    loss = HardMaxPointLoss(
        num_points=num_points, margin=margin, reduction='sum')
    batched = loss(scores, boxes, points)
    expected = _reference(scores, boxes, points, num_points, margin)
    assert batched.item() == pytest.approx(expected, rel=1e-5)
    one_by_one = sum(
        loss([s[n:n + 1] for s in scores], boxes[n:n + 1], points)
        for n in range(4))
    assert batched.item() == pytest.approx(one_by_one.item(), rel=1e-5)


def test_training_a_score_map_moves_the_argmax_into_the_box():
    torch.manual_seed(0)
    points = grid_points((10, 10), STRIDE)
    box = torch.tensor([[26., 42., 50., 66.]])  # 3 x 3 points inside

    def argmax_inside(score):
        x, y = points[score.detach().flatten().argmax()].tolist()
        return 26 < x < 50 and 42 < y < 66

    score = torch.randn(1, 1, 10, 10).requires_grad_()
    assert not argmax_inside(score)
    loss = HardMaxPointLoss(num_points=4, reduction='sum')
    optimizer = torch.optim.SGD([score], lr=1.0)
    for _ in range(50):
        optimizer.zero_grad()
        value = loss(score, box, points)
        value.backward()
        optimizer.step()
    assert argmax_inside(score)
    assert loss(score, box, points).item() == 0


def test_a_look_alike_in_ignore_bboxes_is_not_the_negative():
    # (7, 0) is a look-alike scoring highest outside the target's box; with
    # its box ignored the negative is the runner-up background point (6, 6).
    score = _map_with({(3, 3): -0.2, (7, 0): 1.0, (6, 6): 0.8})
    box = torch.tensor([[16., 16., 40., 40.]])
    look_alike = torch.tensor([[[52., -4., 64., 8.]]])
    HardMaxPointLoss()(score, box, POINTS, ignore_bboxes=look_alike).backward()
    assert _grad_positions(score) == {_flat(3, 3): -1, _flat(6, 6): 1}


def test_ignore_bboxes_padding_rows_and_overlap_with_the_target():
    # Image 0: a zero padding row ignores nothing. Image 1: an ignored box
    # over the target's own points leaves them positive candidates.
    score = torch.cat([
        _map_with({(3, 3): -0.2, (7, 0): 1.0}).detach(),
        _map_with({(3, 3): -0.2, (7, 0): 1.0}).detach()
    ]).requires_grad_()
    boxes = torch.tensor([[16., 16., 40., 40.]] * 2)
    ignore = torch.tensor([[[0., 0., 0., 0.]], [[0., 0., 40., 40.]]])
    HardMaxPointLoss()(score, boxes, POINTS, ignore_bboxes=ignore).backward()
    grad = score.grad.flatten(1)
    assert grad[0, _flat(7, 0)] > 0 and grad[1, _flat(7, 0)] > 0
    assert grad[0, _flat(3, 3)] < 0 and grad[1, _flat(3, 3)] < 0


def test_ignored_mask_follows_the_inside_rule():
    real = torch.ones(1, 64, dtype=torch.bool)
    tiny = torch.tensor([[[13., 13., 14., 14.], [0., 0., 0., 0.]]])
    mask = ignored_mask(POINTS[None], real, tiny)
    # A box smaller than a cell ignores its nearest point; padding nothing.
    assert mask.shape == (1, 1, 64)
    assert mask[0, 0].nonzero().flatten().tolist() == [_flat(1, 1)]
    empty = ignored_mask(POINTS[None], real, torch.zeros(1, 0, 4))
    assert empty.shape == (1, 1, 64) and not empty.any()


def test_ignore_bboxes_of_the_wrong_shape_are_refused():
    score = _map_with({(3, 3): 1.0})
    box = torch.tensor([[16., 16., 40., 40.]])
    with pytest.raises(AssertionError, match='ignore_bboxes must be'):
        HardMaxPointLoss()(score, box, POINTS, ignore_bboxes=box)


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_points=0), 'num_points must be an integer >= 1, got 0'),
    (dict(num_points=2.0), 'num_points must be an integer >= 1, got 2.0'),
    (dict(margin=0), r'margin must be a number in \(0, 1\], got 0'),
    (dict(margin=1.5), r'margin must be a number in \(0, 1\], got 1.5'),
])
def test_bad_settings_raise_value_errors_naming_them(kwargs, message):
    # ValueError, not an assert: ``python -O`` would skip an assert.
    with pytest.raises(ValueError, match=f'^{message}$'):
        HardMaxPointLoss(**kwargs)
