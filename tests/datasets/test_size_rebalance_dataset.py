import os
import os.path as osp
import random
import warnings

import cv2
import numpy as np
import pytest

import mmtrack_smallobj  # noqa: F401
from mmtrack.registry import DATASETS
from mmtrack.utils import register_all_modules
from mmtrack_smallobj.datasets import SizeRebalanceDataset
from mmtrack_smallobj.datasets import size_index
from mmtrack_smallobj.evaluation.functional.size_bins import assign_size_bins

FRAME_W, FRAME_H, NUM_FRAMES = 80, 60, 12
# Target side of each video (bins <8, 8-16, 16-32, 32-64 of the defaults)
# and its absent frames (a 0,0,0,0 box and a full-occlusion flag).
VIDEOS = {'a-1': (5, (3, 4)), 'a-2': (12, ()), 'b-1': (24, (0, )),
          'b-2': (40, (11, ))}
ABSENT = {(v, f) for v, (_, (_, frames)) in enumerate(sorted(VIDEOS.items()))
          for f in frames}


def _write_lasot(root, videos=VIDEOS):
    """A tiny LaSOT-layout training set with a white target per frame."""
    rows = ['header']
    for name, (side, absent) in sorted(videos.items()):
        cls = name.split('-')[0]
        video_dir = osp.join(root, cls, name)
        img_dir = osp.join(video_dir, 'img')
        boxes = []
        for f in range(NUM_FRAMES):
            img = np.full((FRAME_H, FRAME_W, 3), 30, np.uint8)
            x, y = 2 + 2 * f, 3 + f
            if f in absent or side == 0:
                boxes.append('0,0,0,0')
            else:
                img[y:y + side, x:x + side] = 255
                boxes.append(f'{x},{y},{side},{side}')
            os.makedirs(img_dir, exist_ok=True)
            cv2.imwrite(osp.join(img_dir, f'{f + 1:08d}.jpg'), img)
        with open(osp.join(video_dir, 'groundtruth.txt'), 'w') as fh:
            fh.write('\n'.join(boxes) + '\n')
        flags = ','.join('1' if f in absent else '0'
                         for f in range(NUM_FRAMES))
        with open(osp.join(video_dir, 'full_occlusion.txt'), 'w') as fh:
            fh.write(flags)
        with open(osp.join(video_dir, 'out_of_view.txt'), 'w') as fh:
            fh.write(','.join(['0'] * NUM_FRAMES))
        rows.append(f'{cls}/{name}/img,{cls}/{name}/groundtruth.txt,1,'
                    f'{NUM_FRAMES}')
    with open(osp.join(root, 'infos.txt'), 'w') as fh:
        fh.write('\n'.join(rows))
    return str(root) + '/'


@pytest.fixture(scope='module', autouse=True)
def _registry():
    register_all_modules(init_default_scope=True)


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    return _write_lasot(tmp_path_factory.mktemp('rebalance'))


def _lasot(root, sampler='VisiblePairSampling', pos_prob=1.0, rest=()):
    return dict(
        type='LaSOTDataset',
        data_root=root,
        ann_file='infos.txt',
        data_prefix=dict(img_path=''),
        pipeline=[dict(type=sampler, frame_range=3, pos_prob=pos_prob)] +
        list(rest),
        test_mode=False,
        serialize_data=False)  # skips a gc.collect() per build


LOAD = [
    dict(type='TransformBroadcaster', share_random_params=True,
         transforms=[dict(type='LoadImageFromFile'),
                     dict(type='LoadTrackAnnotations'),
                     dict(type='Resize', scale=(320, 240), keep_ratio=True)]),
    dict(type='SizeBinRescale', scale_range=(0.25, 2.0)),
    dict(type='PackTrackInputs', ref_prefix='search', num_template_frames=1)
]
W4 = [0.4, 0.1, 0.1, 0.4, 0.0, 0.0]


def _build(root, **kwargs):
    cfg = dict(
        type='SizeRebalanceDataset', seed=0, weights=W4, num_samples=10**5)
    cfg.update(kwargs)
    cfg.setdefault('dataset', _lasot(root))
    return DATASETS.build(cfg)


def _search_box(results):
    return np.asarray(results['instances'][-1][0]['bbox'])


def _bins(boxes):
    boxes = np.asarray(boxes, np.float64)
    sizes = np.sqrt((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))
    return np.bincount(assign_size_bins(sizes), minlength=6)


def test_bin_frequencies_follow_the_weights(root):
    ds = _build(root)
    n = 1000
    # The boxes the pipeline receives, not only the plans.
    boxes = [_search_box(ds[i]) for i in range(n)]
    np.testing.assert_allclose(_bins(boxes) / n, W4, atol=0.05)
    uniform = _build(root, weights=[0.25, 0.25, 0.25, 0.25, 0, 0], seed=3)
    bins = np.bincount([uniform.plan(i).size_bin for i in range(2000)],
                       minlength=6)
    np.testing.assert_allclose(bins / 2000, [0.25] * 4 + [0, 0], atol=0.035)


def test_same_seed_same_pairs_whatever_the_global_rng(root):
    a, b = _build(root), _build(root)
    first = [a.plan(i) for i in range(60)]
    np.random.seed(123)
    random.seed(7)
    assert [b.plan(i) for i in range(60)] == first
    assert a[5]['frame_id'] == a[5]['frame_id'] == [
        first[5].template_frame, first[5].frame]
    other = _build(root, seed=1)
    assert [other.plan(i) for i in range(60)] != first


def test_indices_and_ranks_draw_different_pairs(root, monkeypatch):
    from mmengine.dataset import sampler as mmengine_sampler
    from mmtrack.datasets.samplers import quota_sampler
    ds = _build(root, weights=None, num_samples=400)
    plans = [ds.plan(i)[:5] for i in range(100)]
    assert len(set(plans)) > 50
    for module, make in (
            (mmengine_sampler,
             lambda: mmengine_sampler.DefaultSampler(ds, seed=0)),
            (quota_sampler,
             lambda: quota_sampler.QuotaSampler(ds, 300, seed=0))):
        drawn = []
        for rank in range(2):
            monkeypatch.setattr(module, 'get_dist_info', lambda r=rank:
                                (r, 2))
            drawn.append([ds.plan(i)[:5] for i in make()])
        # The same global seed on both ranks, yet their pairs differ.
        same = np.mean([a == b for a, b in zip(*drawn)])
        assert same < 0.2


@pytest.mark.parametrize('sampler', ['PairSampling', 'VisiblePairSampling'])
def test_absent_targets_are_never_drawn(root, sampler):
    ds = _build(root, weights=None, dataset=_lasot(root, sampler, 0.5))
    positives = negatives = 0
    for i in range(400):
        plan = ds.plan(i)
        assert (plan.template_video, plan.template_frame) not in ABSENT
        assert (plan.video, plan.frame) not in ABSENT
        if plan.positive:
            positives += 1
            assert plan.template_video == plan.video
            # VisiblePairSampling(frame_range=3): search in [t - 3, t + 3).
            assert -3 <= plan.frame - plan.template_frame < 3
        else:
            negatives += 1
            assert plan.template_video != plan.video
    assert positives > 120 and negatives > 120
    results = ds[0]
    assert all(b[0]['bbox'][2] > b[0]['bbox'][0]
               for b in results['instances'])


def test_rescaling_fills_every_bin_and_stays_in_frame(root):
    ds = _build(root, weights=None, scale=(320, 240),
                dataset=_lasot(root, rest=LOAD))
    # Sizes are measured at the training scale: 4x the 80x60 frames.
    assert sorted(set(ds.target_sizes().tolist())) == [20, 48, 96, 160]
    n = 240
    boxes = []
    for i in range(n):
        sample = ds[i]['data_samples']
        box = sample.search_gt_instances.bboxes[0].numpy()
        assert sample.metainfo['search_img_shape'] == (240, 320)
        assert 0 <= box[0] < box[2] <= 320 and 0 <= box[1] < box[3] <= 240
        boxes.append(box)
    # No raw target is under 16 px, yet rescaling by 0.25-2 fills those
    # bins as well as the others.
    np.testing.assert_allclose(_bins(boxes) / n, [1 / 6] * 6, atol=0.07)


def test_rescaled_sizes_spread_over_the_reachable_bin(root):
    ds = _build(root, weights=[1, 0, 0, 0, 0, 0], scale=(320, 240),
                dataset=_lasot(root, rest=LOAD))
    plans = [ds.plan(i) for i in range(600)]
    targets = np.array([p.target for p in plans])
    # No raw target under 8 px; the smallest (20 px) x 0.25 reaches 5 px.
    assert ((targets >= 5) & (targets < 8)).all()
    assert np.mean(targets < np.sqrt(40)) == pytest.approx(0.5, abs=0.08)
    factors = np.array([p.target / p.size for p in plans])
    assert ((factors >= 0.25) & (factors <= 2)).all()


@pytest.mark.parametrize('prob, raw_share', [(None, 10 / 33), (0.0, 1.0),
                                             (1.0, 0.0)])
def test_share_of_raw_draws(root, prob, raw_share):
    ds = _build(root, weights=[0, 0, 1, 0, 0, 0], scale=(320, 240),
                rescale_prob=prob, dataset=_lasot(root, rest=LOAD))
    # Bin 16-32 holds the 10 drawable 20 px frames; the 12 at 48 px and
    # 11 at 96 px can be rescaled into it. By default each of the 33 is
    # equally likely.
    plans = [ds.plan(i) for i in range(600)]
    raw = np.mean([p.target == p.size for p in plans])
    assert raw == pytest.approx(raw_share, abs=0.06)
    assert all(16 <= p.target < 32 for p in plans)


def test_concat_dataset_probabilities_are_kept(root):
    concat = dict(type='RandomSampleConcatDataset',
                  datasets=[_lasot(root), _lasot(root)],
                  dataset_sampling_weights=[4, 1])
    ds = _build(root, dataset=concat)
    share = np.mean([ds.plan(i).dataset == 0 for i in range(1000)])
    assert share == pytest.approx(0.8, abs=0.05)
    # A plain list of configs gives equal shares.
    ds = _build(root, dataset=[_lasot(root), _lasot(root)])
    share = np.mean([ds.plan(i).dataset == 0 for i in range(1000)])
    assert share == pytest.approx(0.5, abs=0.05)


def test_cache_is_reused_and_refreshed(root, tmp_path, monkeypatch):
    cache = str(tmp_path / 'sizes.npz')
    first = _build(root, cache_file=cache)
    monkeypatch.setattr(size_index, 'scan_target_sizes',
                        lambda *a, **k: pytest.fail('cache not used'))
    again = _build(root, cache_file=cache)
    np.testing.assert_array_equal(again.target_sizes(), first.target_sizes())
    monkeypatch.undo()
    rescaled = _build(root, cache_file=cache, scale=(160, 120))
    np.testing.assert_allclose(rescaled.target_sizes(),
                               2 * first.target_sizes())


def test_dataset_without_valid_box_is_named(tmp_path):
    empty = _write_lasot(tmp_path, {'c-1': (0, ())})
    with pytest.raises(ValueError, match='LaSOTDataset .* has no frame whose'):
        _build(empty, weights=None)


def test_unfillable_bin_warns_once_and_shares_its_weight(root):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        ds = _build(root, weights=[0.2, 0.2, 0.2, 0.2, 0.1, 0.1])
        for i in range(50):
            ds[i]
    messages = [str(w.message) for w in caught
                if 'SizeRebalanceDataset' in str(w.message)]
    assert len(messages) == 1
    assert '64-128 (weight 0.1), >=128 (weight 0.1)' in messages[0]
    assert 'add SizeBinRescale' in messages[0]
    np.testing.assert_allclose(ds.bin_probs, [0.25] * 4 + [0, 0])


@pytest.mark.parametrize('kwargs, message', [
    (dict(weights=[0.5, 0.5]), 'weights has 2 entries but .* 6 bins'),
    (dict(weights=[0.5, 0.6, 0, 0, 0, -0.1]), 'non-negative'),
    (dict(weights=[0.1] * 6), 'must sum to 1, got sum 0.6'),
    (dict(rescale_prob=2), r'^SizeRebalanceDataset: rescale_prob must be a '
     r'number in \[0, 1\], got 2$'),
    (dict(num_samples=0), '^SizeRebalanceDataset: num_samples must be an '
     'integer >= 1, got 0$'),
    (dict(num_samples=10.0), 'num_samples must be an integer'),
])
def test_bad_arguments_are_named(root, kwargs, message):
    with pytest.raises(ValueError, match=message):
        _build(root, **kwargs)


def test_pipeline_without_pair_sampler_is_refused(root):
    cfg = _lasot(root)
    cfg['pipeline'] = [dict(type='LoadImageFromFile')]
    with pytest.raises(ValueError, match='must start with PairSampling .* '
                       'found LoadImageFromFile'):
        _build(root, dataset=cfg)


def test_length_and_lazy_init(root, monkeypatch):
    calls = []
    scan = size_index.scan_target_sizes
    monkeypatch.setattr(size_index, 'scan_target_sizes',
                        lambda *a, **k: calls.append(1) or scan(*a, **k))
    ds = _build(root, lazy_init=True, num_samples=1000)
    assert isinstance(ds, SizeRebalanceDataset)
    assert calls == []
    assert len(ds) == 1000
    assert calls == [1]
    # By default, one index per drawable frame (48 frames, 4 absent).
    ds = _build(root, num_samples=None)
    assert len(ds) == len(ds.target_sizes()) == 44
    assert ds.plan(44) == ds.plan(0)
