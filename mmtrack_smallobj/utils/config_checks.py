"""Checks shared by the config options of trackers and heads.

A typo in a config key would otherwise be ignored, and a string or a bool
where a number belongs would fail deep inside (or, for a bool, silently
count as 0 or 1); these name the key instead.
"""
import copy
from typing import Any, Optional

__all__ = [
    'merge_cfg_defaults', 'merge_optional_cfg', 'is_number', 'is_integer'
]


def merge_cfg_defaults(owner: str,
                       cfg: Optional[dict],
                       defaults: dict,
                       section: str = 'test_cfg') -> dict:
    """A tracker's test (or train) config: its defaults updated by the
    given one.

    Args:
        owner (str): The tracker's name, for the error.
        cfg (dict, optional): The config's ``test_cfg`` or ``train_cfg``
            (copied).
        defaults (dict): Every known key with its default.
        section (str): The config key named in the error. Defaults to
            'test_cfg'.

    Returns:
        dict: The merged config.

    Raises:
        KeyError: for a key ``defaults`` does not know (a typo would
            otherwise be ignored).
    """
    unknown = set(cfg or {}) - set(defaults)
    if unknown:
        raise KeyError(f'unknown {owner} {section} keys {sorted(unknown)}; '
                       f'known: {sorted(defaults)}')
    return {**defaults, **copy.deepcopy(cfg or {})}


def merge_optional_cfg(owner: str, cfg: Optional[dict], defaults: dict,
                       section: str) -> Optional[dict]:
    """An optional config section (a feature that is off when None): its
    defaults updated by the given one.

    Args:
        owner (str): The component's name, for the error.
        cfg (dict, optional): The section; None turns the feature off.
        defaults (dict): Every known key with its default.
        section (str): The config key named in the errors, e.g.
            'test_cfg.size_calibration'.

    Returns:
        dict, optional: The merged section, or None when off.

    Raises:
        TypeError: Neither a dict nor None.
        KeyError: See :func:`merge_cfg_defaults`.
    """
    if cfg is None:
        return None
    if not isinstance(cfg, dict):
        raise TypeError(f'{section} must be a dict or None, got {cfg!r}')
    return merge_cfg_defaults(owner, cfg, defaults, section)


def is_number(value: Any) -> bool:
    """An int or a float, not a bool (which Python counts as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_integer(value: Any) -> bool:
    """An int, not a bool (which Python counts as an int)."""
    return isinstance(value, int) and not isinstance(value, bool)
