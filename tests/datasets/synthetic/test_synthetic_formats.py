"""The three layouts: files exist, parse, and agree with each other."""
import configparser
import json
import os.path as osp

import cv2
import numpy as np

# Must match TINY in conftest.py (checked by test_tiny_constants).
W, H = 64, 64
F = 10
NUM_VIDEOS = 3
NUM_DISTRACTORS = 2


def test_tiny_constants(tiny):
    assert tiny['frame_size'] == (W, H) and tiny['num_frames'] == F
    assert tiny['num_videos'] == NUM_VIDEOS
    assert tiny['num_distractors'] == NUM_DISTRACTORS


def _check_boxes(boxes, absent):
    assert boxes.shape == (F, 4)
    assert np.all(boxes[absent] == 0)
    vis = boxes[~absent]
    assert np.all(vis[:, 2:] >= 1), 'visible boxes are never empty'
    assert np.all(vis[:, :2] >= 0)
    assert np.all(vis[:, 0] + vis[:, 2] <= W)
    assert np.all(vis[:, 1] + vis[:, 3] <= H)


def test_lasot_layout(tiny_lasot):
    root, summary = tiny_lasot
    assert summary.ann_file == 'lasot_test_infos.txt'
    lines = open(osp.join(root, summary.ann_file)).read().split('\n')
    assert lines[0].startswith('The format of each line')
    assert len(lines) == 1 + NUM_VIDEOS
    any_absent = False
    for line, video in zip(lines[1:], sorted(summary.videos,
                                             key=lambda v: v.name)):
        video_path, ann_path, start, end = line.split(',')
        cls = video.class_name
        assert video_path == f'{cls}/{video.name}/img'
        assert ann_path == f'{cls}/{video.name}/groundtruth.txt'
        assert (start, end) == ('1', str(F))
        video_dir = osp.join(root, cls, video.name)
        for t in (1, F):
            img = cv2.imread(osp.join(video_dir, 'img', f'{t:08d}.jpg'))
            assert img.shape == (H, W, 3)
        assert not osp.exists(osp.join(video_dir, 'img', f'{F + 1:08d}.jpg'))
        text = open(osp.join(video_dir, 'groundtruth.txt')).read()
        # Integers, as LaSOT writes them.
        assert '.' not in text and len(text.splitlines()) == F
        boxes = np.loadtxt(osp.join(video_dir, 'groundtruth.txt'),
                           delimiter=',', ndmin=2)
        flags = []
        for name in ('full_occlusion.txt', 'out_of_view.txt'):
            content = open(osp.join(video_dir, name)).read()
            assert '\n' not in content, 'LaSOT flags are one line'
            flags.append(np.array(content.split(','), dtype=int) == 1)
        assert not (flags[0] & flags[1]).any()
        absent = flags[0] | flags[1]
        any_absent |= absent.any()
        assert flags[0].sum() == video.num_full_occlusion
        assert flags[1].sum() == video.num_out_of_view
        _check_boxes(boxes, absent)
        # Our addition to the layout: GOT-10k's cover levels, 0 exactly on
        # the frames the LaSOT flags call absent.
        cover = np.loadtxt(osp.join(video_dir, 'cover.label'), dtype=int)
        assert len(cover) == F
        np.testing.assert_array_equal(cover == 0, absent)
        assert np.all(cover <= 8)
        nlp = open(osp.join(video_dir, 'nlp.txt')).read()
        assert cls in nlp and '\n' not in nlp
    assert any_absent


def test_got10k_layout(tiny_got10k):
    root, summary = tiny_got10k
    assert summary.ann_file == 'got10k_train_infos.txt'
    names = open(osp.join(root, 'list.txt')).read().split()
    assert names == [f'GOT-10k_Train_{i:06d}' for i in (1, 2, 3)]
    lines = open(osp.join(root, summary.ann_file)).read().split('\n')
    assert lines[1:] == [f'{n},{n}/groundtruth.txt,1,{F}' for n in names]
    for name in names:
        video_dir = osp.join(root, name)
        assert cv2.imread(osp.join(video_dir, f'{F:08d}.jpg')).shape == (H, W,
                                                                        3)
        text = open(osp.join(video_dir, 'groundtruth.txt')).read()
        first = text.splitlines()[0].split(',')
        assert all(len(v.split('.')[1]) == 4 for v in first)
        boxes = np.loadtxt(osp.join(video_dir, 'groundtruth.txt'),
                           delimiter=',', ndmin=2)
        absent = np.loadtxt(osp.join(video_dir, 'absence.label'),
                            dtype=int) == 1
        cover = np.loadtxt(osp.join(video_dir, 'cover.label'), dtype=int)
        cut = np.loadtxt(osp.join(video_dir, 'cut_by_image.label'), dtype=int)
        assert len(absent) == len(cover) == len(cut) == F
        _check_boxes(boxes, absent)
        assert np.all(cover[absent] == 0)
        assert np.all((cover[~absent] >= 1) & (cover[~absent] <= 8))
        assert set(np.unique(cut)) <= {0, 1}
        meta = configparser.ConfigParser()
        meta.read(osp.join(video_dir, 'meta_info.ini'))
        assert meta['METAINFO']['resolution'] == f'({W}, {H})'


def test_mot_layout(tiny_mot):
    root, summary = tiny_mot
    num_objects = 1 + NUM_DISTRACTORS
    for video in summary.videos:
        seq = osp.join(root, video.name)
        info = configparser.ConfigParser()
        info.optionxform = str
        info.read(osp.join(seq, 'seqinfo.ini'))
        assert dict(info['Sequence']) == dict(
            name=video.name, imDir='img1', frameRate='30',
            seqLength=str(F), imWidth=str(W), imHeight=str(H), imExt='.jpg')
        assert cv2.imread(osp.join(seq, 'img1', f'{F:06d}.jpg')) is not None
        gt = np.loadtxt(osp.join(seq, 'gt', 'gt.txt'), delimiter=',',
                        ndmin=2)
        frames, ids = gt[:, 0].astype(int), gt[:, 1].astype(int)
        assert frames.min() >= 1 and frames.max() <= F
        assert set(ids) <= set(range(1, num_objects + 1))
        assert len(set(zip(frames, ids))) == len(gt), 'one row per object'
        assert np.all(gt[:, 4:6] >= 1) and np.all(gt[:, 6:8] == 1)
        assert np.all((gt[:, 8] > 0) & (gt[:, 8] <= 1))
        # The target (id 1) rows are exactly its visible frames.
        target_frames = frames[ids == 1]
        assert len(target_frames) == (F - video.num_full_occlusion -
                                      video.num_out_of_view)
    coco = json.load(open(osp.join(root, summary.ann_file)))
    assert summary.ann_file == 'annotations/train_cocoformat.json'
    assert len(coco['videos']) == NUM_VIDEOS
    assert len(coco['images']) == NUM_VIDEOS * F
    assert coco['images'][0]['file_name'] == (
        f'{summary.videos[0].name}/img1/000001.jpg')
    video_of = {img['id']: img['video_id'] for img in coco['images']}
    pairs = {(video_of[a['image_id']], a['mot_instance_id'])
             for a in coco['annotations']}
    assert coco['num_instances'] == len(pairs)
    assert {a['instance_id']
            for a in coco['annotations']} == set(range(len(pairs)))


def test_summary_file_is_written(tiny_lasot):
    root, summary = tiny_lasot
    record = json.load(open(osp.join(root, 'synthetic_summary.json')))
    assert record['fmt'] == 'lasot' and record['seed'] == 7
    assert [v['name'] for v in record['videos']] == [
        v.name for v in summary.videos
    ]


def test_lasot_and_got10k_cover_levels_agree(tiny, tmp_path):
    """The seed, not the layout or split, makes a video, so both layouts
    hold the same cover levels, video by video (20 frames: the tiny set's
    10 show no partly hidden target)."""
    lasot = tiny['make'](tmp_path / 'lasot', 'lasot', num_frames=20)
    tiny['make'](tmp_path / 'got10k', 'got10k', split='train', num_frames=20)
    partly_hidden = False
    for index, video in enumerate(lasot.videos):
        lasot_cover = np.loadtxt(
            tmp_path / 'lasot' / video.class_name / video.name /
            'cover.label', dtype=int)
        got_cover = np.loadtxt(
            tmp_path / 'got10k' / f'GOT-10k_Train_{index + 1:06d}' /
            'cover.label', dtype=int)
        np.testing.assert_array_equal(lasot_cover, got_cover)
        partly_hidden |= bool(((lasot_cover > 0) & (lasot_cover < 8)).any())
    assert partly_hidden
