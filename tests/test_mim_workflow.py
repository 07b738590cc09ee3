"""`mim train mmtrack` and `mim test mmtrack --checkpoint` run one of our configs.

One tiny end-to-end pass (a few training pairs, a 3-frame test video) through the
same commands `make demo` and users type: mim finds mmtrack's tools, our plugin is
imported by `custom_imports`, a checkpoint is written, and testing that checkpoint
through `mim test` (whose positional checkpoint mmtrack's test.py rejects on its own)
writes one result file per video.
"""
import os.path as osp
import subprocess
import sys

import pytest
from tiny_configs import CONFIG as GLOBAL_SEARCH_CONFIG
from tiny_configs import ROOT as REPO_ROOT
from tiny_configs import SIAMRPN_CONFIG as CONFIG
from torch_threads import one_thread_env

MIM = osp.join(osp.dirname(sys.executable), 'mim')
TINY_LOADER = [
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'train_dataloader.batch_size=2',
    'train_dataloader.sampler.samples_per_epoch=4',
    'train_cfg.max_epochs=1',
]


def _run(cmd, cwd):
    env = one_thread_env()
    proc = subprocess.run(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env=env)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return proc.stdout


def _make_lasot(out, split, videos, frames, seed):
    _run([
        sys.executable, osp.join(REPO_ROOT, 'tools', 'make_synthetic.py'),
        str(out), '--format', 'lasot', '--split', split, '--videos',
        str(videos), '--frames', str(frames), '--seed', str(seed),
        '--frame-size', '128x128', '--size-range', '4,40', '--no-progress'
    ], REPO_ROOT)


@pytest.mark.skipif(not osp.isfile(MIM), reason='openmim is not installed')
@pytest.mark.parametrize('config', [CONFIG, GLOBAL_SEARCH_CONFIG],
                         ids=['siamese-rpn', 'global-search'])
def test_mim_train_then_mim_test_with_checkpoint(tmp_path, config):
    train_data = tmp_path / 'train'
    test_data = tmp_path / 'test'
    _make_lasot(train_data, 'train', videos=2, frames=6, seed=0)
    _make_lasot(test_data, 'test', videos=1, frames=3, seed=1)
    work = tmp_path / 'work'

    out = _run([MIM, 'train', 'mmtrack', config, '--work-dir',
                str(work), '--cfg-options',
                f'train_dataloader.dataset.data_root={train_data}/',
                f'val_dataloader.dataset.data_root={test_data}/'] +
               TINY_LOADER, cwd=str(tmp_path))
    # mim resolved mmtrack's own train script.
    assert 'mmtrack/.mim/tools/train.py' in out
    checkpoint = work / 'epoch_1.pth'
    assert checkpoint.is_file()

    results = tmp_path / 'results'
    out = _run([
        MIM, 'test', 'mmtrack', config, '--checkpoint', str(checkpoint),
        '--work-dir', str(tmp_path / 'test_work'), '--cfg-options',
        f'test_dataloader.dataset.data_root={test_data}/',
        f'test_evaluator.outfile_prefix={results}'
    ], cwd=str(tmp_path))
    assert f'Load checkpoint from {checkpoint}' in out
    # The metric read the generator's cover.label: visibility bins.
    assert 'visible (%)' in out and 'sot/visible_' in out
    boxes = [
        p for p in results.glob('*.txt')
        if not p.name.endswith('_confidence.txt')
    ]
    assert len(boxes) == 1, boxes
    confidence = results / f'{boxes[0].stem}_confidence.txt'
    for path in (boxes[0], confidence):
        lines = path.read_text().strip().splitlines()
        assert len(lines) == 3, path


def test_tools_test_takes_positional_checkpoint(tmp_path):
    # The same fix without mim: our tools/test.py hands a positional checkpoint
    # to mmtrack's script as --checkpoint, so a missing file is reported by
    # name (instead of argparse rejecting the argument).
    test_data = tmp_path / 'test'
    _make_lasot(test_data, 'test', videos=1, frames=3, seed=1)
    missing = tmp_path / 'missing.pth'
    proc = subprocess.run([
        sys.executable, osp.join(REPO_ROOT, 'tools', 'test.py'), CONFIG,
        str(missing), '--work-dir', str(tmp_path / 'w'), '--cfg-options',
        f'test_dataloader.dataset.data_root={test_data}/'
    ], cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    assert proc.returncode != 0
    assert 'unrecognized arguments' not in proc.stdout
    assert f'checkpoint {missing} can not be found' in proc.stdout
