"""SiamRPN++ with the shrinkage and focal classification losses (configs)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmtrack_smallobj  # noqa: F401
from mmtrack.registry import MODELS
from mmtrack.utils import register_all_modules
from siamese_crop_pairs import rpn_loss_step

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CONFIG_DIR = osp.join(REPO_ROOT, 'configs', 'siamese_rpn')
TINY = 'siamese-rpn_r18-tiny_1xb8-4e_synthetic-lasot_loss-{}.py'
FULL = ('siamese-rpn_r50_8xb28-20e_imagenetvid-imagenetdet-coco_'
        'loss-{}_test-lasot.py')
LOSS_TYPES = dict(shrinkage='ShrinkageBCELoss', focal='TwoLogitSigmoidLoss')


def _config(name):
    register_all_modules(init_default_scope=False)
    init_default_scope('mmtrack')
    return Config.fromfile(osp.join(CONFIG_DIR, name))


@pytest.mark.parametrize('loss', sorted(LOSS_TYPES))
def test_tiny_config_loss_step(loss):
    cfg = _config(TINY.format(loss))
    assert cfg.model.head.loss_cls.type == LOSS_TYPES[loss]
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.train()
    assert type(model.head.loss_cls).__name__ == LOSS_TYPES[loss]
    # A positive and a negative pair; the box fits the 64 px anchors.
    rpn_loss_step(model, labels=(1, 0), box=(96., 100., 160., 150.))
    for heads in (model.head.cls_heads, model.head.reg_heads):
        grads = [p.grad for p in heads.parameters()]
        assert all(g is not None for g in grads)
        assert any(g.abs().sum() > 0 for g in grads)


@pytest.mark.parametrize('loss', sorted(LOSS_TYPES))
def test_full_size_config_uses_the_same_loss(loss):
    full = _config(FULL.format(loss))
    tiny = _config(TINY.format(loss))
    assert full.model.head.loss_cls == tiny.model.head.loss_cls
    assert full.model.backbone.depth == 50
    loss_cls = MODELS.build(full.model.head.loss_cls)
    value = loss_cls(torch.randn(10, 2), torch.arange(10) % 2)
    assert torch.isfinite(value) and value > 0
