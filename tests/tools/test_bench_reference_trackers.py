"""tools/benchmarks/bench_reference_trackers.py, its pure parts: row
selection, the small-object point accuracy, the table, the training options,
the records; no training runs here (the tiny end-to-end run is in the
benchmark's report)."""
import importlib.util
import json
import os.path as osp

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BENCHMARKS = osp.join(ROOT, 'tools', 'benchmarks')


@pytest.fixture(scope='module')
def bench():
    # The script imports its sibling _bench_common (and that bench_learning)
    # by name, as Python allows a script run from its folder.
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(BENCHMARKS)
        spec = importlib.util.spec_from_file_location(
            'bench_reference_trackers',
            osp.join(BENCHMARKS, 'bench_reference_trackers.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module


def _metrics(bins):
    """eval_results-like JSON with the default size edges; ``bins`` gives
    (point_accuracy, num_frames) of the first bins, the rest are empty."""
    labels = ['<8', '8-16', '16-32', '32-64', '64-128', '>=128']
    by_size = {label: dict(point_accuracy=None, num_frames=0)
               for label in labels}
    for label, (acc, frames) in zip(labels, bins):
        by_size[label] = dict(point_accuracy=acc, num_frames=frames)
    return dict(size_edges=[8.0, 16.0, 32.0, 64.0, 128.0], by_size=by_size,
                success=40.0, precision=50.0, point_accuracy=60.0,
                lt_fscore=30.0, num_frames=140)


def test_rows_cover_the_issue_in_table_order(bench):
    keys = [row.key for row in bench.select_rows(None)]
    assert keys == ['siamrpn', 'siamrpn_fl', 'siamrpn_sl', 'dasiamrpn',
                    'siamrcnn', 'siamrcnn_motion', 'ours']
    assert all(osp.isfile(row.config) for row in bench.ROWS)
    assert osp.isfile(bench.MOTION_CONFIG)
    assert [row.key for row in bench.select_rows(['ours', 'siamrpn'])] == [
        'siamrpn', 'ours'
    ]
    with pytest.raises(ValueError, match='unknown rows'):
        bench.select_rows(['siamfc'])


def test_only_accepts_row_keys(bench, capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(['--only', 'siamfc'])
    assert 'invalid choice' in capsys.readouterr().err


def test_data_defaults_are_bench_learnings(bench):
    import bench_learning
    args = bench.parse_args([])
    learning = bench_learning.parse_args([])
    for key in ('seed', 'train_videos', 'train_frames', 'test_videos',
                'test_frames', 'generator_args'):
        assert getattr(args, key) == getattr(learning, key)
    assert args.budget_minutes == 12.0
    with pytest.raises(SystemExit):
        bench.parse_args(['--budget-minutes', '0'])


def test_small_object_point_accuracy_pools_bins_by_frames(bench):
    # 20% of 10 frames and 60% of 30: 20 hits of 40 frames.
    metrics = _metrics([(20.0, 10), (60.0, 30), (90.0, 100)])
    assert bench.small_object_point_accuracy(metrics) == pytest.approx(50.0)
    assert bench.small_object_point_accuracy(
        metrics, edge=8) == pytest.approx(20.0)
    # an empty bin does not count
    metrics = _metrics([(None, 0), (60.0, 30), (90.0, 100)])
    assert bench.small_object_point_accuracy(metrics) == pytest.approx(60.0)
    assert bench.small_object_point_accuracy(
        _metrics([(None, 0), (None, 0), (90.0, 100)])) is None
    with pytest.raises(ValueError, match='not a size-bin edge'):
        bench.small_object_point_accuracy(metrics, edge=20)


def _tested():
    return dict(metrics=_metrics([(20.0, 10), (60.0, 30)]), seconds=30.0,
                time=0.05, data_time=0.01)


def _training(seconds, stopped):
    return dict(seconds=seconds, stopped_by_budget=stopped, config='c.py',
                checkpoint='c.pth')


def test_record_sums_the_motion_rows_trainings(bench):
    row = next(r for r in bench.ROWS if r.key == 'siamrcnn_motion')
    record = bench.make_record(
        row, dict(siamrcnn=_training(600.0, True),
                  motion=_training(300.0, False)), _tested(), dict(x=1))
    assert record['train_seconds'] == 900.0
    assert record['trainings']['siamrcnn']['seconds'] == 600.0
    assert record['trainings']['motion']['seconds'] == 300.0
    assert record['stopped_by_budget']
    assert record['point_accuracy_small'] == pytest.approx(50.0)
    assert record['fps'] == pytest.approx(20.0)
    assert json.loads(json.dumps(record)) == record


def test_table_has_one_line_per_record(bench):
    rows = {row.key: row for row in bench.ROWS}
    records = [
        bench.make_record(rows['siamrpn'],
                          dict(model=_training(720.0, True)), _tested(), {}),
        bench.make_record(rows['ours'], dict(model=_training(90.0, False)),
                          dict(_tested(), time=None), {}),
    ]
    records[1]['lt_fscore'] = None
    lines = bench.format_table(records).splitlines()
    assert lines[0] == ('| tracker | train min | success | precision | '
                        'point acc | point acc <16 px | LT-F | CPU fps |')
    assert lines[2] == ('| SiamRPN++ (BCE) | 12.0 (budget) | 40.00 | 50.00 '
                        '| 60.00 | 50.0 | 30.00 | 20.0 |')
    assert lines[3] == ('| ours (global search) | 1.5 | 40.00 | 50.00 | '
                        '60.00 | 50.0 | - | - |')
    assert len(lines) == 4


def test_training_options_add_budget_seed_and_data(bench, tmp_path):
    args = bench.parse_args([
        '--work-dir', str(tmp_path), '--budget-minutes', '0.5', '--epochs',
        '1', '--samples-per-epoch', '16'
    ])
    runner = bench.Bench(args, '/data/train', '/data/test')
    config = bench._config(
        'global_search', 'global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py')
    options = runner.train_options(config)
    assert 'train_dataloader.dataset.data_root=/data/train/' in options
    assert 'val_dataloader.dataset.data_root=/data/test/' in options
    assert 'default_hooks.time_budget.type=TrainTimeBudgetHook' in options
    assert 'default_hooks.time_budget.budget_minutes=0.5' in options
    assert 'randomness.seed=1' in options
    # The cosine schedule and the switched-off validation follow --epochs.
    assert 'train_cfg.max_epochs=1' in options
    assert 'train_cfg.val_begin=2' in options
    assert 'param_scheduler.1.T_max=1' in options
    assert 'train_dataloader.sampler.samples_per_epoch=16' in options
    assert not any('distractor' in o for o in options)
    assert ('train_dataloader.dataset.pipeline.0.distractor_datasets.0.'
            'data_root=/data/train/') in runner.train_options(
                config, distractors=True)


def test_test_times_come_from_mmengines_json_log(bench, tmp_path):
    import _bench_common
    assert _bench_common.read_test_times(str(tmp_path)) == dict(
        time=None, data_time=None)
    run = tmp_path / '20260101_000000'
    run.mkdir()
    (run / '20260101_000000.json').write_text(
        json.dumps({'sot/success': 1.0, 'data_time': 0.01, 'time': 0.04}) +
        '\n')
    assert _bench_common.read_test_times(str(tmp_path)) == dict(
        time=0.04, data_time=0.01)


def test_data_made_with_other_options_is_refused(bench, tmp_path):
    import _bench_common
    options = _bench_common.learning_data_defaults()
    (tmp_path / _bench_common.DATA_RECORD).write_text(
        json.dumps(dict(options, train_videos=3)))
    with pytest.raises(SystemExit, match='holds data made with'):
        _bench_common.prepare_data(str(tmp_path), options,
                                   str(tmp_path / 'logs'))
