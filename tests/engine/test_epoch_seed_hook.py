"""EpochReseedHook: an epoch's random draws depend on (seed, epoch) only.

The end-to-end consequence (resumed losses equal uninterrupted ones) is
tests/engine/test_resume_training.py; these are the unit-level facts.
"""
import logging
import random
from types import SimpleNamespace

import numpy as np
import torch

from mmtrack_smallobj.engine import EpochReseedHook
from mmtrack_smallobj.engine.epoch_seed_hook import epoch_seed


def _runner(epoch, seed=1, num_workers=0, persistent_workers=False):
    records = []
    logger = SimpleNamespace(log=lambda level, msg: records.append(
        (level, msg)))
    runner = SimpleNamespace(
        seed=seed,
        epoch=epoch,
        cfg=dict(randomness=dict(seed=seed)),
        train_dataloader=SimpleNamespace(
            num_workers=num_workers, persistent_workers=persistent_workers),
        logger=logger)
    return runner, records


def _draws():
    return (random.random(), float(np.random.rand()),
            float(torch.rand(1)))


def test_epoch_seed_is_a_mixed_function_of_seed_epoch_and_rank():
    seeds = {epoch_seed(s, e, r) for s in (0, 1) for e in (0, 1, 2)
             for r in (0, 1)}
    assert len(seeds) == 12
    assert epoch_seed(1, 2) == epoch_seed(1, 2)
    assert all(0 <= s < 2**32 for s in seeds)
    assert epoch_seed(-1, 0) != epoch_seed(1, 0)


def test_epoch_draws_do_not_depend_on_what_ran_before():
    hook = EpochReseedHook()
    runner, _ = _runner(epoch=3)
    hook.before_train_epoch(runner)
    fresh = _draws()
    # An uninterrupted run reaches epoch 3 with its generators advanced by
    # epochs 0-2; a resumed one starts it right after seeding.
    for _ in range(100):
        _draws()
    hook.before_train_epoch(runner)
    assert _draws() == fresh
    hook.before_train_epoch(_runner(epoch=4)[0])
    assert _draws() != fresh


def test_warns_about_persistent_workers_only():
    hook = EpochReseedHook()
    for workers, persistent, warned in ((2, True, True), (2, False, False),
                                        (0, True, False)):
        runner, records = _runner(0, num_workers=workers,
                                  persistent_workers=persistent)
        hook.before_train(runner)
        assert bool(records) == warned
        if warned:
            level, message = records[0]
            assert level == logging.WARNING
            assert 'persistent_workers=False' in message
