"""A failure while a checkpoint is being saved leaves the previous checkpoint
and ``last_checkpoint`` intact, and ``--resume`` carries on from them.

The failure is injected at the last step of a save (the rename of the
complete temporary file), which is also where a kill leaves the most on
disk; a SIGKILL's only extra trace, the temporary file itself, is removed
when training restarts.
"""
import errno
import os
import os.path as osp

import pytest
import torch
from mmengine.fileio import LocalBackend, get_file_backend
from mmengine.hooks import CheckpointHook

from mmtrack_smallobj.engine import atomic_checkpoint
from mmtrack_smallobj.engine.atomic_checkpoint import (
    AtomicCheckpointHook, AtomicLocalBackend, remove_stale_temporaries,
    write_bytes_atomic)
from toy_runner import toy_runner


def _runner(work_dir, hook, name, resume=False):
    return toy_runner(
        work_dir, name, batch_size=2, checkpoint=hook, resume=resume)


def _fail_on(monkeypatch, target, name):
    """Make ``target.name`` raise ENOSPC when it writes ``epoch_3.pth``."""
    original = getattr(target, name)

    def failing(*args, **kwargs):
        if any(str(a).endswith('epoch_3.pth') for a in args):
            raise OSError(errno.ENOSPC, 'No space left on device')
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)


def test_failed_save_keeps_previous_checkpoint_then_resume(
        tmp_path, monkeypatch, request):
    name = request.node.name
    _fail_on(monkeypatch, atomic_checkpoint.os, 'replace')
    runner = _runner(tmp_path, AtomicCheckpointHook(interval=1,
                                                    max_keep_ckpts=1), name)
    with pytest.raises(OSError, match='No space left'):
        runner.train()
    pths = sorted(p.name for p in tmp_path.glob('*.pth'))
    # epoch_1 was rotated out only after epoch_2 was complete.
    assert pths == ['epoch_2.pth']
    assert not list(tmp_path.glob('.*.tmp'))
    last = (tmp_path / 'last_checkpoint').read_text()
    assert last == str(tmp_path / 'epoch_2.pth')
    state = torch.load(last, map_location='cpu', weights_only=False)
    assert state['meta']['epoch'] == 2

    monkeypatch.undo()
    # What a SIGKILL during the rename would also have left behind.
    stale = tmp_path / '.epoch_3.pth.k1ll3d.tmp'
    stale.write_bytes(b'half a checkpoint')
    resumed = _runner(
        tmp_path,
        AtomicCheckpointHook(interval=1, max_keep_ckpts=1),
        name + '_resumed',
        resume=True)
    resumed.train()
    assert resumed.epoch == 3
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['epoch_3.pth']
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path /
                                                             'epoch_3.pth')


def test_mmengine_hook_loses_the_checkpoint_under_the_same_failure(
        tmp_path, monkeypatch, request):
    # Why AtomicCheckpointHook exists: mmengine's hook deletes epoch_2 before
    # writing epoch_3, in place. If this starts failing, mmengine fixed it.
    _fail_on(monkeypatch, LocalBackend, 'put')
    runner = _runner(tmp_path, CheckpointHook(interval=1, max_keep_ckpts=1),
                     request.node.name)
    with pytest.raises(OSError, match='No space left'):
        runner.train()
    assert not list(tmp_path.glob('*.pth'))
    last = (tmp_path / 'last_checkpoint').read_text()
    assert last.endswith('epoch_2.pth') and not osp.exists(last)


def test_write_bytes_atomic_replaces_whole_file_or_nothing(
        tmp_path, monkeypatch):
    folder = tmp_path / 'new_folder'
    first, third = str(folder / 'epoch_1.pth'), str(folder / 'epoch_3.pth')
    write_bytes_atomic(first, b'old')
    write_bytes_atomic(first, b'new')
    write_bytes_atomic(third, b'old')
    assert open(first, 'rb').read() == b'new'
    _fail_on(monkeypatch, atomic_checkpoint.os, 'replace')
    with pytest.raises(OSError):
        write_bytes_atomic(third, b'x' * 100000)
    assert open(third, 'rb').read() == b'old'
    # The temporary file of the failed write is gone too.
    assert sorted(os.listdir(folder)) == ['epoch_1.pth', 'epoch_3.pth']


def test_write_bytes_atomic_follows_the_umask(tmp_path):
    # mkstemp's temporary file is owner-only; the written file must get
    # the mode open() would give it, whatever the umask.
    old = os.umask(0o027)
    try:
        write_bytes_atomic(str(tmp_path / 'a.pth'), b'x')
        os.umask(0o002)
        write_bytes_atomic(str(tmp_path / 'b.pth'), b'x')
    finally:
        os.umask(old)
    assert os.stat(tmp_path / 'a.pth').st_mode & 0o777 == 0o640
    assert os.stat(tmp_path / 'b.pth').st_mode & 0o777 == 0o664


def test_atomic_backend_is_selected_by_name_only(tmp_path):
    backend = get_file_backend(
        str(tmp_path), backend_args=dict(backend='atomic_local'))
    assert isinstance(backend, AtomicLocalBackend)
    backend.put_text('epoch_1.pth', str(tmp_path / 'last_checkpoint'))
    assert backend.get_text(str(tmp_path / 'last_checkpoint')) == (
        'epoch_1.pth')
    # Plain local paths keep mmengine's own backend.
    assert type(get_file_backend(str(tmp_path))) is LocalBackend


def test_only_checkpoint_temporaries_are_cleaned(tmp_path):
    names = ['.epoch_2.pth.ab12.tmp', '.last_checkpoint.cd34.tmp',
             '.video_1.txt.ef56.tmp', 'epoch_1.pth']
    for name in names:
        (tmp_path / name).write_bytes(b'')
    removed = remove_stale_temporaries(str(tmp_path))
    assert sorted(osp.basename(p) for p in removed) == names[:2]
    assert sorted(os.listdir(tmp_path)) == ['.video_1.txt.ef56.tmp',
                                            'epoch_1.pth']
