"""JDE's task-uncertainty weighting and the fixed-weight alternative."""
import math

import pytest
import torch

import mmtrack_smallobj  # noqa: F401  (registers the weightings)
from mmengine.model import BaseModel
from mmtrack.registry import MODELS
from mmtrack_smallobj.models.losses import task_total


def _losses():
    det = dict(
        loss_cls_s4=torch.tensor([1.0, 3.0]),  # mean 2
        loss_bbox_s4=[torch.tensor(0.5), torch.tensor(0.25)],
        acc=torch.tensor(99.))  # not a loss: ignored
    return det, dict(loss_reid=torch.tensor(3.0))


def test_task_total_reduces_like_mmengine():
    det, _ = _losses()
    assert task_total(det).item() == pytest.approx(2.75)
    with pytest.raises(ValueError):
        task_total(dict(acc=torch.tensor(1.)))


def test_uncertainty_weighting_is_jde_formula():
    weighting = MODELS.build(
        dict(type='UncertaintyLossWeighting', init_s_det=0.5, init_s_id=-1.))
    det, ids = _losses()
    out = weighting(det, ids)
    expected = 0.5 * (math.exp(-0.5) * 2.75 + math.exp(1.) * 3. + 0.5 - 1.)
    total, log_vars = BaseModel.parse_losses(None, out)
    assert total.item() == pytest.approx(expected)
    assert log_vars['s_det'].item() == pytest.approx(0.5)
    total.backward()
    # d/ds = 0.5 * (1 - exp(-s) L): the minimum is at s = log(L).
    assert weighting.s_det.grad.item() == pytest.approx(
        0.5 * (1 - math.exp(-0.5) * 2.75))
    assert weighting.s_id.grad.item() == pytest.approx(0.5 *
                                                       (1 - math.exp(1.) * 3.))


def test_uncertainty_weighting_learns_log_losses():
    weighting = MODELS.build(dict(type='UncertaintyLossWeighting'))
    optimizer = torch.optim.SGD(weighting.parameters(), lr=0.5)
    for _ in range(300):
        optimizer.zero_grad()
        out = weighting(
            dict(loss=torch.tensor(4.)), dict(loss=torch.tensor(0.25)))
        sum(v for k, v in out.items() if 'loss' in k).backward()
        optimizer.step()
    assert weighting.s_det.item() == pytest.approx(math.log(4.), abs=1e-3)
    assert weighting.s_id.item() == pytest.approx(math.log(0.25), abs=1e-3)


def test_absent_task_drops_its_term_and_keeps_the_graph():
    weighting = MODELS.build(dict(type='UncertaintyLossWeighting'))
    det, _ = _losses()
    out = weighting(det, {})
    assert 'loss_id' not in out
    total = sum(v for k, v in out.items() if 'loss' in k)
    assert total.item() == pytest.approx(0.5 * (math.exp(1.85) * 2.75 - 1.85))
    total.backward()
    assert weighting.s_id.grad.item() == 0


def test_fixed_weighting():
    weighting = MODELS.build(
        dict(type='FixedLossWeighting', det_weight=1.0, id_weight=0.1))
    det, ids = _losses()
    out = weighting(det, ids)
    assert out['loss_det'].item() == pytest.approx(2.75)
    assert out['loss_id'].item() == pytest.approx(0.3)
    assert list(weighting(det, {})) == ['loss_det']
