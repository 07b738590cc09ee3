"""Bad input to the evaluation: result files that do not match the ground
truth, unreadable lines, NaN and negative boxes, degenerate videos.

Every case is an error naming the file and line, or a documented result
(docs/evaluation.md, 'Bad input'); never a silently shifted evaluation.
"""
import os
import os.path as osp

import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (EvaluationInputError,
                                                    evaluate_results)

# Two videos of four frames (x, y, w, h), every target visible.
GT = {
    'bird-1': [[10, 10, 8, 6], [12, 11, 8, 6], [14, 12, 8, 6], [16, 13, 8,
                                                                 6]],
    'bird-2': [[30, 20, 5, 5], [31, 20, 5, 5], [32, 21, 5, 5], [33, 21, 5,
                                                                 5]],
}


def _write_rows(path, rows):
    with open(path, 'w') as f:
        f.write(''.join(','.join(str(v) for v in row) + '\n' for row in rows))


@pytest.fixture
def bench(tmp_path):
    """A LaSOT-layout root with ``GT`` and a results folder holding the
    ground truth itself (perfect results), as paths."""
    root, results = tmp_path / 'lasot', tmp_path / 'results'
    results.mkdir()
    for name, rows in GT.items():
        video = root / name.split('-')[0] / name
        video.mkdir(parents=True)
        _write_rows(video / 'groundtruth.txt', rows)
        for flags in ('full_occlusion.txt', 'out_of_view.txt'):
            (video / flags).write_text(','.join('0' * len(rows)) + '\n')
        _write_rows(results / f'{name}.txt', rows)
    return dict(root=str(root), results=str(results),
                gt=lambda name: str(root / name.split('-')[0] / name /
                                    'groundtruth.txt'),
                res=lambda name: str(results / f'{name}.txt'))


def _evaluate(bench, **kwargs):
    return evaluate_results(bench['root'], 'lasot', bench['results'],
                            **kwargs)


def _rows(name, **changes):
    """``GT[name]`` with rows replaced: ``{index: row}``."""
    rows = [list(row) for row in GT[name]]
    for index, row in changes.items():
        rows[int(index)] = row
    return rows


def test_perfect_results_score_full_marks(bench):
    metrics = _evaluate(bench, convention='lasot')
    assert metrics['precision'] == 100.0 and metrics['ao'] == 100.0
    assert metrics['num_frames'] == 8


@pytest.mark.parametrize('count', [3, 5])
def test_results_shorter_or_longer_than_the_ground_truth(bench, count):
    rows = (GT['bird-1'] + [[1, 1, 1, 1]])[:count]
    _write_rows(bench['res']('bird-1'), rows)
    with pytest.raises(EvaluationInputError) as info:
        _evaluate(bench)
    assert info.value.path == bench['res']('bird-1')
    assert info.value.line == min(count, 4) + 1
    assert f'has {count} lines but the video has 4 frames' in str(info.value)
    # Opt-in: missing rows are failures, extra rows are dropped.
    lenient = _evaluate(bench, convention='lasot', lenient=True)
    video = lenient['per_video']['bird-1']
    assert video['num_frames'] == 4
    assert video['precision'] == (75.0 if count == 3 else 100.0)


@pytest.mark.parametrize('line', ['1,2,3', '1,2,3,4,5', 'a,b,c,d'])
def test_an_unreadable_result_line_is_named(bench, line):
    with open(bench['res']('bird-2')) as f:
        lines = f.read().splitlines()
    lines[1] = line
    with open(bench['res']('bird-2'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with pytest.raises(EvaluationInputError) as info:
        _evaluate(bench)
    assert (info.value.path, info.value.line) == (bench['res']('bird-2'), 2)
    lenient = _evaluate(bench, convention='lasot', lenient=True)
    assert lenient['per_video']['bird-2']['precision'] == 75.0


@pytest.mark.parametrize('row', [['nan'] * 4, [14, 12, -8, 6]])
def test_nan_or_negative_result_boxes_follow_the_convention(bench, row):
    _write_rows(bench['res']('bird-1'), _rows('bird-1', **{'2': row}))
    # mmtrack: a miss on that frame.
    metrics = _evaluate(bench, convention='mmtrack')
    assert metrics['per_video']['bird-1']['success'] < metrics['per_video'][
        'bird-2']['success']
    # lasot (pytracking): refused, naming the file and line.
    with pytest.raises(ValueError) as info:
        _evaluate(bench, convention='lasot')
    assert f"{bench['res']('bird-1')}, line 3" in str(info.value)


def test_nan_ground_truth_follows_the_convention(bench):
    _write_rows(bench['gt']('bird-2'), _rows('bird-2', **{'1': ['nan'] * 4}))
    metrics = _evaluate(bench, convention='mmtrack')
    assert metrics['per_video']['bird-2']['success'] < metrics['per_video'][
        'bird-1']['success']
    with pytest.raises(ValueError) as info:
        _evaluate(bench, convention='lasot')
    assert f"{bench['gt']('bird-2')}, line 2" in str(info.value)


def test_a_ground_truth_line_with_three_columns_is_named(bench):
    _write_rows(bench['gt']('bird-1'), _rows('bird-1', **{'3': [1, 2, 3]}))
    with pytest.raises(EvaluationInputError, match='3 values, expected 4'
                       ) as info:
        _evaluate(bench)
    assert (info.value.path, info.value.line) == (bench['gt']('bird-1'), 4)


def test_empty_and_binary_result_files_are_named(bench):
    open(bench['res']('bird-1'), 'w').close()
    with pytest.raises(EvaluationInputError, match='empty file') as info:
        _evaluate(bench)
    assert info.value.path == bench['res']('bird-1')
    lenient = _evaluate(bench, convention='lasot', lenient=True)
    assert lenient['per_video']['bird-1']['precision'] == 0.0

    with open(bench['res']('bird-1'), 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n\xff\xfe\x00')
    with pytest.raises(EvaluationInputError, match='cannot be read'):
        _evaluate(bench)


def test_missing_results_and_confidences_are_named(bench, tmp_path):
    missing = bench['res']('bird-2')
    moved = str(tmp_path / 'elsewhere.txt')
    os.rename(missing, moved)
    with pytest.raises(EvaluationInputError, match='not found') as info:
        _evaluate(bench)
    assert info.value.path == missing
    failed = _evaluate(bench, convention='lasot', missing_as_failure=True)
    assert failed['per_video']['bird-2']['precision'] == 0.0
    os.rename(moved, missing)

    conf = osp.join(bench['results'], 'bird-1_confidence.txt')
    _write_rows(conf, [[1.0]] * 4)
    with pytest.raises(EvaluationInputError, match='confidences missing'
                       ) as info:
        _evaluate(bench)
    assert info.value.path == osp.join(bench['results'],
                                       'bird-2_confidence.txt')


def test_a_one_frame_video_is_evaluated(bench):
    for path in (bench['gt']('bird-1'), bench['res']('bird-1')):
        _write_rows(path, GT['bird-1'][:1])
    video_dir = osp.dirname(bench['gt']('bird-1'))
    for flags in ('full_occlusion.txt', 'out_of_view.txt'):
        with open(osp.join(video_dir, flags), 'w') as f:
            f.write('0\n')
    metrics = _evaluate(bench, convention='lasot')
    assert metrics['per_video']['bird-1']['num_frames'] == 1
    assert metrics['num_frames'] == 5


def test_a_video_whose_target_is_never_present_is_defined(bench):
    # Every row 0,0,0,0: no frame can be scored, none is a success; the
    # numbers stay defined instead of dividing by zero.
    absent = [[0, 0, 0, 0]] * 4
    _write_rows(bench['gt']('bird-1'), absent)
    metrics = _evaluate(bench, convention='lasot')
    video = metrics['per_video']['bird-1']
    assert video['success'] == 0.0 and video['precision'] == 0.0
    assert all(
        np.isfinite(metrics[key])
        for key in ('success', 'precision', 'norm_precision', 'ao'))
