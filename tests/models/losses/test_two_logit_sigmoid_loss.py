"""TwoLogitSigmoidLoss: mmdet's loss contract, the head's label convention."""
import copy

import pytest
import torch
import torch.nn.functional as F

import mmtrack_smallobj  # noqa: F401  (registers the losses)
from mmtrack.registry import MODELS

INNER = {
    'focal': dict(type='mmdet.FocalLoss', use_sigmoid=True),
    'shrinkage': dict(type='ShrinkageBCELoss', use_sigmoid=True),
}


@pytest.fixture(params=sorted(INNER))
def cfg(request):
    torch.manual_seed(0)
    return dict(type='TwoLogitSigmoidLoss', loss=INNER[request.param])


def _inputs(n):
    """(N, 2) logits and labels 0/1, as SiameseRPNHead calls loss_cls."""
    return torch.randn(n, 2), torch.arange(n) % 2


def _build(cfg, **overrides):
    return MODELS.build(dict(cfg, **overrides))


def test_build_leaves_config_intact(cfg):
    before = copy.deepcopy(cfg)
    loss = MODELS.build(cfg)
    assert cfg == before
    scoped = MODELS.build(dict(cfg, type='mmtrack.TwoLogitSigmoidLoss'))
    assert type(scoped) is type(loss)


def test_unknown_and_misplaced_arguments_are_rejected(cfg):
    with pytest.raises(TypeError):
        _build(cfg, loss_wieght=2.0)
    for key, value in (('reduction', 'sum'), ('loss_weight', 2.0)):
        inner = dict(cfg['loss'], **{key: value})
        with pytest.raises(ValueError, match=key):
            _build(cfg, loss=inner)


def test_reductions_and_override_agree(cfg):
    pred, target = _inputs(6)
    none = _build(cfg, reduction='none')(pred, target)
    assert none.shape == (6, )
    total = _build(cfg, reduction='sum')(pred, target)
    assert total > 0 and torch.allclose(total, none.sum())
    mean = _build(cfg, reduction='mean')(pred, target, avg_factor=7)
    assert torch.allclose(mean, none.sum() / 7)
    overridden = _build(cfg)(pred, target, reduction_override='sum')
    assert torch.allclose(overridden, total)
    with pytest.raises(AssertionError):
        _build(cfg)(pred, target, reduction_override='average')
    with pytest.raises(ValueError):
        _build(cfg, reduction='sum')(pred, target, avg_factor=2)


def test_weights_scale_and_zero(cfg):
    pred, target = _inputs(4)
    pred.requires_grad_()
    loss = _build(cfg, reduction='sum')
    plain = loss(pred, target)
    halved = loss(pred, target, weight=torch.full((4, ), 0.5))
    assert torch.allclose(halved, plain / 2)
    three = _build(cfg, reduction='sum', loss_weight=3.0)(pred, target)
    assert torch.allclose(three, 3 * plain)
    zero = loss(pred, target, weight=torch.zeros(4))
    assert zero.item() == 0
    zero.backward()
    assert not pred.grad.any()


@pytest.mark.parametrize('reduction', ['none', 'mean', 'sum'])
def test_empty_input_gives_zero_that_keeps_the_graph(cfg, reduction):
    pred = torch.zeros(0, 2, requires_grad=True)
    value = _build(cfg, reduction=reduction)(pred, torch.zeros(0).long())
    assert value.requires_grad and value.sum().item() == 0
    value.sum().backward()
    assert pred.grad is not None


def test_ignored_labels_do_not_count(cfg):
    pred, target = _inputs(4)
    loss = _build(cfg, reduction='none')
    ignored = target.clone()
    ignored[0] = -1
    values = loss(pred, ignored)
    assert values[0] == 0
    kept = loss(pred[1:], target[1:])
    if cfg['loss']['type'] == 'mmdet.FocalLoss':
        # Element-wise loss: the other anchors are unchanged.
        assert torch.allclose(values[1:], kept)


def test_focal_without_focusing_is_the_heads_cross_entropy():
    """gamma=0, alpha=0.5: half the 2-way softmax cross-entropy, so the
    label convention (1 = target) and the logit (l_1 - l_0) are the head's."""
    pred, target = torch.randn(8, 2), torch.tensor([0, 1] * 4)
    loss = MODELS.build(
        dict(
            type='TwoLogitSigmoidLoss',
            loss=dict(type='mmdet.FocalLoss', gamma=0.0, alpha=0.5),
            reduction='none'))
    expected = 0.5 * F.cross_entropy(pred, target, reduction='none')
    assert torch.allclose(loss(pred, target), expected, atol=1e-6)


def test_raising_the_target_logit_lowers_a_positive_loss(cfg):
    loss = _build(cfg, reduction='sum')
    low = loss(torch.tensor([[0.0, -1.0]]), torch.tensor([1]))
    high = loss(torch.tensor([[0.0, 2.0]]), torch.tensor([1]))
    assert high < low
