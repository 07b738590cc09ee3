"""mmtrack's own dataset classes load the generated layouts unchanged."""
import os.path as osp

import numpy as np
import pytest

pytest.importorskip('mmtrack')
from mmtrack.registry import DATASETS  # noqa: E402
from mmtrack.utils import register_all_modules  # noqa: E402


@pytest.fixture(scope='module', autouse=True)
def _registry():
    register_all_modules(init_default_scope=True)


def _our_video(root, video_path, ann_path):
    """Our boxes (x1, y1, x2, y2) and absence flags, read back from disk."""
    boxes = np.loadtxt(osp.join(root, ann_path), delimiter=',', ndmin=2)
    video_dir = osp.dirname(osp.join(root, ann_path))
    if osp.exists(osp.join(video_dir, 'absence.label')):
        absent = np.loadtxt(osp.join(video_dir, 'absence.label')) == 1
    else:
        absent = np.zeros(len(boxes), dtype=bool)
        for name in ('full_occlusion.txt', 'out_of_view.txt'):
            absent |= np.loadtxt(
                osp.join(video_dir, name), delimiter=',') == 1
    boxes[:, 2:] += boxes[:, :2]
    return boxes, absent


def _build(kind, root, ann_file, test_mode):
    return DATASETS.build(
        dict(
            type=kind,
            data_root=str(root),
            ann_file=ann_file,
            data_prefix=dict(img_path=''),
            pipeline=[],
            test_mode=test_mode))


@pytest.mark.parametrize('test_mode', [True, False])
@pytest.mark.parametrize('kind, fixture', [('LaSOTDataset', 'tiny_lasot'),
                                           ('GOT10kDataset', 'tiny_got10k')])
def test_sot_datasets_load_our_data(kind, fixture, test_mode, request):
    root, summary = request.getfixturevalue(fixture)
    dataset = _build(kind, root, summary.ann_file, test_mode)
    num_frames = summary.options['num_frames']
    assert dataset.num_videos == len(summary.videos)
    assert len(dataset) == (
        len(summary.videos) * num_frames if test_mode else len(
            summary.videos))
    some_absent = False
    for idx in range(dataset.num_videos):
        info = dataset.get_data_info(idx)
        ann = dataset.get_ann_infos_from_video(idx)
        imgs = dataset.get_img_infos_from_video(idx)
        assert imgs['video_length'] == num_frames
        assert all(osp.isfile(p) for p in imgs['img_paths'])
        boxes, absent = _our_video(root, info['video_path'], info['ann_path'])
        np.testing.assert_allclose(ann['bboxes'], boxes)
        assert np.array_equal(ann['bboxes_isvalid'], ~absent)
        if kind == 'LaSOTDataset' or not test_mode:
            # mmtrack's visibility (flags, or absence and cover labels for
            # GOT-10k training) equals ours.
            assert np.array_equal(ann['visible'], ~absent)
        some_absent |= absent.any()
    assert some_absent
    if test_mode:
        sample = dataset[(0, 0)]
        assert osp.isfile(sample['img_path'])
        assert sample['instances'][0]['visible']


def test_mot_challenge_dataset_loads_our_json(tiny_mot):
    root, summary = tiny_mot
    dataset = DATASETS.build(
        dict(
            type='MOTChallengeDataset',
            data_root=str(root),
            ann_file=summary.ann_file,
            data_prefix=dict(img_path=''),
            metainfo=dict(CLASSES=('pedestrian', )),
            pipeline=[],
            test_mode=False))
    num_frames = summary.options['num_frames']
    assert len(dataset) == len(summary.videos) * num_frames
    first = dataset.get_data_info(0)
    assert osp.isfile(first['img_path'])
    gt = np.loadtxt(
        osp.join(root, summary.videos[0].name, 'gt', 'gt.txt'),
        delimiter=',',
        ndmin=2)
    rows = gt[gt[:, 0] == 1]
    assert len(first['instances']) == len(rows)
    got = sorted(tuple(i['bbox']) for i in first['instances'])
    want = sorted(
        tuple(r[2:4].tolist() + (r[2:4] + r[4:6]).tolist()) for r in rows)
    np.testing.assert_allclose(got, want)
