"""tools/analysis/candidate_recall.py in-process, on hand-made results whose
recall is known by construction."""
import json
import os
import os.path as osp

import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import write_candidate_file

NUM_FRAMES = 10
GT = [40.0, 30.0, 20.0, 16.0]  # x, y, w, h
ELSEWHERE = [200.0, 150.0, 20.0, 16.0]


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/analysis/candidate_recall.py')


def _xyxy(box):
    return [box[0], box[1], box[0] + box[2], box[1] + box[3]]


@pytest.fixture
def data(tmp_path, write_rows):
    """Two videos of 10 frames. The tracker reports the target on frames
    1-4, and on frames 5-9 a box elsewhere; the target is its second
    candidate on frames 5-7 and none on 8-9."""
    root, results = tmp_path / 'lasot', tmp_path / 'results'
    results.mkdir()
    for k in (1, 2):
        video = root / 'cat' / f'cat-{k}'
        write_rows(video / 'groundtruth.txt', np.tile(GT, (NUM_FRAMES, 1)))
        for flags in ('out_of_view.txt', 'full_occlusion.txt'):
            write_rows(video / flags, np.zeros((1, NUM_FRAMES)), '%d')
        pred = np.tile(GT, (NUM_FRAMES, 1))
        pred[5:] = ELSEWHERE
        write_rows(results / f'cat-{k}.txt', pred)
        frames, scores = [np.zeros((0, 4))], [np.zeros(0)]
        for i in range(1, NUM_FRAMES):
            ranked = [GT, ELSEWHERE] if i < 5 else (
                [ELSEWHERE, GT] if i < 8 else [ELSEWHERE, ELSEWHERE])
            frames.append(np.array([_xyxy(b) for b in ranked]))
            scores.append(np.array([0.6, 0.5]))
        write_candidate_file(str(results), f'cat-{k}', frames, scores)
    return dict(root=str(root), results=str(results))


def _run(tool, data, *extra):
    return tool.main(['--data-root', data['root'], '--format', 'lasot',
                      '--results', data['results'], *extra])


def test_prints_and_writes_recall(tool, data, tmp_path, capsys):
    out_json = tmp_path / 'recall.json'
    assert _run(tool, data, '--top-k', '1', '2', '--json',
                str(out_json)) == 0
    text = capsys.readouterr().out
    # 2 x (frame 0 + frames 1-4) of 20 right; with the best ranking also
    # frames 5-7; every frame shows the target.
    assert ('point accuracy (lasot convention): 50.00; ceiling with these '
            'candidates: 80.00; a perfect tracker: 100.00') in text
    recall = json.loads(out_json.read_text())
    assert recall['overall'] == {
        'frames': 18,
        'chosen': pytest.approx(100 * 8 / 18),
        'recall@1': pytest.approx(100 * 8 / 18),
        'recall@2': pytest.approx(100 * 14 / 18)
    }
    assert recall['by_size']['16-32']['frames'] == 18


def test_missing_candidates_file_is_named(tool, data, capsys):
    os.remove(osp.join(data['results'], 'cat-2_candidates.npz'))
    assert _run(tool, data) == 2
    err = capsys.readouterr().err
    assert 'cat-2_candidates.npz' in err and '--save-candidates' in err


def test_bad_top_k_exits_2(tool, data, capsys):
    assert _run(tool, data, '--top-k', '0') == 2
    assert '--top-k must be >= 1' in capsys.readouterr().err
