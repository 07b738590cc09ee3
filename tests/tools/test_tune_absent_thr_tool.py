"""tools/analysis/tune_absent_thr.py in-process, on results whose right
threshold is known by construction: absent frames score below 0.3,
present ones above 0.6."""
import json
import re

import numpy as np
import pytest

NUM_FRAMES = 40
ABSENT = slice(10, 25)  # out of view on these frames


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/analysis/tune_absent_thr.py')


@pytest.fixture
def data(tmp_path, write_rows):
    """A LaSOT-layout root of 3 videos and a results folder: boxes 2 px off
    the target when present, elsewhere when not; confidences in [0.6, 1]
    when present, [0, 0.3] when absent (1 on frame 0, as track.py)."""
    rng = np.random.default_rng(0)
    root, results = tmp_path / 'lasot', tmp_path / 'results'
    results.mkdir()
    gaps = [np.inf, -np.inf]  # lowest present, highest absent score
    for k in range(1, 4):
        video = root / 'cat' / f'cat-{k}'
        gt = np.tile([40.0, 30.0, 20.0, 16.0], (NUM_FRAMES, 1))
        gt[:, 0] += np.arange(NUM_FRAMES)
        write_rows(video / 'groundtruth.txt', gt)
        out_of_view = np.zeros(NUM_FRAMES, int)
        out_of_view[ABSENT] = 1
        write_rows(video / 'out_of_view.txt', out_of_view[None], '%d')
        write_rows(video / 'full_occlusion.txt', np.zeros((1, NUM_FRAMES)),
                   '%d')
        pred = gt + [2.0, 0, 0, 0]
        pred[ABSENT] = [200.0, 150.0, 20.0, 16.0]
        scores = rng.uniform(0.6, 1.0, NUM_FRAMES)
        scores[ABSENT] = rng.uniform(0.0, 0.3, ABSENT.stop - ABSENT.start)
        scores[0] = 1.0
        gaps = [min(gaps[0], scores[out_of_view == 0].min()),
                max(gaps[1], scores[ABSENT].max())]
        write_rows(results / f'cat-{k}.txt', pred)
        write_rows(results / f'cat-{k}_confidence.txt', scores[:, None],
                   '%.6f')
    return dict(root=str(root), results=results, low=gaps[1], high=gaps[0])


def _run(tool, data, *extra):
    return tool.main(['--data-root', data['root'], '--format', 'lasot',
                      '--results', str(data['results']), *extra])


def _threshold(text):
    return float(re.search(r'absent_score_thr=([-+\w.]+) ', text).group(1))


@pytest.mark.parametrize('metric', ['lt_fscore', 'oxuva_maxgm', 'antiuav_sa'])
def test_finds_the_threshold_between_absent_and_present_scores(
        tool, data, tmp_path, capsys, metric):
    out_json = tmp_path / 'tuned.json'
    assert _run(tool, data, '--metric', metric, '--json', str(out_json)) == 0
    text = capsys.readouterr().out
    threshold = _threshold(text)
    assert data['low'] < threshold < data['high']
    assert re.search(r'^tuned\s', text, re.M)
    assert re.search(r'^never absent\s+-inf', text, re.M)
    summary = json.loads(out_json.read_text())
    assert summary['threshold'] == threshold
    assert summary['num_videos'] == 3 and summary['num_absent_frames'] == 45
    tuned, never = summary['tuned'], summary['never_absent']
    assert tuned[metric] > never[metric]
    # the absent frames' boxes lie elsewhere: reporting them present costs
    # long-term precision, and F
    assert tuned['lt_fscore'] > never['lt_fscore'] + 5
    assert tuned['lt_precision'] > never['lt_precision']
    assert tuned['oxuva_tnr'] == 100.0 and never['oxuva_tnr'] == 0.0


def test_missing_confidence_files_are_named(tool, data, capsys):
    (data['results'] / 'cat-2_confidence.txt').unlink()
    assert _run(tool, data) == 2
    err = capsys.readouterr().err
    assert 'cat-2_confidence.txt' in err and 'confidences missing' in err
    for k in (1, 3):
        (data['results'] / f'cat-{k}_confidence.txt').unlink()
    assert _run(tool, data) == 2
    err = capsys.readouterr().err
    assert 'cat-1_confidence.txt: not found' in err
    assert 'tools/track.py' in err


def test_bad_confidence_lines_and_folders_are_named(tool, data, capsys,
                                                    tmp_path):
    conf = data['results'] / 'cat-3_confidence.txt'
    lines = conf.read_text().splitlines()
    conf.write_text('\n'.join(lines[:5] + ['high'] + lines[6:]) + '\n')
    assert _run(tool, data) == 2
    assert re.search(r'cat-3_confidence\.txt, line 6: unreadable',
                     capsys.readouterr().err)
    conf.write_text('\n'.join(lines[:-1]) + '\n')
    assert _run(tool, data) == 2
    assert 'has 39 lines but the video has 40 frames' in capsys.readouterr(
    ).err
    missing = str(tmp_path / 'nowhere')
    assert tool.main(['--data-root', data['root'], '--format', 'lasot',
                      '--results', missing]) == 2
    assert f'{missing}: results folder not found' in capsys.readouterr().err
    conf.write_text('\n'.join(lines) + '\n')
    out = str(tmp_path / 'no_dir' / 'tuned.json')
    assert _run(tool, data, '--json', out) == 2
    assert f'cannot write {out}' in capsys.readouterr().err


def test_never_absent_when_scores_do_not_separate(tool, data, capsys):
    # absent frames now score highest: no threshold helps
    for k in range(1, 4):
        conf = data['results'] / f'cat-{k}_confidence.txt'
        scores = np.loadtxt(conf)
        scores[ABSENT] = 2.0
        np.savetxt(conf, scores[:, None], fmt='%.6f')
    assert _run(tool, data) == 0
    text = capsys.readouterr().out
    assert 'leave model.test_cfg.absent_score_thr=None' in text
