"""Every shipped config builds: a broken config fails CI."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from tiny_configs import CONFIG as CPU_DEFAULT
from tiny_configs import DLA34_CONFIG as GPU_BASE
from tiny_configs import ROOT as REPO_ROOT
from tiny_configs import SEARCH_224_CONFIG, TINY, tiny_config_text

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


@pytest.fixture(scope='module')
def mmtrack_scope():
    """mmtrack's modules and this plugin's registered, 'mmtrack' the
    default scope."""
    from mmengine.registry import init_default_scope

    from mmtrack.utils import register_all_modules
    import mmtrack_smallobj  # noqa: F401

    register_all_modules(init_default_scope=False)
    init_default_scope('mmtrack')


def test_tiny_config_file_shrinks_as_tiny_options(tmp_path):
    """The tool tests' tiny config file and the in-process TINY options
    build the same model."""
    path = tmp_path / 'tiny.py'
    path.write_text(tiny_config_text())
    options = Config.fromfile(CPU_DEFAULT)
    options.merge_from_dict(TINY)
    assert Config.fromfile(str(path)).model == options.model
    assert options.model.backbone.base_channels == 4


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
def test_runnable_config_builds_model_and_evaluator(path, mmtrack_scope):
    from mmtrack.registry import METRICS, MODELS

    cfg = Config.fromfile(path)
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
    for key in ('val_evaluator', 'test_evaluator'):
        evaluator = cfg.get(key)
        assert evaluator is not None, f'{_rel(path)} has no {key}'
        METRICS.build(evaluator)
    # The dataloaders name registered dataset and transform types, inside
    # dataset wrappers and transform wrappers too.
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        _check_dataset_types(cfg[key]['dataset'], f'{_rel(path)}: {key}')


def _check_transform_types(steps, where):
    """Every transform, and every one a wrapper holds, is registered."""
    from mmtrack.registry import TRANSFORMS
    if isinstance(steps, dict):
        steps = [steps]
    for step in steps:
        assert TRANSFORMS.get(step['type']) is not None, (
            f"{where}: unknown transform {step['type']}")
        if 'transforms' in step:
            _check_transform_types(step['transforms'], where)


def _check_dataset_types(dataset, where):
    """The dataset type, those a wrapper holds and their pipelines are
    registered."""
    from mmtrack.registry import DATASETS
    assert DATASETS.get(dataset['type']) is not None, (
        f"{where}: unknown dataset {dataset['type']}")
    _check_transform_types(dataset.get('pipeline', []), where)
    inner = dataset.get('datasets', [])
    if 'dataset' in dataset:
        inner = inner + [dataset['dataset']]
    for sub in inner:
        _check_dataset_types(sub, where)


GLOBAL_SEARCH_CONFIGS = [
    p for p in RUNNABLE_CONFIGS
    if p.startswith(osp.join(REPO_ROOT, 'configs', 'global_search') + osp.sep)
]


def _global_search_pairs(size):
    """Two random whole-frame pairs of ``size`` pixels with one box each."""
    import torch
    from mmengine.structures import InstanceData

    from mmtrack.structures import TrackDataSample
    samples = []
    for _ in range(2):
        sample = TrackDataSample()
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[10., 12., 30., 28.]]),
            labels=torch.tensor([1]))
        sample.search_gt_instances = InstanceData(
            bboxes=torch.tensor([[20., 8., 36., 30.]]),
            labels=torch.tensor([1]))
        samples.append(sample)
    inputs = dict(
        img=torch.rand(2, 1, 3, size, size) * 255,
        search_img=torch.rand(2, 1, 3, size, size) * 255)
    return dict(inputs=inputs, data_samples=samples)


@pytest.mark.parametrize('path', GLOBAL_SEARCH_CONFIGS, ids=_rel)
def test_global_search_config_levels_and_loss(path, mmtrack_scope):
    """Backbone, neck and head agree on the levels: every feature map has
    the size its head stride implies, and one loss step on small random
    pairs gives finite, positive classification and box losses on every
    level."""
    import math

    import torch

    from mmtrack.registry import MODELS

    cfg = Config.fromfile(path)
    assert cfg.model.type == 'GlobalSearchTracker', _rel(path)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.train()
    size = 64
    strides = model.head.strides
    feats = model.extract_feat(torch.rand(2, 3, size, size))
    assert [tuple(f.shape[-2:]) for f in feats] == [
        (math.ceil(size / s), ) * 2 for s in strides
    ], f'{_rel(path)}: feature sizes do not match head strides {strides}'
    data = model.data_preprocessor(_global_search_pairs(size), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    if cfg.model.get('loss_weighting') is not None:
        # Re-id configs weigh the summed levels as loss_det; these pairs
        # carry no identities, so no re-id term.
        assert 'loss_det' in losses, sorted(losses)
        assert 'loss_id' not in losses, sorted(losses)
        assert float(losses['loss_det']) > 0
        for name, value in losses.items():
            assert torch.isfinite(value).all(), f'{_rel(path)}: {name}'
        return
    assert set(losses) == {
        f'loss_{kind}_s{s}'
        for kind in ('cls', 'bbox')
        for s in strides
    }
    for name, value in losses.items():
        assert torch.isfinite(value).all(), f'{_rel(path)}: {name} = {value}'
        assert float(value) > 0, f'{_rel(path)}: {name} = {value}'


# The test-time options that do not depend on the test scale.
SCALE_FREE_TEST_OPTIONS = ('first_frame_adaptation', 'size_calibration',
                           'verification', 'box_smoothing')


def test_gpu_config_uses_the_cpu_defaults_scale_free_test_options():
    cpu, gpu = Config.fromfile(CPU_DEFAULT), Config.fromfile(GPU_BASE)
    for key in SCALE_FREE_TEST_OPTIONS:
        assert cpu.model.test_cfg[key] is not None, key
        assert gpu.model.test_cfg[key] == cpu.model.test_cfg[key], key
    for key in ('max_candidates', 'box_voting_iou_thr'):
        assert (gpu.model.head.test_cfg[key] ==
                cpu.model.head.test_cfg[key]), key


def test_search_224_ablation_changes_only_the_search_window():
    ablation = Config.fromfile(SEARCH_224_CONFIG)
    default = Config.fromfile(CPU_DEFAULT)
    steps = default.train_dataloader.dataset.pipeline
    changed = ablation.train_dataloader.dataset.pipeline
    assert [step.type for step in changed] == [step.type for step in steps]
    for step, other in zip(steps, changed):
        if step.type == 'SeqTargetCrop':
            assert tuple(step.crop_sizes) == (96, 160)
            assert tuple(other.crop_sizes) == (96, 224)
            assert tuple(other.margins) == tuple(step.margins)
        else:
            assert other == step, step.type
    assert ablation.model == default.model


@pytest.mark.parametrize('path', [CPU_DEFAULT, GPU_BASE], ids=_rel)
def test_config_tracks_a_three_frame_video_with_its_test_options(
        path, mmtrack_scope):
    """``test_step`` over three 64x64 frames with every test-time option
    of the config on: the candidates are re-ranked by verification and
    every box is a finite box in the frame."""
    import torch
    from mmengine.structures import InstanceData

    from mmtrack.registry import MODELS
    from mmtrack.structures import TrackDataSample

    cfg = Config.fromfile(path)
    # A 64 px short side keeps DLA-34 fast; the options are unchanged.
    cfg.model.test_cfg.short_side = 64
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    for key in SCALE_FREE_TEST_OPTIONS:
        assert model.test_cfg[key] is not None, key
    first = [20., 18., 36., 30.]
    frames = torch.randint(0, 255, (3, 1, 3, 64, 64), dtype=torch.uint8)
    results = []
    for frame_id, frame in enumerate(frames):
        metainfo = dict(frame_id=frame_id, img_path=f'v/{frame_id}.jpg')
        sample = TrackDataSample(metainfo=metainfo)
        sample.gt_instances = InstanceData(bboxes=torch.tensor([first]))
        data = dict(inputs=dict(img=[frame]), data_samples=[sample])
        with torch.no_grad():
            results.append(model.test_step(data)[0].pred_track_instances)
    candidates = model.memo.candidates
    ranked = candidates.ranking_scores
    assert torch.equal(ranked, ranked.sort(descending=True).values)
    assert 1 <= len(candidates) <= cfg.model.head.test_cfg.max_candidates
    for result in results[1:]:
        box = result.bboxes
        assert box.shape == (1, 4) and torch.isfinite(box).all()
        x1, y1, x2, y2 = box[0].tolist()
        assert 0 <= x1 <= x2 <= 64 and 0 <= y1 <= y2 <= 64, box


METAFILES = sorted(glob.glob(osp.join(REPO_ROOT, 'configs', '*', 'metafile.yml')))


@pytest.mark.parametrize('path', METAFILES, ids=_rel)
def test_metafile_names_existing_configs(path):
    import yaml
    with open(path) as f:
        meta = yaml.safe_load(f)
    models = meta.get('Models', [])
    assert models, f'{_rel(path)} lists no model'
    collections = {c['Name']: c for c in meta.get('Collections', [])}
    for collection in collections.values():
        readme = osp.join(REPO_ROOT, collection['README'])
        assert osp.isfile(readme), (
            f"{_rel(path)}: {collection['README']} missing")
    for model in models:
        config = osp.join(REPO_ROOT, model['Config'])
        assert osp.isfile(config), f"{_rel(path)}: {model['Config']} missing"
        assert model['Name'] == osp.splitext(osp.basename(config))[0]
        assert model['In Collection'] in collections, (
            f"{_rel(path)}: {model['Name']} is in unknown collection "
            f"{model['In Collection']!r}")
        # Results are measured numbers or absent, never placeholders.
        for result in model.get('Results', []):
            assert result['Task'] and result['Dataset']
            assert result['Metrics'], f"{_rel(path)}: {model['Name']}"
            for metric, value in result['Metrics'].items():
                assert isinstance(value, (int, float)), (
                    f"{_rel(path)}: {model['Name']} {metric}={value!r}")


@pytest.mark.parametrize('path', METAFILES, ids=_rel)
def test_metafile_lists_every_runnable_config(path):
    """A method folder's metafile names every runnable config under it."""
    import yaml
    with open(path) as f:
        meta = yaml.safe_load(f)
    listed = {osp.join(REPO_ROOT, m['Config']) for m in meta['Models']}
    folder = osp.dirname(path) + osp.sep
    unlisted = [
        _rel(p) for p in RUNNABLE_CONFIGS
        if p.startswith(folder) and p not in listed
    ]
    assert not unlisted, f'{_rel(path)} does not list {unlisted}'
