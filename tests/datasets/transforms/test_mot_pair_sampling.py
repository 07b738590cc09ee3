"""MOTIdentityPairSampling: SOT pairs with all identities from MOT videos."""
import copy
import json
import os.path as osp
import random

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmtrack.registry import DATASETS, TRANSFORMS
from mmtrack.utils import register_all_modules
from mmtrack_smallobj.datasets.synthetic import generate_dataset
from mmtrack_smallobj.datasets.transforms import (MOTIdentityPairSampling,
                                                  num_identities)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CONFIG_DIR = osp.join(REPO_ROOT, 'configs', 'global_search')
REID_CONFIG = osp.join(CONFIG_DIR,
                       'global-search-reid_hrsn2-fpn_1xb8-8e_synthetic-mot.py')
MIXED_CONFIG = osp.join(
    CONFIG_DIR, 'global-search-reid_hrsn2-fpn_1xb8-8e_synthetic-lasot-mot.py')


@pytest.fixture(scope='module', autouse=True)
def registry() -> None:
    register_all_modules(init_default_scope=True)


def _obj(instance_id, x, ignore=0, visibility=1.0):
    """A MOTChallengeDataset instance: a 10 px box at ``x``."""
    return dict(
        bbox=[float(x), 5.0, x + 10.0, 15.0],
        bbox_label=0,
        instance_id=instance_id,
        ignore_flag=ignore,
        visibility=visibility,
        mot_conf=1.0)


def _results(template, search=None):
    """Per-frame lists as BaseVideoDataset.prepare_data gives them."""
    frames = [template] if search is None else [template, search]
    return dict(
        img_path=[f'f{i}.jpg' for i in range(len(frames))],
        frame_id=list(range(len(frames))),
        video_id=[1] * len(frames),
        instances=frames)


def test_target_is_shared_first_in_search_and_all_ids_kept():
    results = _results([_obj(0, 0), _obj(1, 20)],
                       [_obj(2, 40), _obj(1, 22), _obj(3, 50)])
    out = MOTIdentityPairSampling(min_visibility=0.0)(copy.deepcopy(results))
    template, search = out['instances']
    # Identity 1 is the only one in both frames.
    assert [i['instance_id'] for i in template] == [1]
    assert [i['instance_id'] for i in search] == [1, 2, 3]
    assert template[0]['bbox'].tolist() == [20., 5., 30., 15.]
    assert search[0]['bbox'].tolist() == [22., 5., 32., 15.]
    # bbox_label is the positive-pair flag GlobalSearchTracker checks.
    assert all(int(i['bbox_label']) == 1 for i in template + search)
    assert out['img_path'] == ['f0.jpg', 'f1.jpg']
    assert out['frame_id'] == [0, 1]


def test_every_shared_identity_is_drawn_and_no_other():
    results = _results([_obj(0, 0), _obj(1, 20), _obj(2, 40)],
                       [_obj(2, 40), _obj(0, 2), _obj(5, 50)])
    transform = MOTIdentityPairSampling(min_visibility=0.0)
    np.random.seed(0)
    drawn = {
        transform(copy.deepcopy(results))['instances'][0][0]['instance_id']
        for _ in range(50)
    }
    assert drawn == {0, 2}


def test_ignored_or_hidden_objects_are_never_the_target_but_are_kept():
    results = _results(
        [_obj(0, 0, ignore=1), _obj(1, 20, visibility=0.1), _obj(2, 40)],
        [_obj(0, 0), _obj(1, 20), _obj(2, 42, visibility=0.5)])
    np.random.seed(0)
    for _ in range(10):
        out = MOTIdentityPairSampling(min_visibility=0.3)(
            copy.deepcopy(results))
        template, search = out['instances']
        assert template[0]['instance_id'] == 2
        assert [i['instance_id'] for i in search] == [2, 0, 1]


def test_crowd_flags_survive_for_pack_track_inputs():
    results = _results([_obj(1, 20)], [_obj(1, 22), _obj(7, 0, ignore=1)])
    out = MOTIdentityPairSampling()(results)
    assert [i['ignore_flag'] for i in out['instances'][1]] == [0, 1]


def test_no_shared_identity_gives_none_so_the_dataset_redraws():
    results = _results([_obj(0, 0)], [_obj(1, 20)])
    assert MOTIdentityPairSampling()(results) is None


def test_a_lone_key_frame_is_template_and_search():
    out = MOTIdentityPairSampling()(_results([_obj(4, 0), _obj(6, 30)]))
    template, search = out['instances']
    assert out['img_path'] == ['f0.jpg', 'f0.jpg']
    assert template[0]['instance_id'] == search[0]['instance_id']
    assert sorted(i['instance_id'] for i in search) == [4, 6]


@pytest.mark.parametrize('results', [
    dict(instances=[_obj(0, 0)]),  # one frame without reference sampling
    dict(instances=[[_obj(0, 0)]] * 3),
])
def test_input_not_from_a_one_reference_sampler_raises(results):
    with pytest.raises(ValueError, match='num_ref_imgs=1'):
        MOTIdentityPairSampling()(results)


@pytest.mark.parametrize('value', [1.5, float('nan'), '0.3'])
def test_bad_min_visibility_raises(value):
    with pytest.raises(ValueError, match=r'^min_visibility must be a number '
                       r'in \[0, 1\], got '):
        MOTIdentityPairSampling(min_visibility=value)


def test_registered():
    assert TRANSFORMS.get('MOTIdentityPairSampling') is MOTIdentityPairSampling


@pytest.fixture(scope='module')
def tiny_mot(tmp_path_factory):
    """A 2-video, 3-frame, 64x64 MOT-layout set with 2 distractors."""
    root = tmp_path_factory.mktemp('mot')
    generate_dataset(
        str(root),
        fmt='mot',
        split='train',
        num_videos=2,
        num_frames=3,
        seed=3,
        frame_size=(64, 64),
        size_range=(6, 16),
        num_distractors=2,
        occlusion_rate=0.0,
        out_of_view_rate=0.0,
        progress=False)
    return str(root)


def test_num_identities_counts_the_split(tiny_mot):
    ann_file = osp.join(tiny_mot, 'annotations', 'train_cocoformat.json')
    with open(ann_file) as f:
        coco = json.load(f)
    assert num_identities(ann_file) == coco['num_instances'] == 6


def test_config_pipeline_packs_target_and_all_search_ids(tiny_mot):
    """The shipped config's MOT dataset over real files: the target leads
    both frames, the search frame carries every object of that frame."""
    cfg = Config.fromfile(REID_CONFIG)
    dataset_cfg = cfg.train_dataloader.dataset.to_dict()
    dataset_cfg['data_root'] = tiny_mot + '/'
    dataset = DATASETS.build(dataset_cfg)
    with open(osp.join(tiny_mot, 'annotations',
                       'train_cocoformat.json')) as f:
        coco = json.load(f)
    ids_of_image = {}
    for ann in coco['annotations']:
        ids_of_image.setdefault(ann['image_id'], set()).add(
            ann['instance_id'])
    np.random.seed(0)
    for index in range(len(dataset)):
        packed = dataset[index]
        sample = packed['data_samples']
        template_ids = sample.gt_instances.instances_id.tolist()
        search_ids = sample.search_gt_instances.instances_id.tolist()
        assert len(template_ids) == 1
        assert search_ids[0] == template_ids[0]
        assert set(search_ids) == ids_of_image[sample.search_img_id]
        assert template_ids[0] in ids_of_image[sample.img_id]
        assert sample.gt_instances.labels.tolist() == [1]
        assert len(sample.search_gt_instances.bboxes) == len(search_ids)
        assert packed['inputs']['search_img'].shape[0] == 1
        assert torch.isfinite(sample.search_gt_instances.bboxes).all()


def test_mixed_config_draws_sot_pairs_and_mot_pairs(tiny_mot, tmp_path):
    """The LaSOT + MOT config builds (same metainfo in both sets) and gives
    SOT pairs without identities and MOT pairs with them."""
    lasot = str(tmp_path / 'lasot')
    generate_dataset(
        lasot, fmt='lasot', split='train', num_videos=2, num_frames=3,
        seed=4, frame_size=(64, 64), size_range=(6, 16), progress=False)
    cfg = Config.fromfile(MIXED_CONFIG)
    dataset_cfg = cfg.train_dataloader.dataset.to_dict()
    dataset_cfg['datasets'][0]['data_root'] = lasot + '/'
    dataset_cfg['datasets'][1]['data_root'] = tiny_mot + '/'
    dataset = DATASETS.build(dataset_cfg)
    random.seed(0)
    np.random.seed(0)
    kinds = set()
    for index in range(12):
        search = dataset[index]['data_samples'].search_gt_instances
        kinds.add('instances_id' in search)
        assert len(search.bboxes) >= 1
    assert kinds == {True, False}
