import os.path as osp

import pytest

from mmtrack_smallobj.utils import (install_mim_test_shim, mmtrack_tool_path,
                                    normalise_tool_argv)


def test_positional_checkpoint_becomes_flag():
    argv = ['cfg.py', 'ckpt.pth', '--launcher', 'none', '--work-dir', 'w']
    assert normalise_tool_argv('test', argv) == [
        'cfg.py', '--checkpoint', 'ckpt.pth', '--launcher', 'none',
        '--work-dir', 'w'
    ]


def test_flag_checkpoint_is_kept():
    argv = ['cfg.py', '--checkpoint', 'ckpt.pth']
    assert normalise_tool_argv('test', argv) == argv


def test_checkpoint_given_twice_is_refused():
    with pytest.raises(SystemExit, match='twice'):
        normalise_tool_argv('test', ['c.py', 'a.pth', '--checkpoint', 'b.pth'])


def test_cfg_options_are_passed_through_untouched():
    argv = ['c.py', '--cfg-options', 'a=1', 'b.c=x', '--launcher', 'none']
    assert normalise_tool_argv('train', argv) == argv


def test_local_rank_spelling_is_fixed():
    assert normalise_tool_argv('train', ['c.py', '--local-rank=3']) == [
        'c.py', '--local_rank=3'
    ]
    assert normalise_tool_argv('train', ['c.py', '--local-rank', '1']) == [
        'c.py', '--local_rank', '1'
    ]


def test_extra_positional_for_train_is_refused():
    with pytest.raises(SystemExit, match='unexpected positional'):
        normalise_tool_argv('train', ['c.py', 'ckpt.pth'])


def test_unknown_tool_is_refused():
    with pytest.raises(ValueError, match='unknown mmtrack tool'):
        mmtrack_tool_path('deploy')


def test_mmtrack_tool_paths_exist():
    for name in ('train', 'test'):
        assert osp.isfile(mmtrack_tool_path(name))


def test_shim_is_written_where_mim_looks_first(tmp_path):
    path = install_mim_test_shim(str(tmp_path))
    assert path == str(tmp_path / 'tools' / 'test.py')
    text = open(path).read()
    assert "run_mmtrack_tool('test'" in text
    compile(text, path, 'exec')
