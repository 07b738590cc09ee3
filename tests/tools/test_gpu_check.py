"""tools/gpu_check.py: the real check where CUDA exists, the 'no CUDA'
report and a CPU dry run of the same steps elsewhere.

The model is shrunk by ``--cfg-options`` (tiny_configs.TINY, the shrinking
the other tool tests write into a config file) so that the CPU dry run takes
seconds.
"""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from tiny_configs import CONFIG, DLA34_CONFIG, ROOT, TINY
from torch_threads import one_thread_env

SCRIPT = osp.join(ROOT, 'tools', 'gpu_check.py')
EXIT_NO_CUDA = 77
TINY_MODEL = ['--cfg-options'] + [
    f'{key}={value}' for key, value in TINY.items()
] + ['train_dataloader.dataset.pipeline.1.transforms.2.scale=(64,64)']


def _run(args, tmp_path):
    env = one_thread_env()
    return subprocess.run([sys.executable, SCRIPT] + args,
                          cwd=str(tmp_path),
                          env=env,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE,
                          text=True,
                          timeout=600)


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='checks the report without CUDA')
def test_reports_no_cuda_and_exits_with_the_skip_code(tmp_path):
    proc = _run([CONFIG], tmp_path)
    assert proc.returncode == EXIT_NO_CUDA, proc.stderr[-3000:]
    assert 'gpu_check: no CUDA device' in proc.stderr
    assert 'nothing was checked' in proc.stderr
    # Nothing ran: no training output, nothing written.
    assert 'train iter' not in proc.stdout
    assert os.listdir(tmp_path) == []


def test_cpu_dry_run_trains_and_tracks(tmp_path):
    proc = _run([
        CONFIG, '--device', 'cpu', '--train-iters', '2', '--batch-size', '1',
        '--frames', '3', '--dtypes', 'fp32', 'bf16', '--per-frame',
        '--work-dir', str(tmp_path / 'work')
    ] + TINY_MODEL, tmp_path)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    out = proc.stdout
    assert 'train iter 1:' in out and 'train iter 2:' in out
    assert 'inference fp32: 2 frames' in out
    assert 'inference bf16: 2 frames' in out
    assert 'finite True' in out and 'gpu_check: passed' in out
    assert (tmp_path / 'work' / 'iter_2.pth').is_file()


def test_short_training_replaces_a_concatenated_train_set(load_tool):
    gpu_check = load_tool('tools/gpu_check.py')
    cfg = Config.fromfile(DLA34_CONFIG)
    assert cfg.train_dataloader.dataset.type == 'RandomSampleConcatDataset'
    short = gpu_check.short_training_config(
        cfg, '/data/train/', '/work', iters=3, batch_size=2, amp=True)
    dataset = short.train_dataloader.dataset
    # Only the LaSOT set's keys: none of the concatenation's are merged in.
    assert dict(dataset, pipeline=None) == dict(
        type='LaSOTDataset',
        data_root='/data/train/',
        ann_file='lasot_train_infos.txt',
        data_prefix=dict(img_path=''),
        pipeline=None,
        test_mode=False)
    # The first concatenated set's pipeline, untouched.
    assert dataset.pipeline == cfg.train_dataloader.dataset.datasets[0][
        'pipeline']
    assert short.train_dataloader.sampler.samples_per_epoch == 6
    assert short.train_dataloader.batch_size == 2
    assert short.optim_wrapper.type == 'AmpOptimWrapper'
    # The loaded config is left as it was.
    assert cfg.train_dataloader.dataset.type == 'RandomSampleConcatDataset'


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_amp_training_and_half_precision_inference_on_cuda(tmp_path):
    proc = _run([
        CONFIG, '--train-iters', '4', '--batch-size', '2', '--frames', '10',
        '--work-dir', str(tmp_path / 'work')
    ], tmp_path)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    out = proc.stdout
    assert 'AMP' in out and 'train iter 4:' in out
    assert 'loss scale -' not in out  # AmpOptimWrapper's scaler was used
    for dtype in ('fp32', 'fp16'):
        assert f'inference {dtype}: 9 frames' in out
    assert 'MiB' in out and 'gpu_check: passed' in out
