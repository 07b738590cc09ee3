"""mmdet's loss contract, run over every loss this package registers."""
import copy
from dataclasses import dataclass
from typing import Callable, Tuple

import pytest
import torch

import mmtrack_smallobj  # noqa: F401  (registers the losses)
from mmtrack.registry import MODELS
from mmtrack_smallobj.models.losses import grid_points


@dataclass
class Case:
    """A loss config and a maker of inputs for a batch of ``n`` items."""

    cfg: dict
    # n -> (positional inputs, extra keyword inputs, weight shape)
    make: Callable[[int], Tuple[tuple, dict, tuple]]


def _regression(n):
    return (torch.randn(n, 4), torch.rand(n, 4)), {}, (n, 4)


def _binary_map(n):
    target = (torch.rand(n, 1, 5, 5) > 0.7).float()
    target[:, 0, 2, 2] = 1  # at least one positive per image
    return (torch.randn(n, 1, 5, 5), target), {}, (n, 1, 5, 5)


def _sigmoid_labels(n):
    # mmdet's FocalLoss convention: label 3 of 3 classes is background.
    return (torch.randn(n, 3), torch.arange(n) % 4), {}, (n, )


def _softmax_labels(n):
    # SiameseRPNHead's CrossEntropyLoss convention: (num, 2) logits.
    return (torch.randn(n, 2), torch.arange(n) % 2), {}, (n, )


def _max_point(n):
    scores = [torch.randn(n, 1, 8, 8), torch.randn(n, 1, 4, 4)]
    points = [grid_points((8, 8), 8), grid_points((4, 4), 16)]
    boxes = torch.tensor([[10., 10., 30., 30.]]).repeat(n, 1)
    return (scores, boxes), dict(points=points), (n, )


CASES = {
    'shrinkage': Case(dict(type='ShrinkageLoss'), _regression),
    'shrinkage_bce_map': Case(dict(type='ShrinkageBCELoss'), _binary_map),
    'shrinkage_bce_labels': Case(dict(type='ShrinkageBCELoss'),
                                 _sigmoid_labels),
    'shrinkage_ce_softmax': Case(
        dict(type='ShrinkageBCELoss', use_sigmoid=False), _softmax_labels),
    'hard_max_point': Case(dict(type='HardMaxPointLoss', num_points=2),
                           _max_point),
}


def _leaves(inputs):
    """Make the prediction (first input) a leaf that requires grad."""
    pred = inputs[0]
    if isinstance(pred, list):
        pred = [p.clone().requires_grad_() for p in pred]
    else:
        pred = pred.clone().requires_grad_()
    return (pred, ) + tuple(inputs[1:]), pred


@pytest.fixture(params=sorted(CASES))
def case(request):
    torch.manual_seed(0)
    return CASES[request.param]


def _build(cfg, **overrides):
    cfg = dict(cfg, **overrides)
    return MODELS.build(cfg)


def test_build_from_config_leaves_config_intact(case):
    cfg = copy.deepcopy(case.cfg)
    loss = MODELS.build(cfg)
    assert cfg == case.cfg
    assert type(loss).__name__ == case.cfg['type']
    scoped = MODELS.build(dict(case.cfg, type='mmtrack.' + case.cfg['type']))
    assert type(scoped) is type(loss)


def test_unknown_argument_is_rejected(case):
    with pytest.raises(TypeError):
        _build(case.cfg, loss_wieght=2.0)


def test_reductions_agree(case):
    inputs, extra, _ = case.make(4)
    none = _build(case.cfg, reduction='none')(*inputs, **extra)
    total = _build(case.cfg, reduction='sum')(*inputs, **extra)
    assert none.dim() >= 1
    assert torch.allclose(total, none.sum())
    assert total > 0
    mean = _build(case.cfg, reduction='mean')(*inputs, **extra, avg_factor=7)
    assert torch.allclose(mean, none.sum() / 7, rtol=1e-5)


def test_reduction_override_wins(case):
    inputs, extra, _ = case.make(4)
    loss = _build(case.cfg, reduction='mean')
    overridden = loss(*inputs, **extra, reduction_override='sum')
    reference = _build(case.cfg, reduction='sum')(*inputs, **extra)
    assert torch.allclose(overridden, reference)
    with pytest.raises(AssertionError):
        loss(*inputs, **extra, reduction_override='average')


def test_avg_factor_with_sum_raises(case):
    inputs, extra, _ = case.make(2)
    with pytest.raises(ValueError):
        _build(case.cfg, reduction='sum')(*inputs, **extra, avg_factor=2)


def test_loss_weight_scales_linearly(case):
    inputs, extra, _ = case.make(3)
    one = _build(case.cfg, loss_weight=1.0)(*inputs, **extra)
    three = _build(case.cfg, loss_weight=3.0)(*inputs, **extra)
    assert one > 0
    assert torch.allclose(three, 3 * one)


def test_zero_weight_gives_zero(case):
    inputs, extra, weight_shape = case.make(3)
    inputs, pred = _leaves(inputs)
    loss = _build(case.cfg, reduction='sum')
    value = loss(*inputs, **extra, weight=torch.zeros(weight_shape))
    assert value.item() == 0
    value.backward()
    grads = pred if isinstance(pred, list) else [pred]
    assert all(not g.grad.any() for g in grads)


def test_weight_scales_the_loss(case):
    inputs, extra, weight_shape = case.make(3)
    loss = _build(case.cfg, reduction='sum')
    plain = loss(*inputs, **extra)
    halved = loss(*inputs, **extra, weight=torch.full(weight_shape, 0.5))
    assert torch.allclose(halved, plain / 2)


@pytest.mark.parametrize('reduction', ['none', 'mean', 'sum'])
def test_empty_input_gives_zero_that_keeps_the_graph(case, reduction):
    inputs, extra, _ = case.make(0)
    inputs, pred = _leaves(inputs)
    value = _build(case.cfg, reduction=reduction)(*inputs, **extra)
    assert value.requires_grad
    assert value.sum().item() == 0
    value.sum().backward()
    grads = pred if isinstance(pred, list) else [pred]
    assert all(g.grad is not None for g in grads)
