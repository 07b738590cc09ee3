"""Submission files: a round trip per benchmark, the bytes each server or
toolkit expects, measured times, atomic writes and clear errors.

Where a benchmark's own writer is importable (the got10k toolkit is a test
dependency) the files are compared with its output byte for byte; the other
formats are pinned to their published writers' code, cited per test.
The parameter is ``bench``, not ``benchmark``: where pytest-benchmark is
installed, it owns that fixture name and stops the session (INTERNALERROR).
"""
import csv
import io
import json
import os
import zipfile

import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (
    SUBMISSION_BENCHMARKS, SubmissionError, SubmissionVideo,
    normalize_benchmark, read_submission, read_submission_files,
    write_submission)

OPE_TXT = ('lasot', 'lasot_ext', 'uav123', 'uav20l')


def _videos(num_frames=7):
    """Two videos with scores, measured (distinct) times, absent frames and
    what OxUvA needs; boxes with more decimals than any format keeps."""
    rng = np.random.default_rng(3)
    videos = []
    for k, name in enumerate(['vid0001_obj0000', 'vid0002_obj0001']):
        boxes = np.concatenate([rng.uniform(0, 300, (num_frames, 2)),
                                rng.uniform(2, 40, (num_frames, 2))], 1)
        absent = np.zeros(num_frames, bool)
        absent[[2, 5]] = True
        videos.append(
            SubmissionVideo(name, boxes, rng.uniform(0, 1, num_frames),
                            absent, rng.uniform(0.01, 0.05, num_frames),
                            (640.0 + k, 360.0),
                            np.arange(num_frames) * 30 + 900))
    return videos


@pytest.mark.parametrize('bench', SUBMISSION_BENCHMARKS)
def test_round_trip(tmp_path, bench):
    videos = _videos()
    prefix = str(tmp_path / 'sub')
    path = write_submission(bench, videos, prefix)
    assert os.path.exists(path)
    back = read_submission(bench, prefix)
    for v in videos:
        if bench == 'oxuva':
            r = back[v.name.split('_')[0]]
            assert r.object_id == v.name.split('_')[1]
            # rows after the initialisation frame, normalised
            np.testing.assert_array_equal(r.frame_ids, v.frame_ids[1:])
            np.testing.assert_array_equal(r.absent, v.absent[1:])
            np.testing.assert_array_equal(r.scores, v.scores[1:])
            present = ~v.absent[1:]
            scale = np.tile(v.image_size, 2)
            np.testing.assert_allclose(r.boxes_xywh[present],
                                       (v.boxes_xywh[1:] / scale)[present],
                                       rtol=1e-12)
            assert np.isnan(r.boxes_xywh[~present]).all()
            continue
        r = back[v.name]
        if bench in ('vot_lt', 'anti_uav'):
            np.testing.assert_array_equal(r.absent, v.absent)
            shown = ~v.absent
            if bench == 'vot_lt':
                shown[0] = False  # the '1' initialisation code
                np.testing.assert_array_equal(r.scores[1:], v.scores[1:])
                assert np.isnan(r.scores[0])
                np.testing.assert_array_equal(r.times, v.times)
            # Python's float formatting: exact
            np.testing.assert_array_equal(r.boxes_xywh[shown],
                                          v.boxes_xywh[shown])
            assert np.isnan(r.boxes_xywh[~shown]).all()
        else:
            # Box formats without absence: every frame's box, rounded.
            decimals = 4 if bench == 'trackingnet' else 3
            np.testing.assert_allclose(r.boxes_xywh, v.boxes_xywh,
                                       atol=0.5 * 10**-decimals + 1e-9)
        if bench == 'got10k':
            np.testing.assert_allclose(r.times, v.times, atol=5e-9)


def test_got10k_time_file_holds_the_measured_times(tmp_path):
    video = _videos()[0]
    video.times = np.array([0.5, 0.0123456789, 0.02, 1e-5, 0.03, 0.04, 7.0])
    write_submission('got10k', [video], str(tmp_path / 'g'))
    files = read_submission_files('got10k', str(tmp_path / 'g'))
    assert files[f'{video.name}/{video.name}_time.txt'] == (
        '0.50000000\n0.01234568\n0.02000000\n0.00001000\n0.03000000\n'
        '0.04000000\n7.00000000\n')


def test_got10k_bytes_match_the_toolkit(tmp_path):
    """``ExperimentGOT10k._record`` for the files, its ``report``
    (``shutil.make_archive``) for the member names."""
    got10k_exp = pytest.importorskip('got10k.experiments.got10k')
    from got10k.utils.ioutils import compress
    videos = _videos()
    write_submission('got10k', videos, str(tmp_path / 'ours'))
    exp = got10k_exp.ExperimentGOT10k.__new__(got10k_exp.ExperimentGOT10k)
    root = tmp_path / 'toolkit'
    for v in videos:
        exp._record(str(root / v.name / f'{v.name}_001.txt'), v.boxes_xywh,
                    v.times)
    compress(str(root), str(tmp_path / 'toolkit'))
    with zipfile.ZipFile(tmp_path / 'ours.zip') as ours, zipfile.ZipFile(
            tmp_path / 'toolkit.zip') as theirs:
        assert sorted(ours.namelist()) == sorted(theirs.namelist())
        for name in theirs.namelist():
            assert ours.read(name) == theirs.read(name), name
        assert {i.compress_type for i in ours.infolist()
                if not i.is_dir()} == {zipfile.ZIP_DEFLATED}


@pytest.mark.parametrize('bench', OPE_TXT)
def test_ope_txt_bytes_match_the_toolkit(tmp_path, bench):
    """got10k toolkit ``ExperimentOTB._record`` (its LaSOT and UAV123
    experiments write the same way)."""
    otb = pytest.importorskip('got10k.experiments.otb')
    videos = _videos()
    write_submission(bench, videos, str(tmp_path / 'ours'))
    exp = otb.ExperimentOTB.__new__(otb.ExperimentOTB)
    for v in videos:
        exp._record(str(tmp_path / 'toolkit' / f'{v.name}.txt'),
                    v.boxes_xywh, v.times)
        ours = (tmp_path / 'ours' / f'{v.name}.txt').read_bytes()
        assert ours == (tmp_path / 'toolkit' / f'{v.name}.txt').read_bytes()
    assert sorted(os.listdir(tmp_path / 'ours')) == sorted(
        f'{v.name}.txt' for v in videos)


def _one(boxes, scores=None, absent=None, times=None, name='v'):
    return SubmissionVideo(name, np.array(boxes, float),
                           None if scores is None else np.array(scores),
                           None if absent is None else np.array(absent),
                           None if times is None else np.array(times))


def test_text_formats_pinned(tmp_path):
    """Separators, decimals and line ends, independent of any toolkit."""
    video = _one([[1, 2.5, 3.14159, 4], [-0.00049, 10, 20.00051, 30]],
                 times=[0.5, 0.25])
    for bench, line2 in [('lasot', '-0.000,10.000,20.001,30.000\n'),
                         ('trackingnet', '-0.0005,10.0000,20.0005,'
                          '30.0000\n')]:
        write_submission(bench, [video], str(tmp_path / bench))
        files = read_submission_files(bench, str(tmp_path / bench))
        first = ('1.000,2.500,3.142,4.000\n' if bench == 'lasot' else
                 '1.0000,2.5000,3.1416,4.0000\n')
        assert files == {'v.txt': first + line2}
    with zipfile.ZipFile(tmp_path / 'trackingnet.zip') as archive:
        assert archive.namelist() == ['v.txt']  # top level, no folders
    write_submission('got10k', [video], str(tmp_path / 'g.zip'))
    with zipfile.ZipFile(tmp_path / 'g.zip') as archive:
        assert archive.namelist() == ['v/', 'v/v_001.txt', 'v/v_time.txt']


def test_vot_lt_layout_and_bytes(tmp_path):
    """vot-toolkit: ``results/<tracker>/longterm/<seq>/<seq>_001.txt`` with
    ``str(region)`` lines (Special ``1``, Rectangle ``'{},{},{},{}'``) and
    ``<seq>_001_<property>.value`` holding ``to_string(value)`` lines."""
    video = _one([[5, 6, 7, 8], [10, 20.5, 3.25, 4], [1, 1, 1, 1],
                  [0.1, 0.2, 0.3, 0.4]],
                 scores=[1, 0.5, 0.125, 0.75],
                 absent=[False, False, True, False],
                 times=[0.25, 0.03125, 0.5, 1.0])
    write_submission('VOT-LT', [video], str(tmp_path / 'tracker'))
    files = read_submission_files('vot_lt', str(tmp_path / 'tracker'))
    assert files == {
        'longterm/v/v_001.txt': '1\n10.0,20.5,3.25,4.0\n0,0,0,0\n'
        '0.1,0.2,0.3,0.4\n',
        'longterm/v/v_001_confidence.value': '\n0.5\n0.125\n0.75\n',
        'longterm/v/v_001_time.value': '0.25\n0.03125\n0.5\n1.0\n',
    }


def test_oxuva_bytes_match_dump_predictions_csv(tmp_path):
    """OxUvA ``io_pred.dump_predictions_csv``: ``csv.DictWriter`` (excel
    dialect, ``\\r\\n``) over ``PREDICTION_FIELD_NAMES``, no header,
    ``util.bool2str`` flags and ``make_prediction``'s zero rectangle when
    absent; frames after the initial one, with their frame numbers."""
    video = _videos()[1]
    write_submission('oxuva', [video], str(tmp_path / 'oxuva'))
    fields = ['video', 'object', 'frame_num', 'present', 'score', 'xmin',
              'xmax', 'ymin', 'ymax']
    expected = io.StringIO()
    writer = csv.DictWriter(expected, fieldnames=fields)
    width, height = video.image_size
    for t in range(1, len(video.boxes_xywh)):
        x, y, w, h = video.boxes_xywh[t].tolist()
        present = not video.absent[t]
        writer.writerow(
            dict(video='vid0002', object='obj0001',
                 frame_num=int(video.frame_ids[t]),
                 present=str(present).lower(),
                 score=float(video.scores[t]),
                 xmin=x / width if present else 0.0,
                 xmax=(x + w) / width if present else 0.0,
                 ymin=y / height if present else 0.0,
                 ymax=(y + h) / height if present else 0.0))
    data = (tmp_path / 'oxuva' / 'vid0002_obj0001.csv').read_bytes()
    assert data == expected.getvalue().encode()
    assert data.count(b'\r\n') == len(video.boxes_xywh) - 1
    assert b',false,' in data and b',true,' in data


def test_anti_uav_json(tmp_path):
    """Anti-UAV ``json.dump({'res': out_res}, f)``: ``[]`` when absent (its
    ``not_exist``), the initial box on frame 0."""
    video = _one([[1, 2, 3, 4], [np.nan] * 4, [5.5, 6, 7, 8]],
                 absent=[False, True, False])
    write_submission('Anti-UAV', [video], str(tmp_path / 'a'))
    text = (tmp_path / 'a' / 'v.txt').read_text()
    assert text == ('{"res": [[1.0, 2.0, 3.0, 4.0], [], '
                    '[5.5, 6.0, 7.0, 8.0]]}')
    assert json.loads(text)['res'][1] == []


@pytest.mark.parametrize('bench', SUBMISSION_BENCHMARKS)
def test_line_endings(tmp_path, bench):
    write_submission(bench, _videos(), str(tmp_path / 's'))
    for rel, text in read_submission_files(bench,
                                           str(tmp_path / 's')).items():
        if bench == 'oxuva':
            assert text.endswith('\r\n') and '\n' not in text.replace(
                '\r\n', ''), rel
        else:
            assert '\r' not in text, rel


def test_a_failing_zip_leaves_nothing_behind(tmp_path, monkeypatch):
    videos = _videos()
    path = write_submission('got10k', videos, str(tmp_path / 'g'))
    before = open(path, 'rb').read()
    calls = []

    def fail_midway(self, name, data, *args, **kwargs):
        # the second file (not folder entry) of the archive
        if not str(getattr(name, 'filename', name)).endswith('/'):
            calls.append(name)
            if len(calls) == 2:
                raise OSError('disk full')
        return original(self, name, data, *args, **kwargs)

    original = zipfile.ZipFile.writestr
    monkeypatch.setattr(zipfile.ZipFile, 'writestr', fail_midway)
    videos[0].boxes_xywh = videos[0].boxes_xywh + 1
    with pytest.raises(OSError, match='disk full'):
        write_submission('got10k', videos, str(tmp_path / 'g'))
    # the old zip untouched, no temporary file left
    assert open(path, 'rb').read() == before
    assert os.listdir(tmp_path) == ['g.zip']
    calls.clear()
    with pytest.raises(OSError, match='disk full'):
        write_submission('trackingnet', videos, str(tmp_path / 't'))
    assert os.listdir(tmp_path) == ['g.zip']


def test_folders_get_whole_files_only(tmp_path, monkeypatch):
    replaced = []

    def fail_second(src, dst):
        if replaced:
            raise KeyboardInterrupt
        replaced.append(dst)
        os.rename(src, dst)

    monkeypatch.setattr(os, 'replace', fail_second)
    videos = _videos()
    with pytest.raises(KeyboardInterrupt):
        write_submission('lasot', videos, str(tmp_path / 'l'))
    # one whole file, the other not written, no temporary file
    assert os.listdir(tmp_path / 'l') == [os.path.basename(replaced[0])]
    text = (tmp_path / 'l' / os.path.basename(replaced[0])).read_text()
    assert text.count('\n') == len(videos[0].boxes_xywh)


def test_bad_input_writes_nothing(tmp_path):
    videos = _videos()
    videos[1].boxes_xywh[3, 1] = np.nan
    with pytest.raises(SubmissionError,
                       match=r"video 'vid0002_obj0001': boxes_xywh is not "
                       r'finite at frame 3'):
        write_submission('lasot', videos, str(tmp_path / 'l'))
    assert not os.path.exists(tmp_path / 'l')


@pytest.mark.parametrize('bench, change, match', [
    ('lasot', dict(boxes_xywh=np.ones((3, 5))), r'shape \(3, 5\)'),
    ('lasot', dict(boxes_xywh=np.ones((0, 4))), r'N >= 1'),
    ('vot_lt', dict(scores=np.ones(2)), r'scores has shape \(2,\)'),
    ('vot_lt', dict(scores=None), 'VOT-LT needs per-frame confidences'),
    ('vot_lt', dict(scores=np.array([1, np.nan, 1])), 'scores is not'),
    ('got10k', dict(times=None), 'GOT-10k needs the measured per-frame'),
    ('got10k', dict(times=np.array([0.1, -1, 0.1])), 'negative'),
    ('anti_uav', dict(absent=np.array([True, False, False])), 'frame 0'),
    ('oxuva', dict(image_size=None), 'image_size'),
    ('oxuva', dict(name='cat-1'), 'needs an object id'),
    ('lasot', dict(name='a/b'), 'cannot be a file name'),
])
def test_bad_input_names_the_video(tmp_path, bench, change, match):
    fields = dict(name='vid7_obj1', boxes_xywh=np.ones((3, 4)),
                  scores=np.ones(3), times=np.full(3, 0.1),
                  image_size=(10, 10))
    fields.update(change)
    with pytest.raises(SubmissionError, match=match) as info:
        write_submission(bench, [SubmissionVideo(**fields)],
                         str(tmp_path / 'x'))
    assert info.value.video in (fields['name'], None)
    assert not os.path.exists(tmp_path / 'x') and not os.path.exists(
        tmp_path / 'x.zip')


def test_absence_formats_accept_nan_boxes_on_absent_frames(tmp_path):
    video = _one([[1, 2, 3, 4], [np.nan] * 4], scores=[1, 0.1],
                 absent=[False, True], times=[0.1, 0.1])
    for bench in ('vot_lt', 'anti_uav'):
        write_submission(bench, [video], str(tmp_path / bench))
    with pytest.raises(SubmissionError, match='frame 1'):
        write_submission('got10k', [video], str(tmp_path / 'g'))


def test_set_level_errors(tmp_path):
    video = _one([[1, 2, 3, 4]])
    with pytest.raises(ValueError, match="unknown benchmark 'vot2018' for "
                       'submission; choose from lasot, '):
        write_submission('vot2018', [video], str(tmp_path / 'x'))
    with pytest.raises(SubmissionError, match='no videos'):
        write_submission('lasot', [], str(tmp_path / 'x'))
    with pytest.raises(SubmissionError, match="'v': given more than once"):
        write_submission('lasot', [video, video], str(tmp_path / 'x'))
    twins = [SubmissionVideo('vid1_obj0', np.ones((2, 4)), image_size=(1, 1)),
             SubmissionVideo('vid1', np.ones((2, 4)), image_size=(1, 1),
                             object_id='obj0')]
    with pytest.raises(SubmissionError, match="'vid1': writes vid1_obj0.csv"):
        write_submission('oxuva', twins, str(tmp_path / 'x'))
    with pytest.raises(SubmissionError,
                       match='2 video.s. missing from the lasot submission: '
                       'a, b'):
        write_submission('lasot', [video], str(tmp_path / 'x'),
                         expected_names=['a', 'v', 'b'])
    assert not os.path.exists(tmp_path / 'x')


@pytest.mark.parametrize('name, expected', [
    ('GOT-10k', 'got10k'), ('LaSOT_ext', 'lasot_ext'), ('VOT-LT', 'vot_lt'),
    ('Anti-UAV', 'anti_uav'), ('UAV20L', 'uav20l'), (' oxuva ', 'oxuva')
])
def test_benchmark_spellings(name, expected):
    assert normalize_benchmark(name) == expected


def test_atomic_writes_follow_the_umask_not_owner_only(tmp_path):
    from mmtrack_smallobj.evaluation.functional import write_text_atomic
    old = os.umask(0o022)
    try:
        path = tmp_path / 'a.txt'
        write_text_atomic(str(path), 'x\n')
        assert path.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)
