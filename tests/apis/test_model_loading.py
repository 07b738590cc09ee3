"""mmtrack_smallobj.apis.model_loading: configs, checkpoints, devices."""
import re

import pytest
import torch
from mmengine.config import Config
from tiny_configs import CONFIG, SIAMRPN_CONFIG, TINY

from mmtrack_smallobj.apis import (build_test_pipeline, inference_precision,
                                   init_tracker, resolve_device)


def test_checkpoint_is_loaded(setup):
    saved = setup['fresh'].state_dict()
    loaded = setup['model'].state_dict()
    assert saved.keys() == loaded.keys()
    assert all(torch.equal(saved[k], loaded[k]) for k in saved)
    assert not setup['model'].training
    assert setup['model'].test_cfg['short_side'] == 64


def test_model_only_configs_get_mmtrack_sot_test_pipeline(setup):
    names = [type(t).__name__ for t in build_test_pipeline(Config())
             .transforms]
    assert names == [
        'LoadImageFromFile', 'LoadTrackAnnotations', 'PackTrackInputs'
    ]
    ours = [type(t).__name__ for t in setup['pipeline'].transforms]
    assert ours == names


def test_short_side_override(setup):
    model, _ = init_tracker(CONFIG, setup['checkpoint'], 'cpu', TINY,
                            short_side=96)
    assert model.test_cfg['short_side'] == 96
    assert model.cfg.model.test_cfg.short_side == 96
    with pytest.raises(KeyError, match='short_side'):
        init_tracker(SIAMRPN_CONFIG, None, 'cpu', short_side=96)
    # A loaded config is copied, never changed.
    cfg = Config.fromfile(CONFIG)
    before = cfg.pretty_text
    model, _ = init_tracker(cfg, None, 'cpu', TINY, short_side=32)
    assert model.test_cfg['short_side'] == 32
    assert cfg.pretty_text == before


def test_a_checkpoint_that_does_not_fit_is_refused(setup):
    with pytest.raises(ValueError, match='does not fit SiamRPN: unexpected'):
        init_tracker(SIAMRPN_CONFIG, setup['checkpoint'], 'cpu')
    # The full-width CPU default: same keys, other shapes.
    with pytest.raises(ValueError, match=r'\d+ size mismatch\(es\)'):
        init_tracker(CONFIG, setup['checkpoint'], 'cpu')
    model, _ = init_tracker(SIAMRPN_CONFIG, setup['checkpoint'], 'cpu',
                            strict=False)
    assert not model.training


def test_resolve_device_parses_and_names_the_setting_in_errors():
    assert resolve_device('cpu') == torch.device('cpu')
    with pytest.raises(ValueError, match="unknown --device 'gpu'"):
        resolve_device('gpu', '--device')


@pytest.mark.skipif(torch.cuda.is_available(), reason='CUDA is available')
def test_resolve_device_refuses_cuda_without_cuda():
    with pytest.raises(ValueError,
                       match='device cuda:0, but CUDA is not available'):
        resolve_device('cuda:0')


@pytest.mark.parametrize('dtype, message', [
    ('fp8', "unknown dtype 'fp8'; choose from fp32, fp16, bf16"),
    ('fp16', 'dtype fp16 needs a CUDA device, not cpu; use bf16 on a CPU'),
])
def test_inference_precision_refuses_what_cannot_run(dtype, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        inference_precision('cpu', dtype)


def test_inference_precision_fp32_switches_autocast_off():
    with torch.autocast('cpu', dtype=torch.bfloat16):
        with inference_precision('cpu', 'fp32'):
            assert not torch.is_autocast_enabled('cpu')


@pytest.mark.parametrize('device, dtype, expected', [
    ('cpu', 'bf16', torch.bfloat16),
    pytest.param('cuda', 'fp16', torch.float16,
                 marks=pytest.mark.skipif(not torch.cuda.is_available(),
                                          reason='needs CUDA')),
])
def test_inference_precision_turns_autocast_on(device, dtype, expected):
    with inference_precision(torch.device(device), dtype):
        assert torch.is_autocast_enabled(device)
        assert torch.get_autocast_dtype(device) == expected


def test_inference_precision_refuses_bf16_where_the_gpu_has_none(
        monkeypatch):
    from mmtrack_smallobj.apis import model_loading
    monkeypatch.setattr(model_loading, '_cuda_bf16_supported',
                        lambda device: False)
    monkeypatch.setattr(torch.cuda, 'get_device_name', lambda device: 'T4')
    with pytest.raises(ValueError,
                       match='dtype bf16: T4 has no bfloat16 support'):
        inference_precision('cuda:1', 'bf16')
