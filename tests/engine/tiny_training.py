"""Shared by the distributed and resume tests (not a test module): tiny
LaSOT-layout data, the CPU default config shrunk by ``--cfg-options`` (as in
tests/test_mim_workflow.py), a config that adds the probe hooks, and readers
for what the runs leave in their work_dir.
"""
import json
import os
import os.path as osp
import socket
import sys
from typing import Dict, List, Sequence

from tiny_configs import CONFIG as CPU_DEFAULT
from tiny_configs import ROOT as REPO_ROOT
from torch_threads import one_thread_env

from mmtrack_smallobj.datasets.synthetic import generate_dataset

HERE = osp.dirname(osp.abspath(__file__))
TRAIN_SCRIPT = osp.join(REPO_ROOT, 'tools', 'train.py')
DIST_TRAIN_SCRIPT = osp.join(REPO_ROOT, 'tools', 'dist_train.sh')
LOSS_PREFIX = 'loss'


def make_tiny_lasot(out: str, videos: int, seed: int = 0) -> str:
    """Write a LaSOT-layout train set of 64x64, 6-frame videos.

    Args:
        out (str): New folder.
        videos (int): Number of videos (the dataset length).
        seed (int): Generator seed. Defaults to 0.

    Returns:
        str: ``out`` with a trailing separator, as ``data_root`` wants it.
    """
    generate_dataset(
        out,
        fmt='lasot',
        num_videos=videos,
        num_frames=6,
        seed=seed,
        frame_size=(64, 64),
        size_range=(4.0, 20.0),
        split='train',
        progress=False)
    return out.rstrip(os.sep) + os.sep


def tiny_options(data_root: str,
                 samples_per_epoch: int,
                 batch_size: int,
                 max_epochs: int,
                 num_workers: int = 0,
                 dataset_key: str = 'train_dataloader.dataset') -> List[str]:
    """``--cfg-options`` that shrink the CPU default to seconds per epoch.

    Frames are resized to about 64 px instead of 320x240, validation is
    off, and every iteration is logged (a logging window of one iteration
    makes each logged loss that iteration's own).

    Args:
        data_root (str): Folder from :func:`make_tiny_lasot`.
        samples_per_epoch (int): Training pairs per epoch, all ranks.
        batch_size (int): Pairs per iteration and rank.
        max_epochs (int): Epochs.
        num_workers (int): Dataloader workers. Defaults to 0.
        dataset_key (str): Where the LaSOT dataset config is; deeper when
            a wrapper holds it. Defaults to 'train_dataloader.dataset'.

    Returns:
        list[str]: ``key=value`` strings.
    """
    return [
        f'{dataset_key}.data_root={data_root}',
        f'train_dataloader.num_workers={num_workers}',
        'train_dataloader.persistent_workers=False',
        f'train_dataloader.batch_size={batch_size}',
        f'train_dataloader.sampler.samples_per_epoch={samples_per_epoch}',
        f'{dataset_key}.pipeline.1.transforms.2.scale=(64,64)',
        f'train_cfg.max_epochs={max_epochs}',
        'default_hooks.logger.interval=1',
        'val_cfg=None',
        'val_dataloader=None',
        'val_evaluator=None',
    ]


def write_probe_config(path: str,
                       hooks: Sequence[dict],
                       body: str = '') -> str:
    """Write a config that is the CPU default plus ``hooks`` from
    training_probes.py (custom imports are read when a config file is
    loaded, so they cannot come through ``--cfg-options``).

    Args:
        path (str): The config file to write.
        hooks (Sequence[dict]): ``custom_hooks`` entries.
        body (str): More config text, appended. Defaults to ''.

    Returns:
        str: ``path``.
    """
    with open(path, 'w', encoding='utf-8') as f:
        f.write(f'_base_ = [{CPU_DEFAULT!r}]\n'
                'custom_imports = dict(\n'
                "    imports=['mmtrack_smallobj', 'training_probes'],\n"
                '    allow_failed_imports=False)\n'
                f'custom_hooks = {list(hooks)!r}\n' + body)
    return path


def subprocess_env(**extra: str) -> Dict[str, str]:
    """Environment for training subprocesses: one thread each (tiny models
    on a shared 2-core machine run faster without thread hand-offs), this
    folder importable for training_probes, and no GPU: the tests check the
    CPU launch path (gloo, one process per CPU rank) and CPU bit-exactness,
    which a GPU machine would otherwise replace with nccl on one device and
    cuDNN's kernels.
    """
    env = one_thread_env(PYTHON=sys.executable, CUDA_VISIBLE_DEVICES='')
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (HERE, env.get('PYTHONPATH', '')) if p)
    env.update(extra)
    return env


def free_port() -> int:
    """A TCP port that is free now, for torchrun's rendezvous."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def read_losses(work_dir: str) -> List[Dict[int, Dict[str, float]]]:
    """The logged losses of every run in ``work_dir``, oldest run first.

    Each start of ``tools/train.py``, resumed or not, logs to its own
    timestamped folder with a ``vis_data/scalars.json``.

    Args:
        work_dir (str): The training work_dir.

    Returns:
        list[dict[int, dict[str, float]]]: Per run, ``{iteration: {loss
        name: value}}``.
    """
    runs = sorted(
        d for d in os.listdir(work_dir)
        if osp.isfile(osp.join(work_dir, d, 'vis_data', 'scalars.json')))
    result = []
    for run in runs:
        losses: Dict[int, Dict[str, float]] = {}
        path = osp.join(work_dir, run, 'vis_data', 'scalars.json')
        with open(path, encoding='utf-8') as f:
            for line in f:
                record = json.loads(line)
                values = {
                    k: v
                    for k, v in record.items() if k.startswith(LOSS_PREFIX)
                }
                if values:
                    losses[int(record['iter'])] = values
        result.append(losses)
    return result
