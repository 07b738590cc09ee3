"""DistractorAwarePairSampling on a tiny synthetic LaSOT-layout set."""
import copy
import json
import os.path as osp
import random
from collections import Counter

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmtrack_smallobj  # noqa: F401
from mmtrack.registry import DATASETS, TRANSFORMS
from mmtrack.utils import register_all_modules
from mmtrack_smallobj.datasets.synthetic import generate_dataset
from mmtrack_smallobj.datasets.transforms import (DistractorAwarePairSampling,
                                                  video_category)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'dasiamrpn',
                  'dasiamrpn_r18-tiny_1xb8-4e_synthetic-lasot_base.py')


@pytest.fixture(scope='module')
def lasot(tmp_path_factory):
    """Root of 10 three-frame videos: bird x3, kite x2, five single ones."""
    register_all_modules(init_default_scope=False)
    init_default_scope('mmtrack')
    root = tmp_path_factory.mktemp('syn') / 'lasot_train'
    summary = generate_dataset(
        str(root),
        fmt='lasot',
        split='train',
        num_videos=10,
        num_frames=3,
        seed=7,
        frame_size=(64, 64),
        size_range=(4, 16),
        occlusion_rate=0,
        out_of_view_rate=0,
        progress=False)
    names = sorted(v.name for v in summary.videos)
    assert Counter(video_category(n) for n in names)['bird'] == 3, names
    return str(root) + osp.sep


def _dataset_cfg(root):
    return dict(
        type='LaSOTDataset',
        data_root=root,
        ann_file='lasot_train_infos.txt',
        data_prefix=dict(img_path=''),
        test_mode=False)


def _videos(root):
    """Every video's information, as BaseSOTDataset hands it to a sampler."""
    dataset = DATASETS.build(dict(_dataset_cfg(root), pipeline=[]))
    return [
        dict(**dataset.get_img_infos_from_video(i),
             **dataset.get_ann_infos_from_video(i))
        for i in range(len(dataset))
    ]


def _category(results, i):
    return video_category(osp.dirname(results['img_path'][i]))


def test_video_category():
    assert video_category('airplane/airplane-3/img') == 'airplane'
    assert video_category('/data/lasot/bird/bird-12/') == 'bird'
    assert video_category('GOT-10k_Train_000001') == 'GOT-10k_Train_000001'


def test_builds_from_registry_without_touching_config(lasot):
    cfg = dict(
        type='DistractorAwarePairSampling',
        distractor_datasets=[_dataset_cfg(lasot)],
        pos_prob=0.6,
        semantic_neg_prob=0.3)
    before = copy.deepcopy(cfg)
    sampler = TRANSFORMS.build(cfg)
    assert isinstance(sampler, DistractorAwarePairSampling)
    assert cfg == before


@pytest.mark.parametrize('kwargs, match', [
    (dict(pos_prob=0.8, semantic_neg_prob=0.3),
     r'^semantic_neg_prob \(at most 1 - pos_prob\) must be a number in '
     r'\[0, 0.2\], got 0.3$'),
    (dict(semantic_neg_prob=-0.1), 'semantic_neg_prob'),
    (dict(semantic_neg_prob=None), 'semantic_neg_prob'),
    (dict(distractor_datasets=[]), 'distractor_datasets'),
])
def test_bad_arguments_are_rejected(lasot, kwargs, match):
    kwargs = dict(dict(distractor_datasets=[_dataset_cfg(lasot)]), **kwargs)
    with pytest.raises(ValueError, match=match):
        DistractorAwarePairSampling(**kwargs)


def test_probabilities_summing_to_one_pass_despite_rounding(lasot):
    # 1 - 0.9 is just below 0.1 in floating point.
    sampler = DistractorAwarePairSampling(
        distractor_datasets=[_dataset_cfg(lasot)], pos_prob=0.9,
        semantic_neg_prob=0.1)
    assert sampler.semantic_neg_prob == 0.1


def test_pair_kinds_at_configured_rates(lasot):
    videos = _videos(lasot)
    sampler = DistractorAwarePairSampling(
        distractor_datasets=[_dataset_cfg(lasot)],
        frame_range=2,
        pos_prob=0.5,
        semantic_neg_prob=0.3)
    # Templates whose category has other videos; random second videos.
    shared = [
        i for i, v in enumerate(videos)
        if video_category(osp.dirname(v['img_paths'][0])) in ('bird', 'kite')
    ]
    np.random.seed(0)
    kinds = Counter()
    num = 400
    for _ in range(num):
        template = videos[int(np.random.choice(shared))]
        other = videos[np.random.randint(len(videos))]
        results = sampler.transform([template, other])
        labels = [int(inst[0]['bbox_label']) for inst in results['instances']]
        assert len(set(labels)) == 1
        same_video = len(set(results['video_id'])) == 1 and osp.dirname(
            results['img_path'][0]) == osp.dirname(results['img_path'][1])
        if labels[0] == 1:
            assert same_video
            kinds['positive'] += 1
            continue
        assert not same_video, 'a negative pair from one video'
        if _category(results, 0) == _category(results, 1):
            kinds['semantic'] += 1
        else:
            kinds['random'] += 1
    for kind, prob in (('positive', 0.5), ('semantic', 0.3), ('random', 0.2)):
        assert abs(kinds[kind] / num - prob) < 0.07, kinds


def test_deterministic_under_a_seed(lasot):
    videos = _videos(lasot)
    sampler = DistractorAwarePairSampling(
        distractor_datasets=[_dataset_cfg(lasot)],
        pos_prob=0.3,
        semantic_neg_prob=0.4)

    def run():
        np.random.seed(5)
        out = []
        for i in range(30):
            results = sampler.transform(
                [videos[i % len(videos)], videos[(3 * i) % len(videos)]])
            out.append((tuple(results['img_path']),
                        int(results['instances'][0][0]['bbox_label'])))
        return out

    assert run() == run()


def test_lonely_category_falls_back_to_other_categories(lasot):
    videos = _videos(lasot)
    lonely = next(
        v for v in videos
        if video_category(osp.dirname(v['img_paths'][0])) == 'car')
    sampler = DistractorAwarePairSampling(
        distractor_datasets=[_dataset_cfg(lasot)],
        pos_prob=0.0,
        semantic_neg_prob=1.0)
    np.random.seed(1)
    for _ in range(20):
        # Even the second video given is the template's own.
        results = sampler.transform([lonely, lonely])
        assert _category(results, 1) != 'car'


def test_semantic_negatives_from_a_detection_set(lasot, tmp_path):
    """A car template finds its only other cars in a COCO-style image set."""
    coco = dict(
        images=[
            dict(id=1, file_name='cars.jpg', width=64, height=64),
            dict(id=2, file_name='kite.jpg', width=64, height=64)
        ],
        annotations=[
            dict(id=1, image_id=1, category_id=1, bbox=[10, 10, 8, 6],
                 area=48, iscrowd=0),
            dict(id=2, image_id=2, category_id=2, bbox=[20, 20, 6, 8],
                 area=48, iscrowd=0)
        ],
        categories=[dict(id=1, name='car'), dict(id=2, name='kite')])
    with open(tmp_path / 'coco.json', 'w') as f:
        json.dump(coco, f)
    detection = dict(
        type='SOTCocoDataset',
        data_root=str(tmp_path),
        ann_file='coco.json',
        data_prefix=dict(img_path='images'),
        test_mode=False)
    videos = _videos(lasot)
    car = next(
        v for v in videos
        if video_category(osp.dirname(v['img_paths'][0])) == 'car')
    sampler = DistractorAwarePairSampling(
        distractor_datasets=[_dataset_cfg(lasot), detection],
        pos_prob=0.0,
        semantic_neg_prob=1.0)
    np.random.seed(2)
    for _ in range(10):
        results = sampler.transform([car, videos[0]])
        assert results['img_path'][1].endswith('cars.jpg')
        assert results['instances'][1][0]['bbox'].tolist() == [10, 10, 18, 16]
        assert int(results['instances'][1][0]['bbox_label']) == 0


def test_tiny_config_pipeline_packs_negative_pairs(lasot):
    """The shipped DaSiamRPN pipeline runs end to end on negative pairs."""
    cfg = Config.fromfile(CONFIG).train_dataloader.dataset
    cfg.data_root = lasot
    cfg.pipeline[0].distractor_datasets[0].data_root = lasot
    cfg.pipeline[0].pos_prob = 0.0
    dataset = DATASETS.build(cfg)
    random.seed(0)
    np.random.seed(0)
    for idx in range(2):
        packed = dataset[idx]
        sample = packed['data_samples']
        assert sample.search_gt_instances.labels.tolist() == [0]
        assert packed['inputs']['search_img'].shape[-2:] == (255, 255)
