"""Runner-level glue: hooks (registered into mmtrack's HOOKS) and checkpoint I/O."""
from .checkpoint_loader import load_from_local

__all__ = ['load_from_local']
