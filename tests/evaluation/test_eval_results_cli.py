"""tools/eval_results.py on tiny LaSOT and GOT-10k layouts written here."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def cli():
    """The CLI module, loaded from its file (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        'eval_results', osp.join(ROOT, 'tools', 'eval_results.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _boxes(n, seed):
    rng = np.random.default_rng(seed)
    wh = rng.uniform(4, 60, (n, 2))
    gt = np.concatenate([rng.uniform(0, 200, (n, 2)), wh], axis=1).round(2)
    pred = (gt + rng.normal(0, 2, gt.shape)).round(2)
    pred[:, 2:] = np.abs(pred[:, 2:]) + 1
    return gt, pred


def _write_rows(path, rows, sep=','):
    with open(path, 'w') as f:
        for r in rows:
            f.write(sep.join(f'{v:g}' for v in r) + '\n')


def make_lasot(tmp_path, n=12):
    root, res = tmp_path / 'lasot', tmp_path / 'res_lasot'
    res.mkdir()
    for k, cls in enumerate(['airplane', 'bird']):
        vdir = root / cls / f'{cls}-{k + 1}'
        (vdir / 'img').mkdir(parents=True)
        gt, pred = _boxes(n, k)
        gt[3] = 0  # absent frame
        _write_rows(vdir / 'groundtruth.txt', gt)
        occ = np.zeros(n, int)
        occ[3] = 1
        (vdir / 'full_occlusion.txt').write_text(','.join(map(str, occ)))
        (vdir / 'out_of_view.txt').write_text(','.join(['0'] * n))
        # tab-separated like some trackers write
        _write_rows(res / f'{cls}-{k + 1}.txt', pred, sep='\t')
        (res / f'{cls}-{k + 1}_confidence.txt').write_text('\n'.join(
            ['0.9'] * 3 + ['0.1'] + ['0.8'] * (n - 4)) + '\n')
    return root, res


def make_got10k(tmp_path, n=10):
    root, res = tmp_path / 'got10k', tmp_path / 'res_got10k'
    res.mkdir()
    names = [f'GOT-10k_Test_{i:06d}' for i in (1, 2)]
    for k, name in enumerate(names):
        vdir = root / name
        vdir.mkdir(parents=True)
        gt, pred = _boxes(n, 10 + k)
        _write_rows(vdir / 'groundtruth.txt', gt)
        (vdir / 'absence.label').write_text('0\n' * n)
        (vdir / 'cover.label').write_text('8\n' * (n - 1) + '0\n')
        (vdir / 'meta_info.ini').write_text('resolution: (320, 240)\n')
        _write_rows(res / f'{name}.txt', pred)
    (root / 'list.txt').write_text('\n'.join(names) + '\n')
    return root, res


@pytest.mark.parametrize('fmt, convention', [('lasot', 'lasot'),
                                             ('lasot', 'mmtrack'),
                                             ('got10k', 'got10k')])
def test_cli_writes_table_json_and_plots(cli, tmp_path, capsys, fmt,
                                         convention):
    root, res = (make_lasot if fmt == 'lasot' else make_got10k)(tmp_path)
    out_json, plots = tmp_path / 'm.json', tmp_path / 'plots'
    code = cli.main([
        '--data-root', str(root), '--format', fmt, '--results',
        str(res), '--convention', convention, '--json',
        str(out_json), '--plots',
        str(plots)
    ])
    assert code == 0
    text = capsys.readouterr().out
    assert f'convention: {convention}' in text and '16-32' in text
    metrics = json.loads(out_json.read_text())
    assert metrics['dataset_format'] == fmt
    assert 0 < metrics['success'] < 100
    assert ('lt_fscore' in metrics) == (fmt == 'lasot')
    # GOT-10k's cover.label adds the per-visibility table and chart.
    assert ('visible (%)' in text) == (fmt == 'got10k')
    assert sorted(p.name for p in plots.iterdir()) == [
        'overlap_lost.png', 'precision.png', 'size_bins.png', 'success.png'
    ] + (['visibility_bins.png'] if fmt == 'got10k' else [])


def test_cli_missing_video_is_an_error_unless_flagged(cli, tmp_path, capsys):
    root, res = make_got10k(tmp_path)
    args = ['--data-root', str(root), '--format', 'got10k', '--results',
            str(res), '--json', str(tmp_path / 'm.json')]
    assert cli.main(args) == 0
    full = json.loads((tmp_path / 'm.json').read_text())
    (res / 'GOT-10k_Test_000002.txt').unlink()
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert 'GOT-10k_Test_000002.txt' in err and 'not found' in err
    assert cli.main(args + ['--missing-as-failure']) == 0
    partial = json.loads((tmp_path / 'm.json').read_text())
    # the missing video scores 0 on every frame: its per-video curve is zero
    assert partial['success'] == pytest.approx(
        full['per_video']['GOT-10k_Test_000001']['success'] / 2)


def test_cli_short_file_names_file_and_line(cli, tmp_path, capsys):
    root, res = make_lasot(tmp_path)
    path = res / 'bird-2.txt'
    path.write_text(''.join(path.read_text().splitlines(True)[:-2]))
    args = ['--data-root', str(root), '--format', 'lasot', '--results',
            str(res)]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert 'bird-2.txt, line 11: has 10 lines but the video has 12' in err
    assert cli.main(args + ['--bad-lines-as-failure']) == 0


def test_cli_empty_data_root_is_an_error(cli, tmp_path, capsys):
    (tmp_path / 'empty').mkdir()
    assert cli.main(['--data-root', str(tmp_path / 'empty'), '--format',
                     'lasot', '--results', str(tmp_path)]) == 2
    assert 'no LaSOT videos found' in capsys.readouterr().err


def test_json_keeps_infinite_thresholds_and_nulls_nan(cli, tmp_path):
    # The VOT-LT threshold is -inf when predicting every frame present gives
    # the best F-score; strict JSON has no inf, so it must not crash.
    metrics = dict(lt_threshold=float('-inf'), upper=float('inf'),
                   by_size={'<8': dict(success=float('nan'), n=[1.5])})
    path = tmp_path / 'm.json'
    cli.write_strict_json(str(path), metrics)
    assert json.loads(path.read_text()) == dict(
        lt_threshold='-inf', upper='inf',
        by_size={'<8': dict(success=None, n=[1.5])})
    assert [p.name for p in tmp_path.iterdir()] == ['m.json']
