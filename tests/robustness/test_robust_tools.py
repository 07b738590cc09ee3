"""Bad input to the command-line tools: exit codes, messages, and the
promise that no result file is left half-written.

The tools run in-process (``main(argv)``), as the tools' own tests do: a
subprocess per case would cost seconds of imports each.
"""
import importlib.util
import json
import os
import os.path as osp

import pytest
from robust_inputs import (assert_no_partial_files, lasot_frames,
                           lasot_gt_files)
from tiny_configs import ROOT

from mmtrack_smallobj.datasets.transforms.loading import ImageLoadError


def _load_tool(name):
    """A tool's module, loaded from its file (tools/ is no package)."""
    path = osp.join(ROOT, 'tools', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'robust_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def tools():
    return {
        name: _load_tool(name)
        for name in ('track', 'eval_results', 'make_synthetic')
    }


def _track(tools, tiny_files, root, out, *extra, checkpoint=None):
    return tools['track'].main([
        tiny_files['config'], checkpoint or tiny_files['checkpoint'],
        '--data-root', root, '--format', 'lasot', '--out', out,
        '--no-progress', *extra
    ])


def test_a_corrupt_frame_stops_tracking_without_partial_results(
        tools, tiny_files, make_lasot, tmp_path):
    root = make_lasot(videos=2, frames=3)
    first, second = lasot_gt_files(root)
    bad = lasot_frames(second)[1]
    with open(bad, 'rb') as f:
        data = f.read()
    with open(bad, 'wb') as f:
        f.write(data[:len(data) // 2])
    out = str(tmp_path / 'results')
    with pytest.raises(ImageLoadError, match='truncated JPEG') as info:
        _track(tools, tiny_files, root, out)
    assert info.value.path == bad
    # The video tracked before the bad frame is complete; the other has
    # no result file at all, and no temporary file is left.
    done = osp.basename(osp.dirname(first))
    assert sorted(os.listdir(out)) == [f'{done}.txt', f'{done}_confidence.txt']
    with open(osp.join(out, f'{done}.txt')) as f:
        assert len(f.read().splitlines()) == 3
    assert_no_partial_files(out)


@pytest.mark.parametrize('case', ['truncated', 'missing'])
def test_a_bad_checkpoint_exits_2_naming_it(tools, tiny_files, make_lasot,
                                           tmp_path, capsys, case):
    root = make_lasot()
    checkpoint = str(tmp_path / f'{case}.pth')
    if case == 'truncated':
        with open(tiny_files['checkpoint'], 'rb') as f:
            data = f.read()
        with open(checkpoint, 'wb') as f:
            f.write(data[:len(data) // 3])
    out = str(tmp_path / 'results')
    assert _track(tools, tiny_files, root, out, checkpoint=checkpoint) == 2
    err = capsys.readouterr().err
    assert f'checkpoint {checkpoint}' in err
    assert ('cannot be read' if case == 'truncated' else 'can not be found'
            ) in err
    # Nothing was tracked, so nothing was written.
    assert not osp.exists(out)


def test_a_config_typo_exits_2_naming_the_key(tools, tiny_files, make_lasot,
                                             tmp_path, capsys):
    root = make_lasot()
    out = str(tmp_path / 'results')
    code = _track(tools, tiny_files, root, out, '--cfg-options',
                  'model.head.feat_channel=4')
    assert code == 2
    assert 'feat_channel' in capsys.readouterr().err
    assert not osp.exists(out)


def test_an_empty_video_exits_2_naming_its_file(tools, tiny_files,
                                                make_lasot, tmp_path, capsys):
    root = make_lasot(frames=2)
    gt_path, = lasot_gt_files(root)
    open(gt_path, 'w').close()
    out = str(tmp_path / 'results')
    assert _track(tools, tiny_files, root, out) == 2
    err = capsys.readouterr().err
    assert gt_path in err and 'empty file' in err
    assert not osp.exists(out)


def _eval(tools, root, results, *extra):
    return tools['eval_results'].main([
        '--data-root', root, '--format', 'lasot', '--results', results,
        *extra
    ])


def _perfect_results(root, results):
    """Copy every video's ground truth as its results."""
    os.makedirs(results, exist_ok=True)
    for gt_path in lasot_gt_files(root):
        name = osp.basename(osp.dirname(gt_path))
        with open(gt_path) as f:
            text = f.read()
        with open(osp.join(results, f'{name}.txt'), 'w') as f:
            f.write(text)


def test_eval_on_short_results_exits_2_and_keeps_the_old_json(
        tools, make_lasot, tmp_path, capsys):
    root = make_lasot(frames=4)
    results = str(tmp_path / 'results')
    _perfect_results(root, results)
    metrics = str(tmp_path / 'metrics.json')
    assert _eval(tools, root, results, '--json', metrics) == 0
    with open(metrics) as f:
        before = f.read()
    assert json.loads(before)['num_frames'] == 4

    box_file, = [p for p in os.listdir(results) if p.endswith('.txt')]
    path = osp.join(results, box_file)
    with open(path) as f:
        lines = f.read().splitlines()
    with open(path, 'w') as f:
        f.write('\n'.join(lines[:3]) + '\n')
    assert _eval(tools, root, results, '--json', metrics) == 2
    assert f'{path}, line 4: has 3 lines' in capsys.readouterr().err
    with open(metrics) as f:
        assert f.read() == before
    assert_no_partial_files(str(tmp_path))


def test_an_interrupted_json_write_leaves_no_partial_file(
        tools, make_lasot, tmp_path, monkeypatch):
    root = make_lasot(frames=2)
    results = str(tmp_path / 'results')
    _perfect_results(root, results)
    metrics = str(tmp_path / 'metrics.json')

    def killed(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, 'replace', killed)
    with pytest.raises(KeyboardInterrupt):
        _eval(tools, root, results, '--json', metrics)
    assert not osp.exists(metrics)
    assert_no_partial_files(str(tmp_path))


def test_synthetic_frames_too_large_are_refused_before_writing(
        tools, tmp_path, capsys):
    out = str(tmp_path / 'huge')
    code = tools['make_synthetic'].main([
        out, '--videos', '1', '--frames', '1', '--frame-size', '10000x10000',
        '--no-progress'
    ])
    assert code == 2
    assert 'frame_size' in capsys.readouterr().err
    assert not osp.exists(out)


def test_synthetic_generation_never_clobbers_a_folder(tools, tmp_path,
                                                      capsys):
    out = tmp_path / 'data'
    out.mkdir()
    (out / 'keep.txt').write_text('mine\n')
    code = tools['make_synthetic'].main(
        [str(out), '--videos', '1', '--frames', '1', '--no-progress'])
    assert code == 2
    assert 'overwrite' in capsys.readouterr().err
    assert os.listdir(out) == ['keep.txt']
    assert sorted(os.listdir(tmp_path)) == ['data']
