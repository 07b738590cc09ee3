"""End training once a wall-clock budget is spent, with a checkpoint of the
state it ended in.

Benchmarks that compare trackers "under the same CPU budget" give each one
the same minutes of training rather than the same number of epochs (their
iterations cost very different times). :class:`TrainTimeBudgetHook` measures
the training time from ``before_train`` and, after the first training
iteration that ends past the budget, stops the run; the config's own schedule
stays the upper bound.

mmengine's ``IterBasedTrainLoop`` checks ``train_loop.stop_training`` before
every iteration, but ``EpochBasedTrainLoop`` only between epochs. To stop an
epoch-based run within one iteration of the budget, the hook hands the loop a
view of its dataloader (:class:`BudgetedLoader`) that ends the epoch's
iteration once the budget is spent. The epoch then ends normally
(``after_train_epoch`` runs, so the checkpoint hook saves ``epoch_N.pth``
and ``last_checkpoint`` as usual) and the loop, seeing ``stop_training``,
does not start another. If no checkpoint of that final state was written
(the checkpoint hook saves every few epochs, or there is none), the hook
writes one itself where ``last_checkpoint`` points, so that the test step
always finds the weights training ended with.

A resumed run gets the whole budget again: the clock starts with each
``before_train``.
"""
import os.path as osp
import time
from typing import Iterator, Optional

from mmengine.dist import broadcast_object_list, is_main_process
from mmengine.hooks import CheckpointHook, Hook
from mmengine.runner import EpochBasedTrainLoop
from mmtrack.registry import HOOKS

from ..utils.config_checks import check_number
from .atomic_checkpoint import write_bytes_atomic

__all__ = ['TrainTimeBudgetHook', 'BudgetedLoader']


def _now() -> float:
    """Seconds on a monotonic clock (a module function so tests can fake
    the clock)."""
    return time.monotonic()


class BudgetedLoader:
    """A dataloader view whose iteration ends early once ``hook`` has spent
    its budget; everything else (``len``, ``sampler``, ``num_workers``...)
    is the wrapped dataloader's.

    Args:
        loader: The training dataloader.
        hook (TrainTimeBudgetHook): The hook whose ``exceeded`` flag ends an
            epoch.
    """

    def __init__(self, loader, hook: 'TrainTimeBudgetHook') -> None:
        self.loader = loader
        self.hook = hook

    def __iter__(self) -> Iterator:
        """Yield the wrapped loader's batches until the budget is spent."""
        for batch in self.loader:
            yield batch
            # The iteration on this batch has run (and the hook has checked
            # the clock): end the epoch here rather than load another batch.
            if self.hook.exceeded:
                return

    def __len__(self) -> int:
        """The wrapped loader's length: the planned iterations per epoch."""
        return len(self.loader)

    def __getattr__(self, name: str):
        """Everything else is the wrapped loader's."""
        # __getattr__ only runs for names the view itself lacks; guard
        # 'loader' so a half-built view cannot recurse.
        if name == 'loader':
            raise AttributeError(name)
        return getattr(self.loader, name)


@HOOKS.register_module()
class TrainTimeBudgetHook(Hook):
    """Stop training once it has run for ``budget_minutes`` of wall-clock time.

    Added to a config without editing it, e.g.::

        --cfg-options default_hooks.time_budget.type=TrainTimeBudgetHook \\
            default_hooks.time_budget.budget_minutes=12

    After each training iteration the elapsed time since ``before_train`` is
    compared with the budget (on rank 0, whose decision is broadcast so that
    all ranks stop at the same iteration). Past it, the hook logs once at
    which epoch and iteration training ends, sets
    ``runner.train_loop.stop_training`` and ends the current epoch (see
    :class:`BudgetedLoader`). A checkpoint of the final state is then
    guaranteed: the checkpoint hook's ``epoch_N.pth``/``iter_N.pth`` with
    ``last_checkpoint`` naming it, saved by the hook itself when the
    checkpoint hook did not.

    Args:
        budget_minutes (float): Training time allowed, in minutes; positive.
    """

    priority = 'NORMAL'

    def __init__(self, budget_minutes: float) -> None:
        self.budget_minutes = check_number('budget_minutes', budget_minutes,
                                           0, low_open=True)
        self.exceeded = False
        self._start: Optional[float] = None
        self._loader_view: Optional[BudgetedLoader] = None

    def before_train(self, runner) -> None:
        """Start the clock and, for epoch-based loops, let the loop iterate
        through a :class:`BudgetedLoader`.

        Args:
            runner (Runner): The runner of the training process.
        """
        self.exceeded = False
        self._start = _now()
        loop = runner.train_loop
        if isinstance(loop, EpochBasedTrainLoop) and not isinstance(
                loop.dataloader, BudgetedLoader):
            self._loader_view = BudgetedLoader(loop.dataloader, self)
            loop.dataloader = self._loader_view

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        """Stop training if this iteration ended past the budget.

        Args:
            runner (Runner): The runner of the training process.
            batch_idx (int): Index of the batch in the epoch.
            data_batch: Unused.
            outputs: Unused.
        """
        if self.exceeded or self._start is None:
            return
        elapsed = _now() - self._start
        decision = [elapsed > self.budget_minutes * 60]
        broadcast_object_list(decision, src=0)
        if not decision[0]:
            return
        self.exceeded = True
        runner.train_loop.stop_training = True
        runner.logger.info(
            f'TrainTimeBudgetHook: the training budget of '
            f'{self.budget_minutes:g} min is spent ({elapsed / 60:.2f} min): '
            f'stopping after iteration {runner.iter + 1} of '
            f'{runner.max_iters} (epoch {runner.epoch + 1} of '
            f'{runner.max_epochs}, batch {batch_idx + 1} of '
            f'{len(runner.train_dataloader)})')

    def after_train(self, runner) -> None:
        """Give the loop its dataloader back; after a budget stop, make sure
        the final state is checkpointed.

        Args:
            runner (Runner): The runner of the training process.
        """
        loop = runner.train_loop
        if self._loader_view is not None and loop.dataloader is \
                self._loader_view:
            loop.dataloader = self._loader_view.loader
        self._loader_view = None
        if self.exceeded:
            self._save_final_checkpoint(runner)

    @staticmethod
    def _checkpoint_hook(runner) -> Optional[CheckpointHook]:
        """The runner's checkpoint hook, if it has one."""
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook):
                return hook
        return None

    def _save_final_checkpoint(self, runner) -> None:
        """Save the current state unless the checkpoint hook just did.

        Args:
            runner (Runner): The runner of the training process.
        """
        meta = dict(epoch=runner.epoch, iter=runner.iter)
        ckpt_hook = self._checkpoint_hook(runner)
        if ckpt_hook is not None:
            step = runner.epoch if ckpt_hook.by_epoch else runner.iter
            expected = ckpt_hook.file_backend.join_path(
                ckpt_hook.out_dir, ckpt_hook.filename_tmpl.format(step))
            if getattr(ckpt_hook, 'last_ckpt', None) == expected:
                return
            runner.logger.info(
                f'TrainTimeBudgetHook: saving the final state as {expected}')
            # The checkpoint hook's own bookkeeping: last_checkpoint,
            # max_keep_ckpts, and (AtomicCheckpointHook) atomic writes.
            ckpt_hook._save_checkpoint_with_step(runner, step, meta)
            return
        by_epoch = isinstance(runner.train_loop, EpochBasedTrainLoop)
        filename = (f'epoch_{runner.epoch}.pth'
                    if by_epoch else f'iter_{runner.iter}.pth')
        runner.logger.info('TrainTimeBudgetHook: saving the final state as '
                           f'{osp.join(runner.work_dir, filename)}')
        runner.save_checkpoint(
            runner.work_dir, filename, meta=meta, by_epoch=by_epoch)
        if is_main_process():
            write_bytes_atomic(
                osp.join(runner.work_dir, 'last_checkpoint'),
                osp.join(runner.work_dir, filename).encode('utf-8'))
