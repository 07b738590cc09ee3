"""The checks shared by config options."""
import math
import re

import numpy as np
import pytest

from mmtrack_smallobj.utils.config_checks import (check_choice, check_number,
                                                  epoch_override_options,
                                                  merge_cfg_defaults,
                                                  merge_optional_cfg)

DEFAULTS = dict(steps=20, lr=5e-3)


def _refused(message: str, *args, **kwargs) -> None:
    """``check_number(*args, **kwargs)`` raises exactly ``message``."""
    with pytest.raises(ValueError, match=f'^{re.escape(message)}$'):
        check_number(*args, **kwargs)


@pytest.mark.parametrize('value, kwargs, message', [
    (0, dict(low_open=True), 'x must be a number in (0, 1], got 0'),
    (1, dict(high_open=True), 'x must be a number in [0, 1), got 1'),
    (0, dict(low_open=True, high_open=True),
     'x must be a number in (0, 1), got 0'),
    (1.5, {}, 'x must be a number in [0, 1], got 1.5'),
    (-0.25, {}, 'x must be a number in [0, 1], got -0.25'),
])
def test_two_bounds_show_which_ends_are_open(value, kwargs, message):
    _refused(message, 'x', value, 0, 1, **kwargs)


@pytest.mark.parametrize('kwargs', [
    dict(), dict(low_open=True), dict(high_open=True),
    dict(low_open=True, high_open=True)
])
def test_an_inner_value_passes_whichever_ends_are_open(kwargs):
    assert check_number('x', 0.5, 0, 1, **kwargs) == 0.5


def test_closed_ends_take_the_bound_itself():
    assert check_number('x', 0, 0, 1) == 0.0
    assert check_number('x', 1, 0, 1) == 1.0


def test_a_value_passes_as_a_float():
    value = check_number('x', 2, 0)
    assert value == 2.0 and isinstance(value, float)
    assert isinstance(check_number('x', np.float32(0.5), 0, 1), float)


@pytest.mark.parametrize('value, low, high, kwargs, message', [
    (0, 0, None, dict(low_open=True), 'x must be a number > 0, got 0'),
    (-1e-9, 0, None, {}, 'x must be a number >= 0, got -1e-09'),
    (1, None, 1, dict(high_open=True), 'x must be a number < 1, got 1'),
    (1.01, None, 1, {}, 'x must be a number <= 1, got 1.01'),
])
def test_one_bound_reads_as_a_comparison(value, low, high, kwargs, message):
    _refused(message, 'x', value, low, high, **kwargs)


def test_one_bound_takes_values_on_its_side_only():
    assert check_number('x', 0, 0) == 0.0
    assert check_number('x', 1e300, 0, low_open=True) == 1e300
    assert check_number('x', -5, None, 1) == -5.0


def test_no_bound_takes_any_finite_number():
    assert check_number('x', -3.5) == -3.5
    _refused("x must be a number, got '1'", 'x', '1')


def test_a_bool_is_not_a_number_even_inside_the_range():
    _refused('x must be a number in [0, 1], got True', 'x', True, 0, 1)
    _refused('x must be an integer >= 0, got False', 'x', False, 0,
             integer=True)


@pytest.mark.parametrize('value, low, message', [
    (math.nan, 0, 'x must be a number >= 0, got nan'),
    # An infinity satisfies a lone >= bound: only finiteness stops it.
    (math.inf, 0, 'x must be a number >= 0, got inf'),
    (-math.inf, None, 'x must be a number, got -inf'),
    (math.nan, None, 'x must be a number, got nan'),
])
def test_nan_and_infinities_are_refused(value, low, message):
    _refused(message, 'x', value, low)


@pytest.mark.parametrize('value', ['0.5', None, [0.5], b'1'])
def test_a_non_number_names_the_key(value):
    _refused(f'cfg.key must be a number in [0, 1], got {value!r}', 'cfg.key',
             value, 0, 1)


def test_integer_mode_takes_ints_and_numpy_ints_as_int():
    value = check_number('n', np.int64(3), 1, integer=True)
    assert value == 3 and type(value) is int
    assert check_number('n', 2**63 - 1, 0, 2**63 - 1, integer=True) == (
        2**63 - 1)


@pytest.mark.parametrize('value, low, high, kwargs, message', [
    (2.0, 1, None, {}, 'n must be an integer >= 1, got 2.0'),
    (0, 1, None, {}, 'n must be an integer >= 1, got 0'),
    (3, 0, 3, dict(high_open=True), 'n must be an integer in [0, 3), got 3'),
    (-2, -1, 4, {}, 'n must be an integer in [-1, 4], got -2'),
    ('2', None, None, {}, "n must be an integer, got '2'"),
])
def test_integer_mode_messages(value, low, high, kwargs, message):
    _refused(message, 'n', value, low, high, integer=True, **kwargs)


def test_bounds_read_as_written_not_as_floats():
    _refused('x must be a number in [0, 100], got 101', 'x', 101, 0.0, 100.0)
    _refused('x must be a number in [0, 0.7], got 0.8', 'x', 0.8, 0,
             np.float64(0.7))


def test_merge_fills_defaults_and_copies_the_given_values():
    given = dict(lr=[1e-3])
    merged = merge_cfg_defaults('Tracker', given, DEFAULTS)
    assert merged == dict(steps=20, lr=[1e-3])
    merged['lr'].append(1.0)
    assert given == dict(lr=[1e-3])


def test_an_unknown_key_names_the_owner_and_the_section():
    with pytest.raises(KeyError, match=r"Tracker test_cfg.x keys \['stepz'\]"):
        merge_optional_cfg('Tracker', dict(stepz=1), DEFAULTS, 'test_cfg.x')


def test_an_optional_section_is_off_when_none_and_a_dict_otherwise():
    assert merge_optional_cfg('Tracker', None, DEFAULTS, 'test_cfg.x') is None
    assert merge_optional_cfg('Tracker', {}, DEFAULTS, 'test_cfg.x') == (
        DEFAULTS)
    with pytest.raises(TypeError, match='test_cfg.x must be a dict or None'):
        merge_optional_cfg('Tracker', 2.0, DEFAULTS, 'test_cfg.x')


def test_epoch_override_stretches_the_schedule_and_keeps_validation_off():
    cfg = dict(
        train_cfg=dict(max_epochs=8, val_begin=9),
        param_scheduler=[
            dict(type='LinearLR', by_epoch=False, begin=0, end=8),
            dict(type='CosineAnnealingLR', T_max=8, by_epoch=True, begin=0,
                 end=8),
            dict(type='MultiStepLR', by_epoch=True, end=5),
        ])
    assert epoch_override_options(cfg, 12) == [
        'train_cfg.max_epochs=12', 'train_cfg.val_begin=13',
        'param_scheduler.1.end=12', 'param_scheduler.1.T_max=12'
    ]


def test_epoch_override_of_a_single_scheduler_with_validation_on():
    cfg = dict(
        train_cfg=dict(max_epochs=4, val_begin=1),
        param_scheduler=dict(type='CosineAnnealingLR', T_max=4, end=4))
    assert epoch_override_options(cfg, 2) == [
        'train_cfg.max_epochs=2', 'param_scheduler.0.end=2',
        'param_scheduler.0.T_max=2'
    ]


def test_epoch_override_reads_a_config_file(tmp_path):
    """A path is loaded as mmengine does; the options are those of the
    loaded config."""
    path = tmp_path / 'schedule.py'
    path.write_text(
        'train_cfg = dict(max_epochs=4, val_begin=5)\n'
        'param_scheduler = [dict(type="CosineAnnealingLR", T_max=4, '
        'end=4)]\n')
    assert epoch_override_options(str(path), 6) == [
        'train_cfg.max_epochs=6', 'train_cfg.val_begin=7',
        'param_scheduler.0.end=6', 'param_scheduler.0.T_max=6'
    ]


@pytest.mark.parametrize('cfg, epochs, match', [
    (dict(train_cfg=dict(max_epochs=8)), 0,
     r'^epochs must be an integer >= 1, got 0$'),
    (dict(train_cfg=dict(max_epochs=8)), 2.0,
     r'^epochs must be an integer >= 1, got 2\.0$'),
    (dict(train_cfg=dict(max_iters=8)), 2, 'max_epochs'),
])
def test_epoch_override_refuses_what_it_cannot_do(cfg, epochs, match):
    with pytest.raises(ValueError, match=match):
        epoch_override_options(cfg, epochs)


def test_a_choice_passes_and_is_returned():
    assert check_choice('strategy', 'reid', ('top1', 'reid')) == 'reid'
    # A dict's keys are its choices.
    assert check_choice('group', 'size', {'size': 1, 'cover': 2}) == 'size'


@pytest.mark.parametrize('value, choices, message', [
    ('DW', ('DC', 'CC'), "corr_type must be one of ('DC', 'CC'), got 'DW'"),
    (None, ['a'], "corr_type must be one of ('a',), got None"),
    (1, {'x': 0, 'y': 1}, "corr_type must be one of ('x', 'y'), got 1"),
])
def test_another_value_names_the_key_the_choices_and_the_value(
        value, choices, message):
    with pytest.raises(ValueError, match=f'^{re.escape(message)}$'):
        check_choice('corr_type', value, choices)
