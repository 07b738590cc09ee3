"""LaSOTCoverDataset: LaSOT-layout videos with GOT-10k cover levels."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from mmtrack.registry import DATASETS
from mmtrack.utils import register_all_modules

import mmtrack_smallobj  # noqa: F401
from mmtrack_smallobj.datasets.synthetic import generate_dataset
from mmtrack_smallobj.evaluation.functional import EvaluationInputError


@pytest.fixture(scope='module', autouse=True)
def _registry():
    register_all_modules(init_default_scope=True)


@pytest.fixture(scope='module')
def tiny_lasot(tmp_path_factory):
    """Three 12-frame 64x64 videos with occlusions (partly hidden frames)."""
    root = tmp_path_factory.mktemp('cover') / 'lasot'
    summary = generate_dataset(
        str(root), fmt='lasot', split='train', num_videos=3, num_frames=12,
        seed=3, frame_size=(64, 64), size_range=(8, 24), num_distractors=0,
        occlusion_rate=30.0, out_of_view_rate=10.0, absence_length=(1, 3),
        progress=False)
    return root, summary.ann_file


def _build(kind, root, ann_file, pipeline=()):
    return DATASETS.build(
        dict(type=kind, data_root=str(root), ann_file=ann_file,
             data_prefix=dict(img_path=''), pipeline=list(pipeline),
             test_mode=False))


def _cover_file(root, dataset, idx):
    video_path = dataset.get_data_info(idx)['video_path']
    return osp.join(str(root), osp.dirname(video_path), 'cover.label')


def test_adds_the_visible_ratio_of_cover_label(tiny_lasot):
    root, ann_file = tiny_lasot
    ours = _build('LaSOTCoverDataset', root, ann_file)
    plain = _build('LaSOTDataset', root, ann_file)
    partly_hidden = 0
    for idx in range(ours.num_videos):
        cover = np.loadtxt(_cover_file(root, ours, idx), dtype=int)
        ann = ours.get_ann_infos_from_video(idx)
        np.testing.assert_allclose(ann['visible_ratio'], cover / 8)
        # The generator's flags and levels agree, so visibility is
        # LaSOTDataset's.
        assert np.array_equal(ann['visible'],
                              plain.get_ann_infos_from_video(idx)['visible'])
        partly_hidden += int(np.count_nonzero((cover > 0) & (cover < 8)))
    assert partly_hidden > 0


def test_a_video_without_cover_label_reads_as_lasot(tiny_lasot, tmp_path):
    root, ann_file = tiny_lasot
    copy = tmp_path / 'lasot'
    shutil.copytree(root, copy)
    dataset = _build('LaSOTCoverDataset', copy, ann_file)
    os.remove(_cover_file(copy, dataset, 0))
    ann = dataset.get_ann_infos_from_video(0)
    assert 'visible_ratio' not in ann
    plain = _build('LaSOTDataset', copy, ann_file)
    assert np.array_equal(ann['visible'],
                          plain.get_ann_infos_from_video(0)['visible'])


def test_a_bad_cover_level_names_the_file_and_line(tiny_lasot, tmp_path):
    root, ann_file = tiny_lasot
    copy = tmp_path / 'lasot'
    shutil.copytree(root, copy)
    dataset = _build('LaSOTCoverDataset', copy, ann_file)
    path = _cover_file(copy, dataset, 1)
    levels = open(path).read().split('\n')
    levels[2] = '9'
    with open(path, 'w') as f:
        f.write('\n'.join(levels))
    with pytest.raises(EvaluationInputError) as error:
        dataset.get_ann_infos_from_video(1)
    assert path in str(error.value) and 'line 3' in str(error.value)
    assert 'cover level 9' in str(error.value)


def test_pair_sampling_draws_partly_hidden_search_frames(tiny_lasot):
    root, ann_file = tiny_lasot
    sampler = dict(type='VisiblePairSampling', frame_range=2, pos_prob=1.0,
                   partly_hidden_prob=1.0, whole_template=True)
    dataset = _build('LaSOTCoverDataset', root, ann_file, [sampler])
    ratios = {
        dataset.get_img_infos_from_video(i)['video_id']:
        dataset.get_ann_infos_from_video(i)['visible_ratio']
        for i in range(dataset.num_videos)
    }
    np.random.seed(0)
    seen = 0
    for _ in range(30):
        out = dataset[0]
        ratio = ratios[out['video_id'][0]]
        template, search = out['frame_id']
        assert ratio[template] == 1
        if ((ratio > 0) & (ratio < 1)).any():
            assert 0 < ratio[search] < 1
            seen += 1
    assert seen > 0
