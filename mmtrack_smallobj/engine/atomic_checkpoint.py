"""Checkpoints that a kill during saving cannot corrupt.

mmengine's :class:`~mmengine.hooks.CheckpointHook` writes ``epoch_N.pth``
with ``open(path, 'wb')`` (through ``LocalBackend.put``) and then rewrites
``last_checkpoint`` the same way, and with ``max_keep_ckpts`` it deletes the
oldest checkpoint *before* writing the new one. A SIGKILL or a full disk in
that window leaves a truncated checkpoint, an empty ``last_checkpoint``, or a
``last_checkpoint`` naming a file that was already deleted, and ``--resume``
then fails or loads garbage.

:class:`AtomicCheckpointHook` keeps CheckpointHook's behaviour and arguments
and changes three things for local folders: every file is written to a
temporary name in the same folder, flushed to disk and renamed over the
target (:func:`write_bytes_atomic`, used through the ``atomic_local`` file
backend); ``last_checkpoint`` is replaced only once the checkpoint it names is
complete; and outdated checkpoints are deleted only after that.
"""
import glob
import os
import os.path as osp
from typing import Dict, List, Union

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook
from mmtrack.registry import HOOKS

from ..evaluation.functional.file_io import (TMP_PREFIX, TMP_SUFFIX,
                                             write_atomic)

__all__ = [
    'write_bytes_atomic', 'remove_stale_temporaries', 'AtomicLocalBackend',
    'AtomicCheckpointHook'
]

ATOMIC_BACKEND = 'atomic_local'


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the
    whole new one, never a part, even if the process is killed midway.

    The bytes go to a uniquely named temporary file in the same folder (a
    rename is only atomic within one file system), are flushed and fsynced,
    and the file is renamed over ``path``; the folder is fsynced so that the
    rename itself is on disk. The file's mode follows the umask, as
    ``open``'s would.

    Args:
        path (str): Destination; its folder is created when missing.
        data (bytes): The whole content.
    """
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    write_atomic(path, lambda f: f.write(data), durable=True)


def remove_stale_temporaries(folder: str) -> List[str]:
    """Delete the temporaries of checkpoint saves that were killed midway.

    Only temporaries of ``*.pth`` files and of ``last_checkpoint`` are
    removed: other atomic writers (result files) may share the folder.

    Args:
        folder (str): Folder to clean (not recursive).

    Returns:
        list[str]: The removed paths.
    """
    removed = []
    for target in ('*.pth', 'last_checkpoint'):
        pattern = osp.join(
            glob.escape(folder), f'{TMP_PREFIX}{target}.*{TMP_SUFFIX}')
        for path in sorted(glob.glob(pattern)):
            if osp.isfile(path):
                os.remove(path)
                removed.append(path)
    return removed


@register_backend(ATOMIC_BACKEND)
class AtomicLocalBackend(LocalBackend):
    """Local file backend whose writes are atomic (see
    :func:`write_bytes_atomic`); reads are LocalBackend's.

    Selected with ``backend_args=dict(backend='atomic_local')``; it claims no
    URI prefix, so plain local paths keep mmengine's own backend.
    """

    def put(self, obj: bytes, filepath: Union[str, os.PathLike]) -> None:
        """Atomically write bytes to ``filepath``.

        Args:
            obj (bytes): Data to be written.
            filepath (str or PathLike): Destination.
        """
        write_bytes_atomic(str(filepath), obj)

    def put_text(self,
                 obj: str,
                 filepath: Union[str, os.PathLike],
                 encoding: str = 'utf-8') -> None:
        """Atomically write text to ``filepath``.

        Args:
            obj (str): Text to be written.
            filepath (str or PathLike): Destination.
            encoding (str): Text encoding. Defaults to 'utf-8'.
        """
        write_bytes_atomic(str(filepath), obj.encode(encoding))


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """:class:`~mmengine.hooks.CheckpointHook` (same arguments) whose
    checkpoints and ``last_checkpoint`` are replaced atomically, and which
    deletes outdated checkpoints only after the new one is complete.

    Atomic writing applies when checkpoints go to a local folder and neither
    ``backend_args`` nor ``file_client_args`` is given; other storage keeps
    its own semantics (object stores replace objects whole anyway).

    The best checkpoint (``save_best``) is written atomically too, but
    CheckpointHook still deletes the previous best before writing it: a kill
    in between loses the best checkpoint, never the one ``--resume`` reads.
    """

    # Decided in before_train, once the output folder is known.
    atomic = False

    def before_train(self, runner) -> None:
        """Resolve the output folder, switch it to the atomic backend, and
        remove temporaries of a save that a previous run was killed in.

        Args:
            runner (Runner): The runner of the training process.
        """
        super().before_train(runner)
        # CheckpointHook picked the backend from out_dir and the arguments:
        # LocalBackend means a local folder with nothing configured.
        self.atomic = (
            self.file_client_args is None and self.backend_args is None
            and isinstance(self.file_backend, LocalBackend))
        if not self.atomic:
            return
        self.backend_args = dict(backend=ATOMIC_BACKEND)
        self.file_backend = AtomicLocalBackend()
        if is_main_process():
            for folder in {self.out_dir, runner.work_dir}:
                for path in remove_stale_temporaries(folder):
                    runner.logger.warning(
                        f'Removed {path}, left by a checkpoint save that '
                        'was interrupted')

    def _save_checkpoint_with_step(self, runner, step: int,
                                   meta: Dict) -> None:
        """Save ``filename_tmpl.format(step)``, then point ``last_checkpoint``
        at it, then delete checkpoints beyond ``max_keep_ckpts``.

        Same bookkeeping as CheckpointHook's (``keep_ckpt_ids`` and
        ``last_ckpt`` go into the message hub before saving, so that the
        checkpoint records them), in an order in which every moment on disk
        has a complete checkpoint named by ``last_checkpoint``.

        Args:
            runner (Runner): The runner of the training process.
            step (int): Epoch or iteration number of the checkpoint.
            meta (dict): Meta information stored in the checkpoint.
        """
        if not self.atomic:
            super()._save_checkpoint_with_step(runner, step, meta)
            return
        outdated = []
        # _save_checkpoint and _save_best_checkpoint may both save the same
        # step; the second call must not rotate the kept list again.
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and
                                            self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))

        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir,
                                                     ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)

        runner.save_checkpoint(
            self.out_dir,
            ckpt_filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)

        # Runner.save_checkpoint writes on the main process only.
        if not is_main_process():
            return
        write_bytes_atomic(
            osp.join(runner.work_dir, 'last_checkpoint'),
            self.last_ckpt.encode('utf-8'))
        for old_step in outdated:
            path = self.file_backend.join_path(
                self.out_dir, self.filename_tmpl.format(old_step))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):
                # Checkpoints saved by DeepSpeed are folders.
                self.file_backend.rmtree(path)
