"""Runner-level glue: hooks (registered into mmtrack's HOOKS) and checkpoint I/O."""
from .atomic_checkpoint import AtomicCheckpointHook, AtomicLocalBackend
from .checkpoint_loader import load_from_local
from .epoch_seed_hook import EpochReseedHook
from .train_time_budget_hook import TrainTimeBudgetHook

__all__ = [
    'load_from_local', 'AtomicCheckpointHook', 'AtomicLocalBackend',
    'EpochReseedHook', 'TrainTimeBudgetHook'
]
