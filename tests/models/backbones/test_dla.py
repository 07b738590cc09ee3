"""Tests of the DLA-34 backbone."""
import math

import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

import mmtrack_smallobj  # noqa: F401  (registers models and the ckpt loader)
from mmtrack.registry import MODELS
from mmtrack_smallobj.models.backbones import DLA

CHANNELS = (16, 32, 64, 128, 256, 512)
STRIDES = (1, 2, 4, 8, 16, 32)


def num_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_built_from_config_in_mmtrack_scope():
    model = MODELS.build(dict(type='DLA', depth=34))
    assert type(model) is DLA
    assert MODELS.get('DLA') is DLA


def test_default_levels_are_strides_4_to_32():
    model = DLA().eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, 64, 64))
    assert isinstance(outs, tuple)
    assert [tuple(o.shape) for o in outs] == [(1, 64, 16, 16),
                                              (1, 128, 8, 8), (1, 256, 4, 4),
                                              (1, 512, 2, 2)]


@pytest.mark.parametrize('out_indices', [(0, ), (1, 3), (5, ), (2, 3, 4)])
def test_out_indices_select_levels(out_indices):
    model = DLA(out_indices=out_indices).eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, 64, 64))
    assert len(outs) == len(out_indices)
    for out, i in zip(outs, out_indices):
        assert out.shape == (1, CHANNELS[i], 64 // STRIDES[i],
                             64 // STRIDES[i])
    # Levels nobody reads are not built.
    assert not hasattr(model, f'level{max(out_indices) + 1}')


@pytest.mark.parametrize('height,width', [(65, 97), (33, 31), (1, 1)])
def test_odd_sizes_give_ceil_division(height, width):
    model = DLA(out_indices=(0, 1, 2, 3, 4, 5)).eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, height, width))
    for out, channels, stride in zip(outs, CHANNELS, STRIDES):
        assert out.shape == (1, channels, math.ceil(height / stride),
                             math.ceil(width / stride))


@pytest.mark.parametrize('kwargs', [
    dict(depth=18), dict(out_indices=(6, )), dict(out_indices=()),
    dict(out_indices=(2, 3), frozen_stages=4)
])
def test_invalid_arguments_are_rejected(kwargs):
    with pytest.raises((KeyError, ValueError)):
        DLA(**kwargs)


@pytest.mark.parametrize('frozen_stages', [4, True])
def test_frozen_stages_beyond_the_built_levels_names_the_range(frozen_stages):
    with pytest.raises(ValueError, match=(
            r'^frozen_stages \(up to the last level built\) must be an '
            rf'integer in \[-1, 3\], got {frozen_stages}$')):
        DLA(out_indices=(2, 3), frozen_stages=frozen_stages)


def test_frozen_stages_freeze_exactly_stem_and_levels():
    model = DLA(frozen_stages=2)
    model.train()
    frozen_prefixes = ('base_layer.', 'level0.', 'level1.', 'level2.')
    for name, param in model.named_parameters():
        assert param.requires_grad != name.startswith(frozen_prefixes), name
    for name, module in model.named_modules():
        if isinstance(module, _BatchNorm):
            assert module.training != name.startswith(frozen_prefixes), name


def test_norm_eval_keeps_batchnorm_statistics():
    model = DLA(out_indices=(2, ), norm_eval=True)
    model.train()
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert norms and not any(m.training for m in norms)
    before = norms[-1].running_mean.clone()
    model(torch.randn(2, 3, 32, 32))
    assert torch.equal(norms[-1].running_mean, before)
    # The convolutions still train.
    assert all(p.requires_grad for p in model.parameters())


def test_trains_from_scratch(fit_output_mean):
    torch.manual_seed(0)
    model = DLA(out_indices=(2, 3))
    model.init_weights()
    stem_before = model.base_layer[0].weight.detach().clone()
    losses = fit_output_mean(model, torch.randn(2, 3, 16, 16), 6)
    assert losses[-1] < 0.5 * losses[0], losses
    assert not torch.equal(model.base_layer[0].weight, stem_before)


def test_depth_and_param_count():
    # Pinned. With the 1000-way classifier (512 * 1000 + 1000) this is the
    # 15.74M quoted for dla34 (the paper's 15.7M; timm, which also drops the
    # unused non-leaf projections).
    assert num_params(DLA()) == 15_229_104
    truncated = DLA(out_indices=(2, 3))
    full = DLA()
    assert num_params(full) - num_params(truncated) == (
        num_params(full.level4) + num_params(full.level5))


@pytest.mark.parametrize('prefix', [None, 'backbone.'])
def test_pretrained_init_cfg_round_trip(pretrained_round_trip, tmp_path,
                                        prefix):
    pretrained_round_trip(dict(type='DLA', out_indices=(2, 3)), tmp_path,
                          prefix)


# Entries of the public dla34 checkpoint (and of CenterNet/DMTrack's `base.`).
REFERENCE_SHAPES = {
    'base_layer.0.weight': (16, 3, 7, 7),
    'base_layer.1.running_var': (16, ),
    'level0.0.weight': (16, 16, 3, 3),
    'level1.0.weight': (32, 16, 3, 3),
    'level2.tree1.conv1.weight': (64, 32, 3, 3),
    'level2.tree2.bn2.weight': (64, ),
    'level2.root.conv.weight': (64, 128, 1, 1),
    'level2.project.0.weight': (64, 32, 1, 1),
    'level3.tree1.tree1.conv1.weight': (128, 64, 3, 3),
    'level3.tree1.root.conv.weight': (128, 256, 1, 1),
    'level3.tree1.project.0.weight': (128, 64, 1, 1),
    'level3.tree2.root.conv.weight': (128, 448, 1, 1),
    'level4.tree2.root.conv.weight': (256, 896, 1, 1),
    'level5.root.conv.weight': (512, 1280, 1, 1),
    'level5.root.bn.bias': (512, ),
    'level5.project.1.running_mean': (512, ),
}


def test_parameter_names_match_reference_checkpoint():
    state = DLA().state_dict()
    shapes = {k: tuple(v.shape) for k, v in state.items()}
    assert {k: shapes.get(k) for k in REFERENCE_SHAPES} == REFERENCE_SHAPES


def test_loads_centernet_style_checkpoint_by_prefix(tmp_path):
    torch.manual_seed(0)
    source = DLA()
    # What CenterNet/DMTrack save: the backbone under `base.` plus the
    # entries we drop (classifier, unused non-leaf projections) and a neck.
    state = {'base.' + k: v for k, v in source.state_dict().items()}
    state['base.fc.weight'] = torch.zeros(1000, 512, 1, 1)
    state['base.level3.project.0.weight'] = torch.zeros(128, 64, 1, 1)
    state['dla_up.ida_0.proj_1.conv.weight'] = torch.zeros(1)
    path = tmp_path / 'model_last.pth'
    torch.save(dict(epoch=70, state_dict=state), path)
    target = DLA(
        init_cfg=dict(type='Pretrained', checkpoint=str(path), prefix='base.'))
    target.init_weights()
    for key, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key
