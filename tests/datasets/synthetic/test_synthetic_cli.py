"""tools/make_synthetic.py: one real subprocess run, the rest in-process."""
import importlib.util
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
SCRIPT = osp.join(ROOT, 'tools', 'make_synthetic.py')
COMMON = ['--videos', '2', '--frames', '3', '--seed', '1', '--frame-size',
          '64x64', '--size-range', '4,20', '--size-bins', '4-8:1,8-20:3',
          '--distractors', '1']


@pytest.fixture(scope='module')
def cli():
    """The script's ``main``, loaded from its file (tools/ is no package)."""
    spec = importlib.util.spec_from_file_location('make_synthetic', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_cli_subprocess_writes_a_set(tmp_path):
    out = str(tmp_path / 'syn')
    done = subprocess.run(
        [sys.executable, SCRIPT, out, '--format', 'lasot', '--split', 'test',
         *COMMON],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120)
    assert done.returncode == 0, done.stderr
    assert 'wrote 2 lasot videos' in done.stdout
    assert osp.isfile(osp.join(out, 'lasot_test_infos.txt'))


def test_cli_refuses_to_clobber_unless_overwrite(tmp_path, cli, capsys):
    out = str(tmp_path / 'syn')
    assert cli([out, '--format', 'mot', '--no-progress', *COMMON]) == 0
    assert cli([out, '--format', 'got10k', '--no-progress', *COMMON]) == 2
    assert '--overwrite' in capsys.readouterr().err
    assert cli([out, '--format', 'got10k', '--no-progress', '--overwrite',
                *COMMON]) == 0
    assert osp.isfile(osp.join(out, 'got10k_train_infos.txt'))
    assert not osp.exists(osp.join(out, 'SYNTH-0001'))


@pytest.mark.parametrize('flag, value, option', [
    ('--occlusion-rate', '-1', 'occlusion_rate'),
    ('--size-bins', '4-200:1', 'size_distribution'),
    ('--size-bins', 'many', 'size bins'),
    ('--frame-size', '16x16', 'frame_size'),
])
def test_cli_reports_bad_options(tmp_path, cli, capsys, flag, value, option):
    out = str(tmp_path / 'x')
    assert cli([out, '--no-progress', flag, value]) == 2
    assert option in capsys.readouterr().err
    assert not osp.exists(out)


def test_cli_rejects_malformed_pairs(tmp_path, cli):
    with pytest.raises(SystemExit):
        cli([str(tmp_path / 'x'), '--frame-size', '64'])
