"""Every shipped config builds: a broken config fails CI."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ALL_CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True))
# Benchmark configs are the runnable ones; `_base_` fragments and `*_base.py` model
# configs are only ever inherited.
RUNNABLE_CONFIGS = [
    p for p in ALL_CONFIGS
    if '_base_' not in p.split(osp.sep) and not p.endswith('_base.py')
]


def _rel(path):
    return osp.relpath(path, REPO_ROOT)


def test_there_are_configs():
    assert RUNNABLE_CONFIGS, 'no runnable config found under configs/'


@pytest.mark.parametrize('path', ALL_CONFIGS, ids=_rel)
def test_config_parses(path):
    Config.fromfile(path)


@pytest.mark.parametrize('path', RUNNABLE_CONFIGS, ids=_rel)
def test_runnable_config_imports_plugin(path):
    cfg = Config.fromfile(path)
    assert cfg.custom_imports == dict(
        imports=['mmtrack_smallobj'], allow_failed_imports=False)
    assert cfg.default_scope == 'mmtrack'


@pytest.mark.parametrize('path', RUNNABLE_CONFIGS, ids=_rel)
def test_runnable_config_builds_model_and_evaluator(path):
    from mmengine.registry import init_default_scope

    from mmtrack.registry import METRICS, MODELS
    from mmtrack.utils import register_all_modules
    import mmtrack_smallobj  # noqa: F401

    register_all_modules(init_default_scope=False)
    init_default_scope('mmtrack')
    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
    for key in ('val_evaluator', 'test_evaluator'):
        evaluator = cfg.get(key)
        assert evaluator is not None, f'{_rel(path)} has no {key}'
        METRICS.build(evaluator)
    # The dataloaders name registered dataset and transform types.
    from mmtrack.registry import DATASETS, TRANSFORMS
    for key in ('train_dataloader', 'test_dataloader'):
        dataset = cfg[key]['dataset']
        assert DATASETS.get(dataset['type']) is not None
        for step in dataset.get('pipeline', []):
            assert TRANSFORMS.get(step['type']) is not None, step['type']


METAFILES = sorted(glob.glob(osp.join(REPO_ROOT, 'configs', '*', 'metafile.yml')))


@pytest.mark.parametrize('path', METAFILES, ids=_rel)
def test_metafile_names_existing_configs(path):
    import yaml
    with open(path) as f:
        meta = yaml.safe_load(f)
    models = meta.get('Models', [])
    assert models, f'{_rel(path)} lists no model'
    for model in models:
        config = osp.join(REPO_ROOT, model['Config'])
        assert osp.isfile(config), f"{_rel(path)}: {model['Config']} missing"
        assert model['Name'] == osp.splitext(osp.basename(config))[0]
