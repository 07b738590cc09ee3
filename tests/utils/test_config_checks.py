"""The checks shared by config options."""
import pytest

from mmtrack_smallobj.utils.config_checks import (is_integer, is_number,
                                                  merge_cfg_defaults,
                                                  merge_optional_cfg)

DEFAULTS = dict(steps=20, lr=5e-3)


def test_is_number_takes_ints_and_floats_but_not_bools_or_strings():
    assert is_number(3) and is_number(0.5)
    assert not is_number(True) and not is_number('2') and not is_number(None)


def test_is_integer_takes_ints_but_not_floats_bools_or_strings():
    assert is_integer(0) and is_integer(-3)
    assert not is_integer(2.0) and not is_integer(False)
    assert not is_integer('1') and not is_integer(None)


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
