"""The local checkpoint loader: weights-only loading, opt-in, errors."""
import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.runner.checkpoint import CheckpointLoader, load_checkpoint

import mmtrack_smallobj  # noqa: F401  (registers the loader)
from mmtrack_smallobj.engine import load_from_local
from mmtrack_smallobj.engine.checkpoint_loader import (TRUST_ENV,
                                                       CheckpointLoadError,
                                                       checkpoints_trusted,
                                                       trust_checkpoints)


class _Note:
    """A class of nobody's allowlist, as a hook might store one."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Evil:
    """Unpickling this would create ``marker``: the classic pickle attack."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


class _ToyModel(BaseModel):
    """The smallest model an mmengine runner trains."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, x, y, mode='tensor'):
        out = self.linear(x)
        if mode == 'loss':
            return dict(loss=((out - y)**2).mean())
        return out


class _ToyData(torch.utils.data.Dataset):
    """Eight fixed samples."""

    def __len__(self) -> int:
        return 8

    def __getitem__(self, index: int) -> dict:
        gen = torch.Generator().manual_seed(index)
        return dict(x=torch.randn(2, generator=gen), y=torch.ones(1))


@pytest.fixture
def load_calls(monkeypatch):
    """Record the ``weights_only`` of every ``torch.load`` call."""
    calls = []
    real_load = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get('weights_only'))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, 'load', spy)
    monkeypatch.delenv(TRUST_ENV, raising=False)
    return calls


def _runner(work_dir, **kwargs) -> Runner:
    """A tiny runner: 2 iterations per epoch, AdamW, a LR schedule."""
    return Runner(
        model=_ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=_ToyData(),
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=4,
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=0.01)),
        param_scheduler=dict(type='LinearLR', by_epoch=False, end=5),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1)),
        randomness=dict(seed=0),
        **kwargs)


def test_runner_style_checkpoint_loads(tmp_path):
    # What mmengine's runner writes: weights plus message-hub history buffers,
    # which torch >= 2.6's weights_only default refuses.
    buffer = HistoryBuffer()
    buffer.update(np.float64(0.5))
    model = torch.nn.Linear(2, 1)
    path = tmp_path / 'epoch_1.pth'
    torch.save(
        dict(state_dict=model.state_dict(),
             message_hub=dict(log_scalars={'train/loss': buffer})), path)
    loaded = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert loaded['message_hub']['log_scalars']['train/loss'].current() == 0.5
    target = torch.nn.Linear(2, 1)
    load_checkpoint(target, str(path), map_location='cpu')
    assert torch.equal(target.weight, model.weight)


def test_a_real_runner_checkpoint_loads_weights_only_and_resumes(
        tmp_path, load_calls):
    _runner(tmp_path / 'first').train()
    checkpoint = tmp_path / 'first' / 'epoch_1.pth'
    # torch alone refuses it: this is what the allowlist is for.
    with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer'):
        torch.load(checkpoint, weights_only=True)
    load_calls.clear()
    resumed = _runner(tmp_path / 'second', load_from=str(checkpoint),
                      resume=True)
    resumed.load_or_resume()
    assert resumed.iter == 2 and resumed.epoch == 1
    history = resumed.message_hub.get_scalar('train/loss')
    assert np.isfinite(history.mean())
    assert load_calls == [True]


@pytest.mark.parametrize('layout', ['state_dict', 'wrapped'])
def test_model_only_checkpoints_load_weights_only(tmp_path, load_calls,
                                                  layout):
    weights = torch.nn.Linear(2, 1).state_dict()
    content = weights if layout == 'state_dict' else dict(
        state_dict=weights,
        meta=dict(epoch=3, dataset_meta={'CLASSES': ('bird', )}))
    path = tmp_path / 'model.pth'
    torch.save(content, path)
    # Nothing beyond torch's default allowlist is needed.
    assert torch.load(path, weights_only=True).keys() == content.keys()
    loaded = load_from_local(str(path))
    assert loaded.keys() == content.keys()
    assert load_calls == [True, True]


def test_refused_objects_need_the_explicit_opt_in(tmp_path, load_calls,
                                                  monkeypatch):
    path = tmp_path / 'with_note.pth'
    torch.save(dict(state_dict={}, note=_Note('hi')), path)
    with pytest.raises(CheckpointLoadError) as info:
        load_from_local(str(path))
    message = str(info.value)
    assert str(path) in message and '_Note' in message
    assert f'{TRUST_ENV}=1' in message and 'trust_checkpoints' in message
    assert info.value.path == str(path)
    assert load_calls == [True]

    with trust_checkpoints():
        assert checkpoints_trusted()
        assert load_from_local(str(path))['note'].text == 'hi'
    assert not checkpoints_trusted()
    with pytest.raises(CheckpointLoadError):
        load_from_local(str(path))

    monkeypatch.setenv(TRUST_ENV, '1')
    assert load_from_local(str(path))['note'].text == 'hi'
    monkeypatch.setenv(TRUST_ENV, '0')
    assert not checkpoints_trusted()
    # Full unpickling only ever ran inside the two opt-ins.
    assert load_calls.count(False) == 2


def test_code_in_a_checkpoint_never_runs_untrusted(tmp_path, load_calls):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, x=_Evil(str(marker))), path)
    with pytest.raises(CheckpointLoadError, match='system'):
        load_from_local(str(path))
    assert not marker.exists()


def test_only_history_buffer_methods_pass_the_getattr_stand_in(tmp_path):
    # Protocol 2 pickles HistoryBuffer.update as getattr(HistoryBuffer, ...).
    allowed = tmp_path / 'method.pth'
    torch.save(dict(state_dict={}, f=HistoryBuffer.update), allowed)
    assert load_from_local(str(allowed))['f'] is HistoryBuffer.update
    # A dunder is the first step to __globals__ and from there anything.
    refused = tmp_path / 'dunder.pth'
    torch.save(dict(state_dict={}, f=HistoryBuffer.__init__), refused)
    with pytest.raises(CheckpointLoadError, match="'__init__'"):
        load_from_local(str(refused))


def test_object_arrays_are_refused(tmp_path):
    path = tmp_path / 'objects.pth'
    torch.save(dict(state_dict={}, a=np.array([{}], dtype=object)), path)
    with pytest.raises(CheckpointLoadError, match='refuses'):
        load_from_local(str(path))
    numeric = tmp_path / 'numeric.pth'
    torch.save(dict(state_dict={}, a=np.arange(3, dtype=np.int32)), numeric)
    np.testing.assert_array_equal(load_from_local(str(numeric))['a'],
                                  np.arange(3))


def test_the_allowlist_is_not_left_behind(tmp_path):
    buffer = HistoryBuffer()
    buffer.update(1.0)
    path = tmp_path / 'hub.pth'
    torch.save(dict(state_dict={}, hub=buffer), path)
    # torch keeps the allowlist as a set and lists it in arbitrary order, so
    # only the members are compared.
    before = set(torch.serialization.get_safe_globals())
    load_from_local(str(path))
    assert set(torch.serialization.get_safe_globals()) == before
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)


def _truncated(path, good):
    data = good.read_bytes()
    path.write_bytes(data[:len(data) // 2])


@pytest.mark.parametrize('kind, expected', [
    ('truncated', 'truncated, corrupt or not a PyTorch checkpoint'),
    ('empty', 'truncated, corrupt or not a PyTorch checkpoint'),
    ('text', 'truncated, corrupt or not a PyTorch checkpoint'),
    ('jpeg', 'truncated, corrupt or not a PyTorch checkpoint'),
    ('list', 'holds a list, not a dict of weights'),
])
def test_unreadable_files_name_the_path(tmp_path, kind, expected):
    good = tmp_path / 'good.pth'
    torch.save(dict(state_dict=torch.nn.Linear(2, 1).state_dict()), good)
    path = tmp_path / f'{kind}.pth'
    if kind == 'truncated':
        _truncated(path, good)
    elif kind == 'empty':
        path.write_bytes(b'')
    elif kind == 'text':
        path.write_text('model = dict(type="GlobalSearchTracker")\n')
    elif kind == 'jpeg':
        path.write_bytes(b'\xff\xd8\xff\xe0' + bytes(range(256)))
    else:
        torch.save([1, 2], path)
    with pytest.raises(CheckpointLoadError) as info:
        load_from_local(str(path))
    assert str(info.value).startswith(f'checkpoint {path} ')
    assert expected in str(info.value)
    # A ValueError, so that init_tracker does not read it as a misfit.
    assert isinstance(info.value, ValueError)
    assert not isinstance(info.value, RuntimeError)


def test_a_checkpoint_cut_anywhere_is_reported_as_unreadable(tmp_path):
    # Large enough (80 kB) for torch's zip reader to take its file path,
    # which fails with a bare OSError on some cuts.
    model = torch.nn.Sequential(
        *[torch.nn.Conv2d(16, 16, 3) for _ in range(8)])
    good = tmp_path / 'good.pth'
    torch.save(dict(state_dict=model.state_dict()), good)
    data = good.read_bytes()
    cut = tmp_path / 'cut.pth'
    for size in [*range(1, len(data), len(data) // 25), len(data) - 1]:
        cut.write_bytes(data[:size])
        with pytest.raises(CheckpointLoadError, match='cannot be read'):
            load_from_local(str(cut))


def test_missing_checkpoint_names_the_file(tmp_path):
    missing = tmp_path / 'nope.pth'
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        load_from_local(str(missing))


def test_local_paths_dispatch_to_our_loader_named_local():
    # mmengine logs the backend as the loader's name past 'load_from_'.
    loader = CheckpointLoader._get_checkpoint_loader('work_dirs/x/epoch_1.pth')
    assert loader is load_from_local
    assert loader.__name__[len('load_from_'):] == 'local'
