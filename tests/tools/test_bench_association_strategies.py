"""tools/benchmarks/bench_association_strategies.py, its pure parts: the
data defaults and the training options; no training runs here."""
import importlib.util
import os.path as osp

import pytest

from mmtrack_smallobj.datasets.synthetic.config import make_scene_config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(ROOT, 'tools', 'benchmarks',
                  'bench_association_strategies.py')


@pytest.fixture(scope='module')
def bench():
    spec = importlib.util.spec_from_file_location(
        'bench_association_strategies', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_absence_rates_default_to_the_generators(bench):
    args = bench.parse_args([])
    config = make_scene_config()
    assert args.out_of_view_rate == config.out_of_view_rate
    assert args.occlusion_rate == config.occlusion_rate
    # Session 5's rates stay reachable from the command line.
    args = bench.parse_args(['--out-of-view-rate', '2', '--occlusion-rate',
                             '2'])
    assert (args.out_of_view_rate, args.occlusion_rate) == (2.0, 2.0)


def test_train_options_default_run(bench):
    args = bench.parse_args(['--seed', '3'])
    options = bench.train_options(args, '/d/train', '/d/test', 12)
    assert 'train_dataloader.dataset.data_root=/d/train/' in options
    assert 'test_dataloader.dataset.data_root=/d/test/' in options
    assert 'model.reid_head.num_ids=12' in options
    assert 'randomness.seed=3' in options
    assert not any(option.startswith(('load_from=', 'train_cfg.'))
                   for option in options)


def test_train_options_load_from_and_overrides_come_last(bench, tmp_path,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = bench.parse_args([
        '--epochs', '4', '--load-from', 'sot/epoch_8.pth', '--cfg-options',
        'optim_wrapper.optimizer.lr=1e-3', 'train_cfg.max_epochs=6'
    ])
    options = bench.train_options(args, '/d/train', '/d/test', 12)
    # A relative checkpoint path is made absolute: training runs from the
    # repository root, not from where the benchmark was started.
    assert f"load_from={tmp_path / 'sot' / 'epoch_8.pth'}" in options
    assert options[-2:] == [
        'optim_wrapper.optimizer.lr=1e-3', 'train_cfg.max_epochs=6'
    ]
    # mmengine's DictAction keeps the last value of a repeated key.
    assert options.index('train_cfg.max_epochs=4') < options.index(
        'train_cfg.max_epochs=6')
    # The cosine schedule follows the new count, as session 7 set by hand.
    assert 'param_scheduler.1.T_max=4' in options
    assert 'param_scheduler.1.end=4' in options
