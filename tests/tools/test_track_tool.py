"""tools/track.py: one real subprocess run, the error paths in-process."""
import io
import os
import os.path as osp
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from tiny_configs import CONFIG, ROOT, save_tiny_tracker, write_tiny_lasot
from torch_threads import one_thread_env

from mmtrack_smallobj.datasets.synthetic import generate_dataset

SCRIPT = osp.join(ROOT, 'tools', 'track.py')


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/track.py')


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """A tiny tracker config and its random checkpoint, and a 2-video
    3-frame LaSOT set."""
    tmp = tmp_path_factory.mktemp('track_tool')
    return dict(save_tiny_tracker(tmp),
                root=write_tiny_lasot(str(tmp / 'lasot')))


def _args(tiny, out, *extra, root=None, fmt='lasot'):
    """tools/track.py's arguments: the tiny tracker on ``root`` (the tiny
    set by default), results to ``out``, no progress bar."""
    root = root or tiny['root']
    return [tiny['config'], tiny['checkpoint'], '--data-root', root,
            '--format', fmt, '--out', str(out), '--no-progress', *extra]


def _after_tracking(monkeypatch, tool, after):
    """Call ``after(model, frames, tracked)`` when the tool has tracked a
    video, still inside its precision context."""
    track = tool.track_video_timed

    def tracked_then_after(model, frames, *args, **kwargs):
        tracked = track(model, frames, *args, **kwargs)
        after(model, frames, tracked)
        return tracked

    monkeypatch.setattr(tool, 'track_video_timed', tracked_then_after)


def _gt_files(root):
    return sorted(
        osp.join(dirpath, 'groundtruth.txt')
        for dirpath, _, files in os.walk(root) if 'groundtruth.txt' in files)


def _rows(path):
    with open(path) as f:
        return [[float(v) for v in line.split(',')]
                for line in f.read().splitlines()]


def test_track_writes_results_that_evaluate(tiny, tmp_path, load_tool):
    out = str(tmp_path / 'results')
    env = one_thread_env()
    done = subprocess.run(
        [sys.executable, SCRIPT, tiny['config'], tiny['checkpoint'],
         '--data-root', tiny['root'], '--format', 'lasot', '--out', out],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert 'tracked 2 videos, 6 frames' in done.stdout
    assert 'fps' in done.stdout
    gt_files = _gt_files(tiny['root'])
    names = [osp.basename(osp.dirname(p)) for p in gt_files]
    assert sorted(os.listdir(out)) == sorted(
        [f'{n}.txt' for n in names] + [f'{n}_confidence.txt' for n in names])
    for gt_path, name in zip(gt_files, names):
        gt = _rows(gt_path)
        boxes = _rows(osp.join(out, f'{name}.txt'))
        scores = _rows(osp.join(out, f'{name}_confidence.txt'))
        assert len(boxes) == len(scores) == len(gt) == 3
        assert all(len(row) == 4 for row in boxes)
        assert all(len(row) == 1 for row in scores)
        np.testing.assert_allclose(boxes[0], gt[0])
        assert scores[0] == [1.0]
        assert np.isfinite(boxes).all() and np.isfinite(scores).all()
    evaluate = load_tool('tools/eval_results.py').main
    assert evaluate(['--data-root', tiny['root'], '--format', 'lasot',
                     '--results', out, '--convention', 'lasot']) == 0


def test_track_only_named_videos(tool, tiny, tmp_path, capsys):
    name = osp.basename(osp.dirname(_gt_files(tiny['root'])[1]))
    out = str(tmp_path / 'results')
    assert tool.main(_args(tiny, out, '--videos', name, '--short-side',
                           '96')) == 0
    assert sorted(os.listdir(out)) == [f'{name}.txt',
                                       f'{name}_confidence.txt']
    assert 'tracked 1 videos, 3 frames' in capsys.readouterr().out


def test_dtype_bf16_tracks_under_cpu_autocast(tool, tiny, tmp_path,
                                             monkeypatch):
    precision = []
    _after_tracking(
        monkeypatch, tool, lambda *_: precision.append(
            (torch.is_autocast_enabled('cpu'),
             torch.get_autocast_dtype('cpu'))))
    name = _names(tiny['root'])[0]
    out = tmp_path / 'bf16'
    assert tool.main(_args(tiny, out, '--videos', name, '--dtype',
                           'bf16')) == 0
    assert precision == [(True, torch.bfloat16)]
    boxes = _rows(out / f'{name}.txt')
    assert len(boxes) == 3 and np.isfinite(boxes).all()


def test_bad_first_box_exits_2_naming_the_file(tool, tiny, tmp_path,
                                               capsys):
    root = str(tmp_path / 'lasot')
    generate_dataset(root, fmt='lasot', num_videos=1, num_frames=3, seed=0,
                     split='test', progress=False)
    gt_path, = _gt_files(root)
    with open(gt_path) as f:
        lines = f.read().splitlines()
    with open(gt_path, 'w') as f:
        f.write('\n'.join(['0,0,0,0'] + lines[1:]) + '\n')
    out = str(tmp_path / 'results')
    assert tool.main(_args(tiny, out, root=root)) == 2
    err = capsys.readouterr().err
    assert f'{gt_path}, line 1' in err and 'first-frame box' in err
    assert not osp.exists(out)


@pytest.mark.parametrize('change, message', [
    (dict(root='{tmp}/absent'), 'data root is not a folder'),
    (dict(extra=['--videos', 'nope']), 'no video named nope'),
    (dict(checkpoint='{tmp}/absent.pth'), 'absent.pth'),
    (dict(config='{tmp}/absent.py'), 'absent.py'),
    (dict(config=CONFIG), 'does not fit GlobalSearchTracker'),
    (dict(extra=['--short-side', '0']), '--short-side'),
    (dict(extra=['--device', 'gpu']), "unknown --device 'gpu'"),
    (dict(extra=['--dtype', 'fp16']),
     'dtype fp16 needs a CUDA device, not cpu'),
])
def test_bad_input_exits_2(tool, tiny, tmp_path, capsys, change, message):
    paths = {
        key: change.get(key, tiny[key]).format(tmp=tmp_path)
        for key in ('config', 'checkpoint', 'root')
    }
    assert tool.main(
        _args(paths, tmp_path / 'results', *change.get('extra', []))) == 2
    assert message in capsys.readouterr().err
    assert not osp.exists(tmp_path / 'results')


def test_unknown_format_exits_2(tool, tiny, capsys):
    with pytest.raises(SystemExit) as info:
        tool.main(_args(tiny, 'x', fmt='vot'))
    assert info.value.code == 2
    assert "invalid choice: 'vot'" in capsys.readouterr().err


def _names(root):
    return sorted(osp.basename(osp.dirname(p)) for p in _gt_files(root))


def test_submit_got10k_zip_holds_the_measured_times(tool, tiny, tmp_path,
                                                    capsys, monkeypatch):
    measured = {}
    _after_tracking(
        monkeypatch, tool,
        lambda _, frames, tracked: measured.update({frames[0]: tracked.times}))
    out = str(tmp_path / 'results')
    assert tool.main(_args(tiny, out, '--submit', 'GOT-10k')) == 0
    path = osp.join(out, 'submission', 'got10k.zip')
    assert f'got10k submission: {path}' in capsys.readouterr().out
    names = _names(tiny['root'])
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == sorted(
            m for n in names
            for m in (f'{n}/', f'{n}/{n}_001.txt', f'{n}/{n}_time.txt'))
        for name in names:
            boxes = np.loadtxt(
                io.BytesIO(archive.read(f'{name}/{name}_001.txt')),
                delimiter=',')
            np.testing.assert_allclose(
                boxes, _rows(osp.join(out, f'{name}.txt')), atol=5e-4)
            times = np.loadtxt(
                io.BytesIO(archive.read(f'{name}/{name}_time.txt')))
            first = next(p for p in measured if f'{os.sep}{name}{os.sep}' in p)
            np.testing.assert_allclose(times, measured[first], atol=5e-9)
            assert times.shape == (3, ) and (times > 0).all()


def test_submit_vot_lt_marks_low_scores_absent(tool, tiny, tmp_path,
                                               capsys):
    submit_out = str(tmp_path / 'sub')
    assert tool.main(
        _args(tiny, tmp_path / 'results', '--submit', 'vot-lt',
              '--submit-out', submit_out, '--absent-score-thr', '1e9')) == 0
    assert osp.join(submit_out, 'vot_lt') in capsys.readouterr().out
    for name in _names(tiny['root']):
        folder = osp.join(submit_out, 'vot_lt', 'longterm', name)
        with open(osp.join(folder, f'{name}_001.txt')) as f:
            assert f.read() == '1\n0,0,0,0\n0,0,0,0\n'
        with open(osp.join(folder, f'{name}_001_confidence.value')) as f:
            lines = f.read().split('\n')
        assert lines[0] == '' and len(lines) == 4 and lines[3] == ''
        assert np.isfinite([float(v) for v in lines[1:3]]).all()


def test_submit_refuses_names_before_tracking(tool, tiny, tmp_path, capsys):
    out = str(tmp_path / 'results')
    assert tool.main(_args(tiny, out, '--submit', 'oxuva')) == 2
    assert 'OxUvA needs an object id' in capsys.readouterr().err
    assert not osp.exists(out)
    with pytest.raises(SystemExit) as info:
        tool.main(_args(tiny, out, '--submit', 'vot2018'))
    assert info.value.code == 2
    assert "unknown benchmark 'vot2018'" in capsys.readouterr().err


def test_save_candidates_feeds_candidate_recall(tool, tiny, tmp_path,
                                                capsys, load_tool):
    out = str(tmp_path / 'results')
    assert tool.main(
        _args(tiny, out, '--save-candidates', '--cfg-options',
              'model.test_cfg.box_smoothing=None')) == 0
    capsys.readouterr()
    for name in _names(tiny['root']):
        with np.load(osp.join(out, f'{name}_candidates.npz')) as data:
            boxes, scores = data['boxes'], data['scores']
        assert boxes.shape[:2] == scores.shape and boxes.shape[0] == 3
        # None on the first frame; without box smoothing the reported box
        # is the first candidate (the top1 strategy).
        assert np.isnan(boxes[0]).all()
        reported = np.array(_rows(osp.join(out, f'{name}.txt')))
        np.testing.assert_allclose(boxes[1:, 0], reported[1:], atol=1e-3)
    recall = load_tool('tools/analysis/candidate_recall.py').main
    assert recall(['--data-root', tiny['root'], '--format', 'lasot',
                   '--results', out, '--top-k', '1', '3']) == 0
    text = capsys.readouterr().out
    assert 'ceiling with these candidates' in text and 'recall@3' in text


def test_save_candidates_needs_a_tracker_that_keeps_them(
        tool, tiny, tmp_path, capsys, monkeypatch):
    # A tracker without memo.candidates, as mmtrack's own.
    _after_tracking(monkeypatch, tool,
                    lambda model, *_: model.memo.pop('candidates'))
    out = str(tmp_path / 'results')
    assert tool.main(_args(tiny, out, '--save-candidates')) == 2
    assert 'keeps no candidates' in capsys.readouterr().err
    assert os.listdir(out) == []
