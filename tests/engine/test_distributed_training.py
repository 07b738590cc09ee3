"""Two-process data-parallel training of the CPU default, as users launch it.

The training pairs come from the size-rebalancing wrapper
(``SizeRebalanceDataset`` around the default's LaSOT set), sampled by
mmtrack's rank-aware ``QuotaSampler``. ``bash tools/dist_train.sh CONFIG
2`` starts two processes with torchrun; each runs our tools/train.py with
``--launcher pytorch``, which on this CPU-only machine creates the gloo
process group itself (mmengine's ``init_dist`` needs CUDA). A probe hook saves, per rank, the sampled indices,
the number of checkpoints the rank wrote and the parameters before and
after training. The test then checks that both ranks trained on disjoint
halves of the epoch, that DDP synchronised their gradients (bit-identical
parameters that moved from their initial values, although each rank saw
different data), and that only rank 0 wrote the one checkpoint.
"""
import os
import subprocess
import time

import pytest
import torch
from tiny_training import (CPU_DEFAULT, DIST_TRAIN_SCRIPT, free_port,
                           make_tiny_lasot, subprocess_env, tiny_options,
                           write_probe_config)

from mmtrack_smallobj.utils.distributed import (_user_cfg_keys,
                                                cpu_distributed_argv,
                                                launcher_of)

# 8 indices and 8 samples per epoch: QuotaSampler draws a permutation
# without repeats, so the ranks' halves must be disjoint and cover them all.
VIDEOS = 4
SAMPLES_PER_EPOCH = 8
NPROC = 2
# The default's LaSOT dataset inside the wrapper, with 8 distinct pairs.
SIZE_REBALANCE = f"""
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='SizeRebalanceDataset',
        dataset={{{{_base_.train_dataloader.dataset}}}},
        num_samples={SAMPLES_PER_EPOCH}))
"""


@pytest.fixture(scope='module')
def ddp_run(tmp_path_factory):
    """Train one epoch (2 iterations per rank) with 2 gloo processes."""
    tmp = tmp_path_factory.mktemp('ddp')
    data_root = make_tiny_lasot(str(tmp / 'data'), VIDEOS)
    config = write_probe_config(
        str(tmp / 'ddp_probe.py'), [dict(type='RankProbeHook')],
        SIZE_REBALANCE)
    work_dir = tmp / 'work'
    cmd = ['bash', DIST_TRAIN_SCRIPT, config, str(NPROC), '--work-dir',
           str(work_dir), '--cfg-options'] + tiny_options(
               data_root,
               SAMPLES_PER_EPOCH,
               batch_size=2,
               max_epochs=1,
               dataset_key='train_dataloader.dataset.dataset')
    start = time.monotonic()
    proc = subprocess.run(
        cmd,
        cwd=str(tmp),
        env=subprocess_env(PORT=str(free_port())),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600)
    seconds = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout[-6000:]
    probes = {}
    for rank in range(NPROC):
        path = work_dir / f'probe_rank{rank}.pt'
        assert path.is_file(), f'rank {rank} left no probe\n' + proc.stdout[
            -3000:]
        probes[rank] = torch.load(str(path), weights_only=False)
    print(f'2-process gloo training: {seconds:.1f} s wall')
    return work_dir, probes, proc.stdout


def test_both_ranks_trained_on_disjoint_halves(ddp_run):
    _, probes, _ = ddp_run
    assert {p['rank'] for p in probes.values()} == {0, 1}
    assert {p['world_size'] for p in probes.values()} == {NPROC}
    assert probes[0]['pid'] != probes[1]['pid']
    assert {p['dataset'] for p in probes.values()} == {'SizeRebalanceDataset'}
    # One epoch: QuotaSampler split the permutation between the ranks.
    (rank0, ), (rank1, ) = probes[0]['indices'], probes[1]['indices']
    assert len(rank0) == len(rank1) == SAMPLES_PER_EPOCH // NPROC
    assert not set(rank0) & set(rank1)
    assert set(rank0) | set(rank1) == set(range(SAMPLES_PER_EPOCH))


def test_gradients_were_synchronised(ddp_run):
    _, probes, _ = ddp_run
    final0, final1 = probes[0]['final'], probes[1]['final']
    assert final0.keys() == final1.keys() and final0
    # Different data on each rank: without the gradient all-reduce the
    # parameters would drift apart after the first step.
    unequal = [k for k in final0 if not torch.equal(final0[k], final1[k])]
    assert not unequal, f'parameters differ across ranks: {unequal[:5]}'
    moved = [
        k for k in final0 if not torch.equal(final0[k], probes[0]['initial']
                                             [k])
    ]
    assert len(moved) > len(final0) // 2, 'training did not update the model'


def test_checkpoint_written_once_by_rank_zero(ddp_run):
    work_dir, probes, _ = ddp_run
    assert probes[0]['saves'] == 1
    assert probes[1]['saves'] == 0
    assert sorted(p for p in os.listdir(work_dir)
                  if p.endswith('.pth')) == ['epoch_1.pth']
    # No temporaries of the atomic save left behind.
    assert not [p for p in os.listdir(work_dir) if p.endswith('.tmp')]
    last = (work_dir / 'last_checkpoint').read_text().strip()
    assert last == str(work_dir / 'epoch_1.pth')
    state = torch.load(last, map_location='cpu', weights_only=False)
    for name, value in probes[0]['final'].items():
        assert torch.equal(state['state_dict'][name], value), name


def test_cpu_distributed_argv_leaves_single_process_runs_alone():
    argv = [CPU_DEFAULT, '--work-dir', 'w', '--cfg-options', 'a=1']
    assert cpu_distributed_argv(argv) == argv
    assert launcher_of(argv) == 'none'
    assert launcher_of(argv + ['--launcher=pytorch']) == 'pytorch'
    assert launcher_of(['c.py', '--launcher', 'slurm']) == 'slurm'


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='checks the CPU-only launch path')
def test_cpu_distributed_argv_rejects_launchers_it_cannot_start(monkeypatch):
    for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit, match='needs CUDA'):
        cpu_distributed_argv([CPU_DEFAULT, '--launcher', 'slurm'])
    with pytest.raises(SystemExit, match='RANK, WORLD_SIZE'):
        cpu_distributed_argv([CPU_DEFAULT, '--launcher', 'pytorch'])


def test_user_cfg_options_are_found():
    argv = ['c.py', '--cfg-options', 'model_wrapper_cfg.device_ids=[0]',
            'x.y=2', '--resume', 'z=3']
    # 'z=3' follows --resume, so it is not a cfg option.
    assert _user_cfg_keys(argv) == ['model_wrapper_cfg.device_ids', 'x.y']

