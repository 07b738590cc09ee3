"""TrainTimeBudgetHook: a real (toy) mmengine run stops at the first
iteration past the budget, mid-epoch too, and leaves a checkpoint of that
state named by ``last_checkpoint``. The clock is faked: every reading is 10 s
after the previous one, so each training iteration "takes" 10 s.
"""
import itertools
import os.path as osp
import re

import pytest
import torch
from mmengine.hooks import CheckpointHook
from mmengine.registry import DefaultScope
from mmtrack.registry import HOOKS

from mmtrack_smallobj.engine import AtomicCheckpointHook, TrainTimeBudgetHook
from mmtrack_smallobj.engine import train_time_budget_hook
from mmtrack_smallobj.engine.train_time_budget_hook import BudgetedLoader
from toy_runner import TOY_SAMPLES, toy_runner

ITERS_PER_EPOCH = TOY_SAMPLES  # one sample an iteration
SECONDS_PER_READING = 10.0


@pytest.fixture
def fake_clock(monkeypatch):
    """Readings 0, 10, 20, ... s: before_train reads 0, the n-th training
    iteration ends at 10 n s."""
    readings = itertools.count(0.0, SECONDS_PER_READING)
    monkeypatch.setattr(train_time_budget_hook, '_now',
                        lambda: next(readings))


def _runner(tmp_path, name, hook, checkpoint, by_epoch=True):
    train_cfg = (dict(by_epoch=True, max_epochs=3) if by_epoch else dict(
        by_epoch=False, max_iters=3 * ITERS_PER_EPOCH))
    # mmengine pauses 2 s when an iteration-based run exhausts a finite
    # sampler; an infinite one keeps the test fast.
    sampler = 'DefaultSampler' if by_epoch else 'InfiniteSampler'
    return toy_runner(
        tmp_path,
        name,
        batch_size=1,
        checkpoint=checkpoint,
        train_cfg=train_cfg,
        sampler=sampler,
        custom_hooks=[hook])


def _log(runner):
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        return f.read()


def _last_checkpoint(tmp_path):
    with open(osp.join(tmp_path, 'last_checkpoint')) as f:
        return f.read().strip()


def test_stops_mid_epoch_and_keeps_the_checkpoint_hooks_save(
        tmp_path, fake_clock, request):
    # 55 s: iteration 5 ends at 50 s, iteration 6 at 60 s, past the budget.
    hook = TrainTimeBudgetHook(budget_minutes=55 / 60)
    runner = _runner(tmp_path, request.node.name, hook,
                     CheckpointHook(interval=1))
    loader = runner.train_loop.dataloader
    runner.train()
    # Iteration 6 is the second of epoch 2; the epoch ends there and no
    # third one starts.
    assert runner.iter == 6
    assert runner.epoch == 2
    assert runner.train_loop.stop_training
    assert runner.train_loop.dataloader is loader
    assert _last_checkpoint(tmp_path) == osp.join(tmp_path, 'epoch_2.pth')
    meta = torch.load(
        osp.join(tmp_path, 'epoch_2.pth'), map_location='cpu',
        weights_only=False)['meta']
    assert (meta['epoch'], meta['iter']) == (2, 6)
    log = _log(runner)
    assert log.count('TrainTimeBudgetHook: the training budget') == 1
    assert 'stopping after iteration 6 of 12 (epoch 2 of 3, batch 2 of 4)' \
        in log
    assert 'saving the final state' not in log


@pytest.mark.parametrize('checkpoint_type',
                         [CheckpointHook, AtomicCheckpointHook])
def test_saves_the_final_state_the_checkpoint_hook_skipped(
        tmp_path, fake_clock, request, checkpoint_type):
    hook = TrainTimeBudgetHook(budget_minutes=55 / 60)
    runner = _runner(tmp_path, request.node.name, hook,
                     checkpoint_type(interval=5))
    runner.train()
    path = osp.join(tmp_path, 'epoch_2.pth')
    assert _last_checkpoint(tmp_path) == path
    ckpt = torch.load(path, map_location='cpu', weights_only=False)
    assert (ckpt['meta']['epoch'], ckpt['meta']['iter']) == (2, 6)
    for key, value in runner.model.state_dict().items():
        # The runner puts the model on the GPU where there is one.
        assert torch.equal(ckpt['state_dict'][key], value.cpu())
    assert 'saving the final state' in _log(runner)


def test_iteration_based_loop_stops_at_the_iteration(tmp_path, fake_clock,
                                                     request):
    hook = TrainTimeBudgetHook(budget_minutes=55 / 60)
    runner = _runner(
        tmp_path,
        request.node.name,
        hook,
        CheckpointHook(interval=100, by_epoch=False),
        by_epoch=False)
    runner.train()
    assert runner.iter == 6
    path = osp.join(tmp_path, 'iter_6.pth')
    assert _last_checkpoint(tmp_path) == path
    meta = torch.load(path, map_location='cpu', weights_only=False)['meta']
    assert meta['iter'] == 6


def test_run_within_budget_is_untouched(tmp_path, fake_clock, request):
    hook = TrainTimeBudgetHook(budget_minutes=10)
    runner = _runner(tmp_path, request.node.name, hook,
                     CheckpointHook(interval=1))
    runner.train()
    assert (runner.iter, runner.epoch) == (12, 3)
    assert not hook.exceeded
    assert _last_checkpoint(tmp_path) == osp.join(tmp_path, 'epoch_3.pth')
    assert 'TrainTimeBudgetHook:' not in _log(runner)


def test_budget_must_be_positive():
    for bad in (0, -1, float('nan'), float('inf'), True, '12'):
        with pytest.raises(ValueError, match='^budget_minutes must be a '
                           f'number > 0, got {re.escape(repr(bad))}$'):
            TrainTimeBudgetHook(budget_minutes=bad)


def test_built_from_a_config_in_mmtracks_registry():
    cfg = dict(type='TrainTimeBudgetHook', budget_minutes=12)
    with DefaultScope.overwrite_default_scope('mmtrack'):
        hook = HOOKS.build(cfg)
    assert isinstance(hook, TrainTimeBudgetHook)
    assert hook.budget_minutes == 12.0
    assert cfg == dict(type='TrainTimeBudgetHook', budget_minutes=12)


def test_budgeted_loader_is_the_loader_until_the_budget_is_spent():
    hook = TrainTimeBudgetHook(budget_minutes=1)
    loader = [1, 2, 3, 4]
    view = BudgetedLoader(loader, hook)
    assert len(view) == 4
    assert view.index(3) == 2  # other attributes are the loader's
    seen = []
    for batch in view:
        seen.append(batch)
        if batch == 2:
            hook.exceeded = True
    assert seen == [1, 2]
