"""Checks shared by the config options of trackers and heads.

A typo in a config key would otherwise be ignored, and a string or a bool
where a number belongs would fail deep inside (or, for a bool, silently
count as 0 or 1); these name the key instead.
"""
import copy
import math
import numbers
from typing import Any, Iterable, List, Optional, Union

__all__ = [
    'merge_cfg_defaults', 'merge_optional_cfg', 'check_number',
    'check_choice', 'epoch_override_options'
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


def check_number(name: str,
                 value: Any,
                 low: Optional[float] = None,
                 high: Optional[float] = None,
                 *,
                 low_open: bool = False,
                 high_open: bool = False,
                 integer: bool = False) -> Union[int, float]:
    """A config number checked against its range, or a ValueError naming
    its key.

    The message always reads ``'{name} must be a number in (0, 1], got
    0'`` for two bounds (a bracket per end: round for open, square for
    closed), ``'... must be a number > 0, got ...'`` (or ``>= 0``,
    ``< 1``, ``<= 1``) for one, ``'... must be a number, got ...'`` for
    none, and ``'an integer'`` instead of ``'a number'`` in integer mode.

    Numpy scalars pass like Python ones; bools (which Python counts as
    ints), strings, NaN and infinities never do.

    Args:
        name (str): The key named in the error, e.g.
            ``'test_cfg.box_smoothing.size_lr'``.
        value (Any): The config's value.
        low (float, optional): Lower bound; None for none.
        high (float, optional): Upper bound; None for none.
        low_open (bool): ``low`` itself is out of range. Defaults to False.
        high_open (bool): ``high`` itself is out of range. Defaults to
            False.
        integer (bool): Only integers pass (not ``2.0``). Defaults to
            False.

    Returns:
        int | float: ``value`` as an int in integer mode, else as a float.

    Raises:
        ValueError: ``value`` is not such a number or is out of range.
    """
    kind = 'an integer' if integer else 'a number'
    if low is not None and high is not None:
        rule = (f" in {'(' if low_open else '['}{_bound_text(low)}, "
                f"{_bound_text(high)}{')' if high_open else ']'}")
    elif low is not None:
        rule = f" {'>' if low_open else '>='} {_bound_text(low)}"
    elif high is not None:
        rule = f" {'<' if high_open else '<='} {_bound_text(high)}"
    else:
        rule = ''
    wanted = numbers.Integral if integer else numbers.Real
    # Integers skip isfinite, which overflows on ints past a float's range.
    valid = isinstance(value, wanted) and not isinstance(value, bool) and (
        integer or math.isfinite(value))
    if valid and low is not None:
        valid = value > low if low_open else value >= low
    if valid and high is not None:
        valid = value < high if high_open else value <= high
    if not valid:
        raise ValueError(f'{name} must be {kind}{rule}, got {value!r}')
    return int(value) if integer else float(value)


def check_choice(name: str, value: Any, choices: Iterable) -> Any:
    """A config value that must be one of a few, or a ValueError naming
    its key: ``'{name} must be one of ('a', 'b'), got 'c'``.

    Args:
        name (str): The key named in the error, e.g. ``'test_cfg.strategy'``.
        value (Any): The config's value.
        choices (Iterable): The accepted values (a dict's keys count).

    Returns:
        Any: ``value``.

    Raises:
        ValueError: ``value`` is not one of ``choices``.
    """
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f'{name} must be one of {choices}, got {value!r}')
    return value


def _bound_text(bound: float) -> str:
    """A bound as the docs write it: ``1``, not ``1.0``."""
    if isinstance(bound, numbers.Integral):
        return str(int(bound))
    bound = float(bound)
    if bound.is_integer() and abs(bound) < 1e15:
        return str(int(bound))
    return repr(bound)


def epoch_override_options(cfg: Union[str, dict],
                           epochs: int) -> List[str]:
    """``--cfg-options`` that train ``cfg`` for ``epochs`` epochs, with the
    schedule stretched to match.

    Setting ``train_cfg.max_epochs`` alone leaves the learning-rate
    schedulers ending at the old count (the extra epochs run at the final,
    smallest rate) and, where validation was switched off by a
    ``val_begin`` past the last epoch, turns it on for the extra epochs.
    Every scheduler ``end`` and ``T_max`` equal to the old epoch count, and
    such a ``val_begin``, follow the new count.

    Args:
        cfg (str | dict): The config file, or the loaded config
            (``train_cfg.max_epochs`` and, optionally, ``param_scheduler``).
        epochs (int): The new number of epochs.

    Returns:
        list[str]: ``key=value`` options.

    Raises:
        ValueError: ``epochs`` below 1, or a config without
            ``train_cfg.max_epochs``.
    """
    check_number('epochs', epochs, 1, integer=True)
    if isinstance(cfg, str):
        # Imported here: the checks above need no mmengine.
        from mmengine.config import Config
        cfg = Config.fromfile(cfg)
    old = (cfg.get('train_cfg') or {}).get('max_epochs')
    if old is None:
        raise ValueError('the config has no train_cfg.max_epochs to override')
    options = [f'train_cfg.max_epochs={epochs}']
    val_begin = cfg['train_cfg'].get('val_begin')
    if val_begin is not None and val_begin > old:
        options.append(f'train_cfg.val_begin={epochs + 1}')
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for index, scheduler in enumerate(schedulers):
        for key in ('end', 'T_max'):
            if scheduler.get(key) == old and scheduler.get('by_epoch', True):
                options.append(f'param_scheduler.{index}.{key}={epochs}')
    return options
