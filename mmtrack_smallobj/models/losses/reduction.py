"""The ``reduction`` checks of mmdet's loss contract, shared by every loss of
this package: a loss is built with a reduction and may be called with a
``reduction_override``."""
from typing import Optional

REDUCTIONS = ('none', 'mean', 'sum')


def check_reduction(reduction: str) -> str:
    """The reduction a loss is built with, checked.

    Args:
        reduction (str): 'none', 'mean' or 'sum'.

    Returns:
        str: ``reduction``.

    Raises:
        AssertionError: for any other value.
    """
    assert reduction in REDUCTIONS, f'unknown reduction {reduction}'
    return reduction


def resolve_reduction(reduction_override: Optional[str],
                      reduction: str) -> str:
    """The reduction of one call: the override when given, else the loss's.

    Args:
        reduction_override (str, optional): None, 'none', 'mean' or 'sum'.
        reduction (str): The loss's own reduction.

    Returns:
        str: The reduction to apply.

    Raises:
        AssertionError: for an unknown override.
    """
    assert reduction_override is None or reduction_override in REDUCTIONS, (
        f'unknown reduction {reduction_override}')
    return reduction_override or reduction
