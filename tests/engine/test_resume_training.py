"""A run killed with SIGKILL mid-epoch and restarted with ``--resume``
continues from its last checkpoint and logs the same losses as a run that
was never interrupted.

The CPU default, shrunk: 3 iterations per epoch, 3 epochs, a checkpoint per
epoch (``max_keep_ckpts=1``), every iteration logged. Run A trains the 9
iterations without interruption. Run B is SIGKILLed after iteration 5, in
the middle of epoch 2 and after the epoch-1 checkpoint (iteration 3), then
restarted with ``--resume``: it must load ``epoch_1.pth`` and log iterations
4 to 9 with the losses of run A.

Before EpochReseedHook this failed from iteration 4 on: mmengine restores
weights, optimizer, schedulers and the sampler's epoch, but not the global
random state that the augmentations draw from (see
mmtrack_smallobj/engine/epoch_seed_hook.py).
"""
import subprocess

import pytest
from tiny_training import (CPU_DEFAULT, TRAIN_SCRIPT, make_tiny_lasot,
                           read_losses, subprocess_env, tiny_options,
                           write_probe_config)

ITERS_PER_EPOCH = 3
EPOCHS = 3
KILL_AFTER = 5  # iteration 2 of epoch 2
TOLERANCE = 1e-6


def _train(config, work_dir, options, resume=False):
    cmd = [subprocess_env()['PYTHON'], TRAIN_SCRIPT, config, '--work-dir',
           str(work_dir)] + (['--resume'] if resume else [])
    return subprocess.Popen(
        cmd + ['--cfg-options'] + options,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True)


def _finish(proc):
    out, _ = proc.communicate(timeout=600)
    return proc.returncode, out


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    """Run A uninterrupted and run B killed then resumed; A and the first
    part of B run side by side."""
    tmp = tmp_path_factory.mktemp('resume')
    data_root = make_tiny_lasot(str(tmp / 'data'), videos=4)
    options = tiny_options(
        data_root,
        samples_per_epoch=2 * ITERS_PER_EPOCH,
        batch_size=2,
        max_epochs=EPOCHS)
    killed = write_probe_config(
        str(tmp / 'killed_at_5.py'),
        [dict(type='KillAtIterHook', kill_iter=KILL_AFTER)])
    work_a, work_b = tmp / 'a', tmp / 'b'
    run_a = _train(CPU_DEFAULT, work_a, options)
    run_b = _train(killed, work_b, options)
    code_a, out_a = _finish(run_a)
    code_b, out_b = _finish(run_b)
    assert code_a == 0, out_a[-4000:]
    # -9: the hook's SIGKILL, not a crash.
    assert code_b == -9, out_b[-4000:]
    assert (work_b / 'epoch_1.pth').is_file()
    code, out_resumed = _finish(_train(CPU_DEFAULT, work_b, options, True))
    assert code == 0, out_resumed[-4000:]
    return work_a, work_b, out_resumed


def test_resume_starts_from_the_last_checkpoint(runs):
    _, work_b, out = runs
    assert ('Auto resumed from the latest checkpoint '
            f'{work_b / "epoch_1.pth"}') in out
    assert f'resumed epoch: 1, iter: {ITERS_PER_EPOCH}' in out
    killed, resumed = read_losses(str(work_b))
    # The killed run logged up to iteration 4 (5 was killed before its log
    # line); the resumed run redoes 4 and goes on.
    assert sorted(killed) == list(range(1, KILL_AFTER))
    assert sorted(resumed) == list(
        range(ITERS_PER_EPOCH + 1, ITERS_PER_EPOCH * EPOCHS + 1))


def test_resumed_losses_equal_the_uninterrupted_run(runs):
    work_a, work_b, _ = runs
    (uninterrupted, ) = read_losses(str(work_a))
    killed, resumed = read_losses(str(work_b))
    assert sorted(uninterrupted) == list(
        range(1, ITERS_PER_EPOCH * EPOCHS + 1))
    # Same seed, same start: the killed run matched A before the kill.
    for step, losses in killed.items():
        assert losses == uninterrupted[step], step
    worst = 0.0
    for step, losses in resumed.items():
        assert losses.keys() == uninterrupted[step].keys()
        for name, value in losses.items():
            worst = max(worst, abs(value - uninterrupted[step][name]))
            assert value == pytest.approx(
                uninterrupted[step][name], rel=TOLERANCE, abs=TOLERANCE), (
                    f'iteration {step}, {name}: resumed {value} != '
                    f'uninterrupted {uninterrupted[step][name]}')
    print(f'largest |resumed - uninterrupted| loss difference: {worst:g}')


def test_resumed_run_keeps_one_valid_checkpoint(runs):
    work_a, work_b, _ = runs
    for work in (work_a, work_b):
        assert sorted(p.name for p in work.glob('*.pth')) == [
            f'epoch_{EPOCHS}.pth'
        ]
        assert (work / 'last_checkpoint').read_text() == str(
            work / f'epoch_{EPOCHS}.pth')
