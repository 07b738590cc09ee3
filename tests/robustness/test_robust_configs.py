"""Bad configs: unknown keys, unknown types, bad values, missing files.

A typo in a config key must stop the build with the key's name, never be
swallowed by ``**kwargs`` and leave a default in place silently.
"""
import inspect

import mmtrack.registry as mmtrack_registry
import pytest
from mmengine.registry import Registry
from robust_inputs import CHECKED_TEST_PIPELINE
from tiny_configs import CONFIG, TINY

import mmtrack_smallobj  # noqa: F401  (registers everything)
from mmtrack_smallobj.apis import build_test_pipeline, init_tracker

# Components whose unknown-key behaviour is a known gap, with the reason.
KNOWN_GAPS = {
    'AtomicCheckpointHook':
    "inherits mmengine CheckpointHook's **kwargs, which are forwarded to "
    'runner.save_checkpoint: a typo fails only at the first save',
}


def _our_components():
    """(registry name, class) of everything this package registers into
    mmtrack's registries, as pytest params."""
    params = {}
    for name, registry in vars(mmtrack_registry).items():
        if not isinstance(registry, Registry):
            continue
        for cls in registry.module_dict.values():
            if inspect.isclass(cls) and cls.__module__.startswith(
                    'mmtrack_smallobj'):
                marks = ()
                if cls.__name__ in KNOWN_GAPS:
                    marks = pytest.mark.xfail(
                        strict=True, reason=KNOWN_GAPS[cls.__name__])
                params[cls] = pytest.param(
                    cls, marks=marks, id=f'{name}-{cls.__name__}')
    return list(params.values())


COMPONENTS = _our_components()


def test_the_package_registers_components():
    # Guards the parametrisation below against an empty registry scan.
    names = {param.values[0].__name__ for param in COMPONENTS}
    assert {'GlobalSearchTracker', 'PointGlobalSearchHead',
            'LoadImageFromFileChecked', 'SmallObjectSOTMetric'} <= names


@pytest.mark.parametrize('cls', COMPONENTS)
def test_every_component_rejects_an_unknown_key(cls):
    # Python checks unexpected keywords before missing required arguments,
    # so the typo is what gets reported.
    with pytest.raises(TypeError) as info:
        cls(no_such_key=1)
    message = str(info.value)
    assert 'no_such_key' in message or 'takes no arguments' in message


@pytest.mark.parametrize('key, component', [
    ('model.head.feat_channel', 'PointGlobalSearchHead'),
    ('model.backbone.base_channel', 'HighResShallowNet'),
    ('model.head.loss_cls.margn', 'HardMaxPointLoss'),
])
def test_a_nested_typo_names_the_key_and_the_component(tiny_cfg, key,
                                                       component):
    with pytest.raises(TypeError) as info:
        init_tracker(tiny_cfg, None, 'cpu', {key: 1})
    assert key.rsplit('.', 1)[1] in str(info.value)
    assert component in str(info.value)


def test_an_unknown_test_cfg_key_lists_the_known_ones(tiny_cfg):
    with pytest.raises(KeyError) as info:
        init_tracker(tiny_cfg, None, 'cpu', {'model.test_cfg.short_sides': 9})
    assert 'short_sides' in str(info.value)
    assert "'short_side'" in str(info.value)


@pytest.mark.parametrize('key, kind', [('short_side', 'a number'),
                                       ('size_divisor', 'an integer')])
def test_a_non_positive_test_scale_is_refused(tiny_cfg, key, kind):
    # short_side=0 used to shrink frames to 1 px and track garbage.
    with pytest.raises(ValueError,
                       match=f'^test_cfg.{key} must be {kind} >= 1, got 0$'):
        init_tracker(tiny_cfg, None, 'cpu', {f'model.test_cfg.{key}': 0})


def test_an_unknown_component_type_is_named(tiny_cfg):
    with pytest.raises(KeyError, match='GlobalSearchTrackr'):
        init_tracker(tiny_cfg, None, 'cpu',
                     {'model.type': 'GlobalSearchTrackr'})


def test_a_typo_in_the_test_pipeline_is_named(tiny_cfg):
    cfg = tiny_cfg.copy()
    pipeline = [dict(t) for t in CHECKED_TEST_PIPELINE]
    pipeline[0]['max_pixel'] = 10
    cfg.merge_from_dict({'test_dataloader.dataset.pipeline': pipeline})
    with pytest.raises(TypeError, match='max_pixel'):
        build_test_pipeline(cfg)


def test_a_missing_config_file_is_named(tmp_path):
    missing = tmp_path / 'no_such_config.py'
    with pytest.raises(FileNotFoundError, match='no_such_config.py'):
        init_tracker(str(missing), None, 'cpu')


@pytest.mark.xfail(
    strict=True,
    reason="mmengine's SyntaxError reads '<unknown>, line 2', without the "
    "file; init_tracker does not add it")
def test_a_config_with_a_syntax_error_is_named(tmp_path):
    bad = tmp_path / 'broken_config.py'
    bad.write_text(f"_base_ = [{CONFIG!r}]\nmodel = dict(type='X'\n")
    with pytest.raises(SyntaxError) as info:
        init_tracker(str(bad), None, 'cpu', TINY)
    assert 'broken_config.py' in str(info.value)


def test_a_valid_config_still_builds(tiny_cfg):
    # The counterpart of the refusals above: the tiny config is accepted.
    model, pipeline = init_tracker(tiny_cfg, None, 'cpu')
    assert type(model).__name__ == 'GlobalSearchTracker'
    assert model.test_cfg['short_side'] == 64
    assert len(pipeline.transforms) == 3
