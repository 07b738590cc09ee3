"""Whole-set generation: determinism, refusal to clobber, bad options."""
import filecmp
import os
import os.path as osp

import pytest

from mmtrack_smallobj.datasets.synthetic import generate_dataset


def _tree(root):
    """Relative paths of every file under ``root``."""
    return sorted(
        osp.relpath(osp.join(d, f), root) for d, _, files in os.walk(root)
        for f in files)


def _same_bytes(a, b):
    files = _tree(a)
    assert files == _tree(b)
    _, mismatch, errors = filecmp.cmpfiles(a, b, files, shallow=False)
    return not mismatch and not errors


@pytest.mark.parametrize('fmt', ['lasot', 'got10k', 'mot'])
def test_same_seed_gives_identical_bytes(tmp_path, tiny, fmt):
    tiny['make'](tmp_path / 'a', fmt, num_videos=2, num_frames=4)
    tiny['make'](tmp_path / 'b', fmt, num_videos=2, num_frames=4)
    assert _same_bytes(tmp_path / 'a', tmp_path / 'b')


def test_other_seed_differs(tmp_path, tiny):
    tiny['make'](tmp_path / 'a', 'got10k', num_videos=1, num_frames=3)
    tiny['make'](tmp_path / 'b', 'got10k', num_videos=1, num_frames=3,
                 seed=8)
    frame = osp.join('GOT-10k_Test_000001', '00000001.jpg')
    assert not filecmp.cmp(tmp_path / 'a' / frame, tmp_path / 'b' / frame,
                           shallow=False)


def test_a_video_does_not_depend_on_how_many_are_made(tmp_path, tiny):
    tiny['make'](tmp_path / 'one', 'got10k', num_videos=1, num_frames=4)
    tiny['make'](tmp_path / 'two', 'got10k', num_videos=2, num_frames=4)
    name = 'GOT-10k_Test_000001'
    assert _same_bytes(tmp_path / 'one' / name, tmp_path / 'two' / name)


def test_refuses_non_empty_output_unless_overwrite(tmp_path, tiny):
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'keep.txt').write_text('x')
    with pytest.raises(FileExistsError, match='overwrite'):
        tiny['make'](out, 'lasot', num_videos=1, num_frames=2)
    assert _tree(out) == ['keep.txt']
    tiny['make'](out, 'lasot', num_videos=1, num_frames=2, overwrite=True)
    assert 'keep.txt' not in _tree(out)
    assert osp.isfile(out / 'lasot_test_infos.txt')
    assert os.listdir(tmp_path) == ['out'], 'no temporary folder left'


def test_empty_existing_output_is_fine(tmp_path, tiny):
    (tmp_path / 'out').mkdir()
    tiny['make'](tmp_path / 'out', 'mot', num_videos=1, num_frames=2)
    assert osp.isfile(tmp_path / 'out' / 'SYNTH-0001' / 'gt' / 'gt.txt')


def test_interrupted_run_leaves_nothing(tmp_path, tiny, monkeypatch):
    from mmtrack_smallobj.datasets.synthetic import writers

    def explode(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(writers.LaSOTWriter, 'finish', explode)
    with pytest.raises(KeyboardInterrupt):
        tiny['make'](tmp_path / 'out', 'lasot', num_videos=1, num_frames=2)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize('option, value', [
    ('fmt', 'vot'),
    ('split', 'dev'),
    ('num_videos', 0),
    ('num_frames', 2.5),
    ('seed', -1),
    ('jpeg_quality', 101),
    ('frame_size', (10, 10)),
    ('size_range', (4, 1000)),
    ('size_distribution', 'normal'),
    ('num_distractors', -2),
    ('occlusion_rate', -0.5),
    ('absence_length', (3, 1)),
])
def test_bad_options_raise_value_error_naming_them(tmp_path, option, value):
    options = dict(fmt='lasot', num_videos=1, num_frames=2, progress=False)
    options[option] = value
    with pytest.raises(ValueError, match=option):
        generate_dataset(str(tmp_path / 'out'), **options)
    assert not osp.exists(tmp_path / 'out')


def test_a_bad_count_names_its_integer_range(tmp_path):
    with pytest.raises(ValueError, match=r'^num_frames must be an integer '
                       r'in \[1, 1000000\], got 2.5$'):
        generate_dataset(str(tmp_path / 'out'), fmt='lasot', num_videos=1,
                         num_frames=2.5, progress=False)
