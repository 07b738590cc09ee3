"""Runner-level glue: hooks (registered into mmtrack's HOOKS) and checkpoint I/O."""
from .checkpoint_loader import load_local_checkpoint

__all__ = ['load_local_checkpoint']
