"""Result and annotation files: separators and clear errors on bad input."""
import json

import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (EvaluationInputError,
                                                    read_box_file,
                                                    read_flag_file,
                                                    read_score_file,
                                                    write_result_files,
                                                    write_strict_json)


def _write(tmp_path, text, name='v.txt'):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_comma_tab_and_space_separated(tmp_path):
    path = _write(tmp_path, '1,2,3,4\n5\t6\t7\t8\n9 10  11 12\nnan,1,2,3\n\n')
    boxes, failed = read_box_file(path, expected=4)
    np.testing.assert_array_equal(boxes[:3], [[1, 2, 3, 4], [5, 6, 7, 8],
                                              [9, 10, 11, 12]])
    assert np.isnan(boxes[3, 0]) and not failed.any()


@pytest.mark.parametrize('text, expected, match', [
    ('1,2,3,4\n1,2,3\n', 2, r'v\.txt, line 2: unreadable box line'),
    ('1,2,3,4\n1,2,x,4\n', 2, r'v\.txt, line 2: unreadable box line'),
    ('1,2,3,4\n\n1,2,3,4\n', 3, r'v\.txt, line 2: unreadable'),
    ('1,2,3,4\n', 3, r'v\.txt, line 2: has 1 lines but the video has 3'),
    ('1,2,3,4\n' * 4, 3, r'v\.txt, line 4: has 4 lines but the video has 3'),
    ('', 3, r'v\.txt: empty file'),
    ('\n  \n', 3, r'v\.txt: empty file'),
])
def test_structural_errors_name_file_and_line(tmp_path, text, expected,
                                              match):
    with pytest.raises(EvaluationInputError, match=match):
        read_box_file(_write(tmp_path, text), expected=expected)


def test_missing_file(tmp_path):
    with pytest.raises(EvaluationInputError, match='nope.txt: file not found'):
        read_box_file(str(tmp_path / 'nope.txt'))


def test_lenient_marks_failed_rows(tmp_path):
    boxes, failed = read_box_file(
        _write(tmp_path, '1,2,3,4\nbad\n'), expected=4, lenient=True)
    np.testing.assert_array_equal(failed, [False, True, True, True])
    assert boxes.shape == (4, 4)
    boxes, failed = read_box_file(
        _write(tmp_path, '1,2,3,4\n' * 5), expected=3, lenient=True)
    assert boxes.shape == (3, 4) and not failed.any()
    boxes, failed = read_box_file(_write(tmp_path, ''), 2, lenient=True)
    assert failed.all()


def test_scores_and_flags(tmp_path):
    scores, failed = read_score_file(_write(tmp_path, '0.5\n0.25\n'), 2)
    np.testing.assert_array_equal(scores, [0.5, 0.25])
    flags = read_flag_file(_write(tmp_path, '0,1,0,0\n', 'f.txt'), 4)
    np.testing.assert_array_equal(flags, [0, 1, 0, 0])
    flags = read_flag_file(_write(tmp_path, '0\n8\n3\n', 'c.label'), 3)
    np.testing.assert_array_equal(flags, [0, 8, 3])
    with pytest.raises(EvaluationInputError, match='has 3 values but'):
        read_flag_file(_write(tmp_path, '0\n8\n3\n', 'c.label'), 4)
    flags = read_flag_file(_write(tmp_path, '1.0,0.0\n', 'f.txt'), 2)
    np.testing.assert_array_equal(flags, [1, 0])


@pytest.mark.parametrize('token', ['2.5', 'nan', 'inf', 'x'])
def test_a_flag_that_is_not_an_integer_names_its_line(tmp_path, token):
    path = _write(tmp_path, f'0\n{token}\n3\n', 'c.label')
    with pytest.raises(EvaluationInputError, match=r'c\.label.*line 2'):
        read_flag_file(path, 3)


def test_written_results_read_back(tmp_path):
    boxes = np.array([[1, 2, 3, 4], [1.25, 2.5, 3.123456, np.nan]])
    scores = np.array([1.0, 0.1234567])
    box_path, conf_path = write_result_files(str(tmp_path), 'v', boxes,
                                             scores)
    read_boxes, failed = read_box_file(box_path, expected=2)
    assert not failed.any()
    np.testing.assert_allclose(read_boxes, boxes.round(4))
    read_scores, _ = read_score_file(conf_path, expected=2)
    np.testing.assert_allclose(read_scores, scores.round(6))
    # Without scores no confidence file is written.
    write_result_files(str(tmp_path), 'w', boxes)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'v.txt', 'v_confidence.txt', 'w.txt']


def test_strict_json_keeps_infinite_thresholds(tmp_path):
    path = str(tmp_path / 'out.json')
    write_strict_json(path, dict(thr=-np.inf, best=np.float64(np.inf),
                                 gm=float('nan'), n=np.int64(3),
                                 rows=[(0.5, np.float32(0.25))]))
    with open(path) as f:
        assert json.load(f) == dict(thr='-inf', best='inf', gm=None, n=3,
                                    rows=[[0.5, 0.25]])
