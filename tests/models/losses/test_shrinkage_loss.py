"""Values and behaviour of ShrinkageLoss and ShrinkageBCELoss."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

import mmtrack_smallobj  # noqa: F401  (registers the losses)
from mmtrack.registry import MODELS
from mmtrack_smallobj.models.losses import ShrinkageBCELoss, ShrinkageLoss


def _regression(p, y, a=10.0, c=0.2):
    """The paper's formula, written out on floats."""
    err = abs(p - y)
    return math.exp(y) * err**2 / (1 + math.exp(a * (c - err)))


def _classification(p_t, a=10.0, c=0.6):
    return math.exp(p_t) / (1 + math.exp(a * (p_t - c))) * -math.log(p_t)


def test_regression_matches_formula_by_hand():
    pred = torch.tensor([0.5, 0.1, -0.3])
    target = torch.tensor([1.0, 0.0, 0.4])
    loss = ShrinkageLoss(reduction='none')(pred, target)
    # 0.5 error on the peak: e * 0.25 / (1 + e^-3).
    assert loss[0].item() == pytest.approx(math.e * 0.25 / (1 + math.exp(-3)))
    # 0.1 error on background: 0.01 / (1 + e^1).
    assert loss[1].item() == pytest.approx(0.01 / (1 + math.e))
    assert loss[2].item() == pytest.approx(_regression(-0.3, 0.4))


def test_regression_without_target_weight_drops_exp_y():
    pred, target = torch.tensor([0.5]), torch.tensor([1.0])
    with_y = ShrinkageLoss(reduction='none')(pred, target)
    without = ShrinkageLoss(
        use_target_weight=False, reduction='none')(pred, target)
    assert with_y.item() == pytest.approx(math.e * without.item())


def test_regression_shrinks_easy_errors_more_than_l2():
    errors = torch.tensor([0.05, 0.1, 0.2, 0.4, 0.8])
    loss = ShrinkageLoss(
        use_target_weight=False, reduction='none')(errors, torch.zeros(5))
    ratio = loss / errors**2
    # The factor on l^2 rises with the error: easy samples are shrunk.
    assert (ratio[1:] > ratio[:-1]).all()
    assert ratio[2].item() == pytest.approx(0.5)  # l == c
    assert ratio[0].item() == pytest.approx(1 / (1 + math.exp(1.5)))
    assert ratio[-1] > 0.99


def test_sigmoid_form_matches_formula_by_hand():
    logits = torch.tensor([0.0, 2.0, -1.0])
    target = torch.tensor([1.0, 1.0, 0.0])
    loss = ShrinkageBCELoss(
        class_balance=False, reduction='none')(logits, target)
    p = torch.sigmoid(logits).tolist()
    expected = [_classification(p[0]), _classification(p[1]),
                _classification(1 - p[2])]
    assert loss.tolist() == pytest.approx(expected)


def test_softmax_form_uses_true_class_probability():
    logits = torch.tensor([[1.0, -1.0], [0.2, 0.3], [0.0, 3.0]])
    labels = torch.tensor([0, 0, 1])
    loss = ShrinkageBCELoss(
        use_sigmoid=False, class_balance=False,
        reduction='none')(logits, labels)
    p_t = F.softmax(logits, dim=1)[torch.arange(3), labels].tolist()
    assert loss.tolist() == pytest.approx([_classification(p) for p in p_t])


@pytest.mark.parametrize('use_sigmoid', [True, False])
def test_classification_loss_decreases_as_true_class_gains(use_sigmoid):
    # The factor is not detached, so check it never turns the gradient round.
    logit = torch.linspace(-8, 8, 401)
    loss = ShrinkageBCELoss(
        use_sigmoid=use_sigmoid, class_balance=False, reduction='none')
    if use_sigmoid:
        values = loss(logit, torch.ones_like(logit))
    else:
        pred = torch.stack([torch.zeros_like(logit), logit], dim=1)
        values = loss(pred, torch.ones(401, dtype=torch.long))
    assert (values[1:] < values[:-1]).all()


def test_easy_samples_are_shrunk_relative_to_bce():
    logits = torch.tensor([-1.5, 3.0])  # p_t about 0.18 and 0.95
    target = torch.ones(2)
    loss = ShrinkageBCELoss(class_balance=False, reduction='none')
    ratio = loss(logits, target) / F.binary_cross_entropy_with_logits(
        logits, target, reduction='none')
    # About 0.07 against 1.18.
    assert ratio[1] < 0.1 * ratio[0]


def test_class_balance_equalises_class_mass():
    logits = torch.zeros(4)
    target = torch.tensor([1.0, 0.0, 0.0, 0.0])
    plain = ShrinkageBCELoss(class_balance=False, reduction='none')(
        logits, target)
    balanced = ShrinkageBCELoss(reduction='none')(logits, target)
    # 1 positive, 3 negatives: weights 4 / (2 * 1) and 4 / (2 * 3).
    expected = [2, 2 / 3, 2 / 3, 2 / 3]
    assert (balanced / plain).tolist() == pytest.approx(expected)


def test_class_balance_counts_weights_as_mass():
    logits = torch.zeros(4)
    target = torch.tensor([1.0, 0.0, 0.0, 0.0])
    # Already balanced by the caller (as SiamRPN's sampler does): unchanged.
    weight = torch.tensor([0.5, 0.5 / 3, 0.5 / 3, 0.5 / 3])
    plain = ShrinkageBCELoss(class_balance=False, reduction='sum')(
        logits, target, weight=weight)
    balanced = ShrinkageBCELoss(reduction='sum')(logits, target, weight=weight)
    assert balanced.item() == pytest.approx(plain.item())


def test_class_balance_with_one_class_is_identity():
    logits, target = torch.randn(5), torch.zeros(5)
    plain = ShrinkageBCELoss(class_balance=False)(logits, target)
    assert ShrinkageBCELoss()(logits, target).item() == pytest.approx(
        plain.item())


def test_sigmoid_labels_equal_one_hot_targets():
    logits = torch.randn(5, 3)
    labels = torch.tensor([0, 2, 3, 1, 3])  # 3 is background
    onehot = F.one_hot(labels, 4)[:, :3].float()
    loss = ShrinkageBCELoss(reduction='none')
    assert torch.allclose(loss(logits, labels), loss(logits, onehot))


def test_negative_labels_are_ignored():
    logits = torch.randn(4, 2, requires_grad=True)
    labels = torch.tensor([0, 1, -1, 1])
    loss = ShrinkageBCELoss(use_sigmoid=False, reduction='none')
    values = loss(logits, labels)
    assert values[2].item() == 0
    values.sum().backward()
    assert not logits.grad[2].any()
    kept = loss(logits[[0, 1, 3]], labels[[0, 1, 3]])
    assert torch.allclose(values[[0, 1, 3]], kept)


def test_works_as_siamese_rpn_loss_cls():
    head = MODELS.build(
        dict(
            type='SiameseRPNHead',
            anchor_generator=dict(
                type='SiameseRPNAnchorGenerator',
                strides=[8],
                ratios=[0.33, 0.5, 1, 2, 3],
                scales=[8]),
            in_channels=[2],
            weighted_sum=True,
            bbox_coder=dict(
                type='mmdet.DeltaXYWHBBoxCoder',
                target_means=[0.] * 4,
                target_stds=[1.] * 4),
            loss_cls=dict(
                type='ShrinkageBCELoss', use_sigmoid=False, reduction='sum'),
            loss_bbox=dict(type='mmdet.L1Loss', reduction='sum'),
            # The head reads train_cfg by attribute.
            train_cfg=ConfigDict(
                assigner=dict(
                    type='mmdet.MaxIoUAssigner',
                    pos_iou_thr=0.6,
                    neg_iou_thr=0.3,
                    min_pos_iou=0.6,
                    match_low_quality=False,
                    iou_calculator=dict(type='mmdet.BboxOverlaps2D')),
                sampler=dict(
                    type='mmdet.RandomSampler',
                    num=64,
                    pos_fraction=0.25,
                    add_gt_as_proposals=False),
                num_neg=16,
                exemplar_size=127,
                search_size=255)))
    assert isinstance(head.loss_cls, ShrinkageBCELoss)
    calls = []
    head.loss_cls.register_forward_hook(
        lambda module, args, kwargs, out: calls.append((args, kwargs, out)),
        with_kwargs=True)
    torch.manual_seed(0)
    cls_score = torch.randn(2, 10, 25, 25, requires_grad=True)
    box = torch.tensor([[95., 95., 159., 159.]])  # one 64 px anchor's size
    gts, search_gts = [], []
    for is_positive_pair in (1, 0):
        gts.append(InstanceData(
            bboxes=box, labels=torch.tensor([is_positive_pair])))
        search_gts.append(InstanceData(bboxes=box, labels=torch.tensor([1])))
    losses = head.loss_by_feat(cls_score, torch.zeros(2, 20, 25, 25), gts,
                               search_gts, [{}, {}])

    (pred, labels), kwargs, out = calls[0]
    assert pred.shape == (2 * 25 * 25 * 5, 2) and labels.dtype == torch.long
    sampled = kwargs['weight'] > 0
    assert labels[sampled].unique().tolist() == [0, 1]
    assert losses['loss_rpn_cls'] is out and out > 0
    out.backward()
    grad = cls_score.grad.view(2, 2, 5, 25, 25).permute(0, 3, 4, 2, 1)
    assert torch.equal(grad.reshape(-1, 2).abs().sum(1) > 0, sampled)
