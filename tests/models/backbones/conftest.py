"""Shared checks of the backbone tests: training from scratch and the
``Pretrained`` init_cfg round trip."""
from pathlib import Path
from typing import Callable, List, Optional

import pytest
import torch
from torch import nn

import mmtrack_smallobj  # noqa: F401  (registers models and the ckpt loader)
from mmtrack.registry import MODELS


Fit = Callable[[nn.Module, torch.Tensor, int], List[float]]
RoundTrip = Callable[[dict, Path, Optional[str]], None]


def _fit_output_mean(model: nn.Module, images: torch.Tensor,
                     steps: int) -> List[float]:
    """Adam steps pulling every output map's mean towards 0.

    Adam, as its step size does not shrink with the 1 / channels factor of a
    mean over wide maps (plain SGD barely moves DLA-34 in a few steps).

    Checks on the first step that every trainable parameter gets a non-zero
    gradient (none unused, which DDP would reject; the stem included).

    Returns:
        list[float]: The loss before each step and after the last one.
    """
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=0.03)

    def loss_fn() -> torch.Tensor:
        return sum(out.mean()**2 for out in model(images))

    losses = []
    for step in range(steps):
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        if step == 0:
            no_grad = [
                name for name, p in model.named_parameters()
                if p.requires_grad and (p.grad is None or not p.grad.any())
            ]
            assert not no_grad, f'parameters without gradient: {no_grad}'
        optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():
        losses.append(loss_fn().item())
    return losses


@pytest.fixture
def fit_output_mean() -> Fit:
    """Factory: ``fit_output_mean(model, images, steps)`` -> losses."""
    return _fit_output_mean


def _pretrained_round_trip(cfg: dict, tmp_path: Path,
                           prefix: Optional[str]) -> None:
    """Save a trained-looking backbone, load it through ``init_cfg``.

    With ``prefix`` the weights are saved as a detector checkpoint would hold
    them (``{'state_dict': {prefix + key: ...}}`` next to a neck's keys).
    Asserts every parameter and buffer (BN statistics too) arrives.
    """
    torch.manual_seed(0)
    source = MODELS.build(cfg)
    source.init_weights()
    with torch.no_grad():  # move the BN statistics off their defaults
        source.train()(torch.randn(2, 3, 32, 32))
    state = source.state_dict()
    path = tmp_path / 'backbone.pth'
    if prefix is None:
        torch.save(state, path)
        init_cfg = dict(type='Pretrained', checkpoint=str(path))
    else:
        full = {prefix + k: v for k, v in state.items()}
        full['neck.lateral.weight'] = torch.ones(3)
        torch.save(dict(meta=dict(epoch=1), state_dict=full), path)
        init_cfg = dict(type='Pretrained', checkpoint=str(path), prefix=prefix)

    torch.manual_seed(1)
    target = MODELS.build(dict(cfg, init_cfg=init_cfg))
    differs = [
        k for k, v in target.state_dict().items()
        if v.is_floating_point() and not torch.equal(v, state[k])
    ]
    assert differs, 'the target must start from other weights'
    target.init_weights()
    loaded = target.state_dict()
    assert loaded.keys() == state.keys()
    mismatched = [k for k in state if not torch.equal(loaded[k], state[k])]
    assert not mismatched, f'not loaded: {mismatched}'


@pytest.fixture
def pretrained_round_trip() -> RoundTrip:
    """Factory: ``pretrained_round_trip(cfg, tmp_path, prefix)``."""
    return _pretrained_round_trip
