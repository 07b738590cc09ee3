"""The checks shared by config options."""
import pytest

from mmtrack_smallobj.utils.config_checks import (epoch_override_options,
                                                  is_integer, is_number,
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


@pytest.mark.parametrize('cfg, epochs, match', [
    (dict(train_cfg=dict(max_epochs=8)), 0, 'epochs'),
    (dict(train_cfg=dict(max_epochs=8)), 2.0, 'epochs'),
    (dict(train_cfg=dict(max_iters=8)), 2, 'max_epochs'),
])
def test_epoch_override_refuses_what_it_cannot_do(cfg, epochs, match):
    with pytest.raises(ValueError, match=match):
        epoch_override_options(cfg, epochs)
