"""Hooks that the training tests put into real runs (not a test module).

The distributed and resume tests run ``tools/train.py`` in subprocesses; a
config written by the test imports this module (``custom_imports``, with
``tests/engine`` on ``PYTHONPATH``) and adds these hooks, which leave
evidence in the work_dir for the test to check.
"""
import os
import os.path as osp
import signal
from typing import Dict, List, Optional

import torch
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmtrack.registry import HOOKS


def _parameters(runner) -> Dict[str, torch.Tensor]:
    """Copies of the model's parameters, without the DDP wrapper prefix."""
    model = runner.model
    if is_model_wrapper(model):
        model = model.module
    return {
        name: param.detach().cpu().clone()
        for name, param in model.named_parameters()
    }


@HOOKS.register_module()
class RankProbeHook(Hook):
    """Save, per rank, what a distributed test needs to check: the sampled
    dataset indices of every epoch, the dataset's class, how many
    checkpoints this rank wrote, and the parameters before and after
    training, to ``work_dir/probe_rank{rank}.pt``.
    """

    # After DistSamplerSeedHook (NORMAL) has set the sampler's epoch.
    priority = 'LOW'

    def __init__(self) -> None:
        self.indices: List[List[int]] = []
        self.saves = 0
        self.initial: Optional[Dict[str, torch.Tensor]] = None

    def before_train(self, runner) -> None:
        self.initial = _parameters(runner)

    def before_train_epoch(self, runner) -> None:
        sampler = runner.train_dataloader.sampler
        self.indices.append([int(i) for i in sampler])

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        # Runner.save_checkpoint calls this hook right before writing, on
        # the processes that write.
        self.saves += 1

    def after_train(self, runner) -> None:
        rank, world_size = get_dist_info()
        torch.save(
            dict(
                rank=rank,
                world_size=world_size,
                pid=os.getpid(),
                dataset=type(runner.train_dataloader.dataset).__name__,
                indices=self.indices,
                saves=self.saves,
                initial=self.initial,
                final=_parameters(runner)),
            osp.join(runner.work_dir, f'probe_rank{rank}.pt'))


@HOOKS.register_module()
class KillAtIterHook(Hook):
    """SIGKILL the training process after iteration ``kill_iter`` (1-based),
    as an out-of-memory killer or a preempting scheduler would: no cleanup,
    no exception handlers, no final log line.

    Args:
        kill_iter (int): The last iteration that completes.
    """

    # Before LoggerHook (BELOW_NORMAL): the killed iteration is not logged.
    priority = 'NORMAL'

    def __init__(self, kill_iter: int) -> None:
        self.kill_iter = kill_iter

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if runner.iter + 1 == self.kill_iter:
            os.kill(os.getpid(), signal.SIGKILL)
