"""Reseed the random number generators at every epoch, so that resuming a
killed run reproduces the uninterrupted run.

What ``--resume`` restores in mmengine 0.10: the weights, the optimizer and
parameter-scheduler states, the message hub, the epoch and iteration, and the
sampler order (``DistSamplerSeedHook`` calls ``set_epoch``, and mmtrack's
``QuotaSampler`` and mmengine's ``DefaultSampler`` shuffle with
``seed + epoch``). What it does not restore is the state of Python's, NumPy's
and torch's global generators: a resumed run seeds them once at start-up, so
epoch ``e + 1`` after a resume draws its augmentations
(``VisiblePairSampling``, flips, colour jitter, which run in the training
process when ``num_workers=0``) from a different state than the
uninterrupted run, whose generators had been advanced by epochs ``1..e``.
The losses then differ from the first resumed iteration on.

:class:`EpochReseedHook` makes each epoch's draws a function of
``(seed, epoch)`` only, whichever process ran the earlier epochs.

Dataloader workers have their own generators. mmengine seeds each worker
with ``seed + worker_id + rank * num_workers`` when the worker starts: with
``persistent_workers=False`` that happens at every epoch, so resuming is
exact; persistent workers keep their state across epochs, which a resumed
run cannot reproduce, so this hook warns about them.
"""
import logging
import random

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmtrack.registry import HOOKS

__all__ = ['EpochReseedHook', 'epoch_seed']


def epoch_seed(seed: int, epoch: int, rank: int = 0) -> int:
    """The seed of one epoch (and rank), well mixed so that nearby seeds and
    epochs do not give overlapping random streams.

    Args:
        seed (int): The run's seed.
        epoch (int): 0-based epoch.
        rank (int): Process rank, for runs that seed ranks differently.
            Defaults to 0.

    Returns:
        int: A seed in ``[0, 2**32)``, valid for NumPy, Python and torch.
    """
    # SeedSequence takes non-negative entropy only; the mask keeps negative
    # seeds usable and distinct.
    entropy = [seed & 0xFFFFFFFFFFFFFFFF, epoch, rank]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


@HOOKS.register_module()
class EpochReseedHook(Hook):
    """Seed ``random``, ``numpy.random`` and ``torch`` from ``(seed, epoch)``
    before every training epoch, so that a run resumed from an epoch
    checkpoint draws the same random numbers as an uninterrupted run.

    The seed is the runner's (``randomness.seed``, or the synchronised random
    seed when none is set); with ``randomness.diff_rank_seed=True`` the rank
    enters the seed too, as in mmengine's own seeding.

    With ``IterBasedTrainLoop`` there is one 'epoch', so the hook only seeds
    once; mmengine replays the dataloader up to the resumed iteration there.
    """

    def before_train(self, runner) -> None:
        """Warn when persistent dataloader workers make resuming inexact.

        Args:
            runner (Runner): The runner of the training process.
        """
        loader = runner.train_dataloader
        if loader.num_workers > 0 and loader.persistent_workers:
            runner.logger.log(
                logging.WARNING,
                'train_dataloader.persistent_workers=True: the augmentation '
                'random state of the workers is not restored by --resume, so '
                'a resumed run will not reproduce an uninterrupted one '
                'exactly; set persistent_workers=False (or num_workers=0) '
                'where that matters.')

    def before_train_epoch(self, runner) -> None:
        """Seed the global generators for the epoch about to start.

        Args:
            runner (Runner): The runner of the training process.
        """
        randomness = runner.cfg.get('randomness', None) or {}
        rank = get_rank() if randomness.get('diff_rank_seed', False) else 0
        seed = epoch_seed(runner.seed, runner.epoch, rank)
        random.seed(seed)
        np.random.seed(seed)
        # Seeds the generators of every device too.
        torch.manual_seed(seed)
