"""Tests of the shallow high-resolution backbone."""
import math
from typing import Sequence

import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

import mmtrack_smallobj  # noqa: F401  (registers models and the ckpt loader)
from mmtrack.registry import MODELS
from mmtrack_smallobj.models.backbones import HighResShallowNet


def num_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def expected_params(num_blocks: Sequence[int], base: int, stem: int,
                    in_channels: int = 3) -> int:
    """Parameter count from the architecture: bias-free convolutions, two
    parameters per channel per BatchNorm."""
    total = 9 * in_channels * stem + 2 * stem + 9 * stem * stem + 2 * stem
    c_in = stem
    for i, blocks in enumerate(num_blocks):
        c = base * 2**i
        total += 9 * c_in * c + 2 * c + 9 * c * c + 2 * c  # first block
        if i > 0 or c_in != c:
            total += c_in * c + 2 * c  # 1x1 shortcut
        total += (blocks - 1) * (18 * c * c + 4 * c)
        c_in = c
    return total


def test_built_from_config_in_mmtrack_scope():
    model = MODELS.build(
        dict(type='HighResShallowNet', base_channels=8, num_blocks=1))
    assert type(model) is HighResShallowNet


def test_default_outputs_are_strides_4_and_8():
    model = HighResShallowNet().eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, 64, 64))
    assert isinstance(outs, tuple)
    assert [tuple(o.shape) for o in outs] == [(1, 32, 16, 16), (1, 64, 8, 8)]
    assert model.strides == (4, 8)


@pytest.mark.parametrize('num_stages', [1, 2, 3, 4])
def test_stage_i_has_stride_4_times_2_to_the_i(num_stages):
    model = HighResShallowNet(
        num_stages=num_stages, num_blocks=1, base_channels=4).eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, 64, 64))
    assert len(outs) == num_stages
    for i, out in enumerate(outs):
        assert out.shape == (1, 4 * 2**i, 16 // 2**i, 16 // 2**i)


def test_out_indices_select_stages():
    model = HighResShallowNet(num_stages=3, base_channels=4,
                              out_indices=(2, 0)).eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, 64, 64))
    assert [tuple(o.shape) for o in outs] == [(1, 16, 4, 4), (1, 4, 16, 16)]


@pytest.mark.parametrize('height,width', [(65, 97), (33, 31), (1, 1)])
def test_odd_sizes_give_ceil_division(height, width):
    model = HighResShallowNet(num_stages=3, num_blocks=1,
                              base_channels=4).eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, height, width))
    for out, stride in zip(outs, (4, 8, 16)):
        assert out.shape[2:] == (math.ceil(height / stride),
                                 math.ceil(width / stride))


@pytest.mark.parametrize('kwargs', [
    dict(num_stages=0), dict(num_stages=5), dict(num_blocks=(1, 1, 1)),
    dict(num_blocks=(2, 0)), dict(out_indices=(2, )),
    dict(out_indices=(0, )), dict(frozen_stages=3)
])
def test_invalid_arguments_are_rejected(kwargs):
    with pytest.raises(ValueError):
        HighResShallowNet(**kwargs)


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_stages=5), r'num_stages must be an integer in \[1, 4\], got 5'),
    (dict(num_stages=2.0),
     r'num_stages must be an integer in \[1, 4\], got 2.0'),
    (dict(frozen_stages=3),
     r'frozen_stages must be an integer in \[-1, 2\], got 3'),
])
def test_stage_counts_name_their_integer_range(kwargs, message):
    with pytest.raises(ValueError, match=f'^{message}$'):
        HighResShallowNet(**kwargs)


@pytest.mark.parametrize('num_blocks,base,stem', [((2, 2), 32, 32),
                                                  ((1, ), 8, 16),
                                                  ((1, 3, 2), 8, 8),
                                                  ((2, 1, 1, 1), 4, 6)])
def test_param_count_follows_the_architecture(num_blocks, base, stem):
    model = HighResShallowNet(
        num_stages=len(num_blocks), num_blocks=num_blocks,
        base_channels=base, stem_channels=stem)
    assert num_params(model) == expected_params(num_blocks, base, stem)


def test_depth_and_width_knobs_change_params():
    default = num_params(HighResShallowNet())
    c = 64  # stage-1 width at base 32
    deeper = num_params(HighResShallowNet(num_blocks=(2, 3)))
    assert deeper - default == 18 * c * c + 4 * c  # one more basic block
    assert num_params(HighResShallowNet(num_stages=3)) > deeper
    assert num_params(HighResShallowNet(num_blocks=1)) < default
    narrow = num_params(HighResShallowNet(base_channels=16, stem_channels=16))
    # Convolutions dominate and scale with width squared.
    assert 3.8 < default / narrow < 4.0


def test_frozen_stages_freeze_exactly_stem_and_stages():
    model = HighResShallowNet(num_stages=3, base_channels=4, frozen_stages=2)
    model.train()
    frozen_prefixes = ('stem.', 'layer1.', 'layer2.')
    for name, param in model.named_parameters():
        assert param.requires_grad != name.startswith(frozen_prefixes), name
    for name, module in model.named_modules():
        if isinstance(module, _BatchNorm):
            assert module.training != name.startswith(frozen_prefixes), name


def test_frozen_stages_zero_freezes_only_the_stem():
    model = HighResShallowNet(base_channels=4, frozen_stages=0)
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    assert frozen and all(n.startswith('stem.') for n in frozen)


def test_norm_eval_keeps_batchnorm_statistics():
    model = HighResShallowNet(base_channels=4, norm_eval=True)
    model.train()
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert norms and not any(m.training for m in norms)
    before = norms[0].running_mean.clone()
    model(torch.randn(2, 3, 32, 32))
    assert torch.equal(norms[0].running_mean, before)
    assert all(p.requires_grad for p in model.parameters())


def test_trains_from_scratch(fit_output_mean):
    torch.manual_seed(0)
    model = HighResShallowNet(base_channels=8)
    model.init_weights()
    stem_before = model.stem[0].conv.weight.detach().clone()
    losses = fit_output_mean(model, torch.randn(2, 3, 16, 16), 6)
    assert losses[-1] < 0.5 * losses[0], losses
    assert not torch.equal(model.stem[0].conv.weight, stem_before)


@pytest.mark.parametrize('prefix', [None, 'backbone.'])
def test_pretrained_init_cfg_round_trip(pretrained_round_trip, tmp_path,
                                        prefix):
    pretrained_round_trip(
        dict(type='HighResShallowNet', base_channels=8, num_blocks=(1, 2)),
        tmp_path, prefix)


def test_backbone_base_requires_frozen_modules():
    from mmtrack_smallobj.models.backbones.base_backbone import \
        FrozenStagesBackbone

    class NoFrozenModules(FrozenStagesBackbone):

        def __init__(self):
            super().__init__()
            self.frozen_stages = 0
            self.norm_eval = False

    with pytest.raises(NotImplementedError, match='NoFrozenModules'):
        NoFrozenModules()._freeze_stages()
