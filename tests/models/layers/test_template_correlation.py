"""The four template/search correlations of TemplateCorrelation."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from mmtrack_smallobj.models.layers import (CORRELATION_TYPES,
                                            TemplateCorrelation)


def _build(corr_type: str, channels: int = 3, **kwargs) -> TemplateCorrelation:
    torch.manual_seed(0)
    corr = TemplateCorrelation(corr_type, channels, **kwargs)
    corr.init_weights()
    return corr.eval()


def _raw(corr: TemplateCorrelation) -> TemplateCorrelation:
    """The correlation without its output conv + norm, to check the maths."""
    corr.out_norm = nn.Identity()
    return corr


def _delta_template(channels: int, row: int, col: int,
                    size: int = 3) -> torch.Tensor:
    """(1, C, k, k) template, 1 at (row, col) of every channel, else 0."""
    template = torch.zeros(1, channels, size, size)
    template[..., row, col] = 1.0
    return template


@pytest.mark.parametrize('corr_type', CORRELATION_TYPES)
@pytest.mark.parametrize('template_size', [1, 3, 5])
def test_response_has_the_search_shape(corr_type, template_size):
    corr = _build(corr_type, channels=4).train()
    template = torch.randn(2, 4, template_size, template_size)
    search = torch.randn(2, 4, 9, 6)
    out = corr(template, search)
    assert out.shape == search.shape
    assert torch.isfinite(out).all()


@pytest.mark.parametrize('corr_type', CORRELATION_TYPES)
def test_response_depends_on_the_template(corr_type):
    corr = _build(corr_type)
    if corr_type == 'DC':
        # The controller starts near zero so that training starts stable;
        # give it weights large enough to see the template.
        with torch.no_grad():
            corr.controller[-1].weight.normal_(std=1.0)
    torch.manual_seed(1)
    search = torch.randn(1, 3, 8, 8)
    first, second = torch.randn(2, 1, 3, 3, 3)
    with torch.no_grad():
        out_first = corr(first, search)
        out_second = corr(second, search)
        again = corr(first.clone(), search)
    assert torch.equal(out_first, again)
    assert not torch.allclose(out_first, out_second, atol=1e-3)


@pytest.mark.parametrize('corr_type', CORRELATION_TYPES)
def test_gradient_reaches_template_search_and_weights(corr_type):
    corr = _build(corr_type).train()
    template = torch.randn(2, 3, 3, 3, requires_grad=True)
    search = torch.randn(2, 3, 6, 6, requires_grad=True)
    # A random projection: a plain sum of BN-normalised maps is constant.
    (corr(template, search) * torch.randn(2, 3, 6, 6)).sum().backward()
    assert template.grad.abs().sum() > 0
    assert search.grad.abs().sum() > 0
    no_grad = [
        name for name, p in corr.named_parameters()
        if p.grad is None or not p.grad.any()
    ]
    assert not no_grad, f'parameters without gradient: {no_grad}'


def test_depthwise_with_a_delta_template_shifts_the_search_map():
    # Cross-correlation: out[y, x] = sum_ij search[y + i - 1, x + j - 1]
    # k[i, j], so k = delta at (0, 2) reads search[y - 1, x + 1]; the area
    # normalisation divides by 9.
    corr = _raw(_build('DW'))
    search = torch.randn(1, 3, 5, 7)
    out = corr(_delta_template(3, 0, 2), search)
    expected = torch.zeros_like(search)
    expected[..., 1:, :-1] = search[..., :-1, 1:]
    assert torch.allclose(out, expected / 9, atol=1e-6)


def test_depthwise_correlates_each_channel_with_its_own_kernel():
    corr = _raw(_build('DW', channels=2))
    search = torch.randn(1, 2, 4, 4)
    template = torch.zeros(1, 2, 1, 1)
    template[0, :, 0, 0] = torch.tensor([2.0, -3.0])
    out = corr(template, search)
    assert torch.allclose(out[0, 0], 2 * search[0, 0])
    assert torch.allclose(out[0, 1], -3 * search[0, 1])


def test_samples_of_a_batch_use_their_own_templates():
    corr = _raw(_build('DW', channels=2))
    search = torch.randn(1, 2, 5, 5).repeat(2, 1, 1, 1)
    template = torch.cat([_delta_template(2, 1, 1), -_delta_template(2, 1, 1)])
    out = corr(template, search)
    assert torch.allclose(out[0], search[0] / 9, atol=1e-6)
    assert torch.allclose(out[1], -search[1] / 9, atol=1e-6)


def test_plain_correlation_sums_channels_then_lifts():
    corr = _raw(_build('CC'))
    search = torch.randn(1, 3, 5, 5)
    template = torch.zeros(1, 3, 3, 3)
    template[0, 0, 1, 1] = 1.0  # channel 0, centre
    template[0, 2, 1, 0] = 2.0  # channel 2, reads search[y, x - 1]
    summed = search[:, :1].clone()
    summed[..., 1:] += 2 * search[:, 2:3, :, :-1]
    expected = corr.lift(summed / 27)  # 3 channels x 3 x 3
    assert torch.allclose(corr(template, search), expected, atol=1e-6)


def test_hadamard_scales_each_channel_by_the_mean_template():
    corr = _raw(_build('HP'))
    search = torch.randn(2, 3, 4, 4)
    template = torch.randn(2, 3, 3, 3)
    expected = search * template.mean(dim=(2, 3))[:, :, None, None]
    assert torch.allclose(corr(template, search), expected)


@pytest.mark.parametrize('num_layers', [1, 2, 3])
def test_dynamic_conv_with_a_zero_controller_keeps_the_search_features(
        num_layers):
    # Zero generated weights and biases leave the residual path: the
    # identity, with a ReLU between layers.
    corr = _raw(_build('DC', num_dynamic_layers=num_layers))
    nn.init.zeros_(corr.controller[-1].weight)
    search = torch.randn(1, 3, 4, 4)
    out = corr(torch.randn(1, 3, 3, 3), search)
    expected = search if num_layers == 1 else F.relu(search)
    assert torch.allclose(out, expected)


def test_dynamic_conv_applies_the_generated_1x1_layer():
    corr = _raw(_build('DC', channels=2, num_dynamic_layers=1))
    weight = torch.tensor([[1.0, 2.0], [0.0, -1.0]])
    bias = torch.tensor([0.5, -0.5])
    with torch.no_grad():
        corr.controller[-1].weight.zero_()
        corr.controller[-1].bias.copy_(torch.cat([weight.flatten(), bias]))
    search = torch.randn(1, 2, 3, 3)
    out = corr(torch.randn(1, 2, 3, 3), search)
    expected = search + torch.einsum('oc,nchw->nohw', weight,
                                     search) + bias[:, None, None]
    assert torch.allclose(out, expected, atol=1e-6)


def test_dynamic_conv_starts_near_the_identity():
    corr = _raw(_build('DC', channels=4))
    search = torch.randn(1, 4, 6, 6)
    out = corr(torch.randn(1, 4, 3, 3) * 5, search)
    assert (out - F.relu(search)).abs().max() < 0.5


def test_mismatched_batch_sizes_raise():
    corr = _build('DW')
    with pytest.raises(ValueError, match='2 templates for 3 search maps'):
        corr(torch.randn(2, 3, 3, 3), torch.randn(3, 3, 8, 8))


@pytest.mark.parametrize('kwargs, match', [
    (dict(corr_type='XCorr'), 'corr_type must be one of'),
    (dict(corr_type='dw'), 'corr_type must be one of'),
    (dict(corr_type='DC', num_dynamic_layers=0),
     '^num_dynamic_layers must be an integer >= 1, got 0$'),
])
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TemplateCorrelation(channels=3, **kwargs)


def test_only_dc_and_cc_own_extra_parameters():
    names = {
        t: {n.split('.')[0]
            for n, _ in _build(t).named_parameters()}
        for t in CORRELATION_TYPES
    }
    assert names == {
        'DC': {'controller', 'out_norm'},
        'DW': {'out_norm'},
        'CC': {'lift', 'out_norm'},
        'HP': {'out_norm'},
    }
