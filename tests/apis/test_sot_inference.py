"""mmtrack_smallobj.apis.sot_inference on a tiny tracker and tiny videos."""
import os
import os.path as osp

import mmcv
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from tiny_configs import SIAMRPN_CONFIG

from mmtrack_smallobj.apis import (init_tracker, list_videos, pack_frame,
                                   track_video, track_video_timed,
                                   write_results)
from mmtrack_smallobj.datasets.synthetic import generate_dataset
from mmtrack_smallobj.evaluation.functional import (EvaluationInputError,
                                                    read_box_file)


def test_track_video_matches_mmtrack_test_loop(setup):
    """Same boxes and scores as the config's own LaSOTDataset feeding
    ``model.test_step``, frame by frame."""
    from mmtrack.registry import DATASETS
    model, pipeline = setup['model'], setup['pipeline']
    dataset_cfg = model.cfg.test_dataloader.dataset.copy()
    dataset_cfg.update(data_root=setup['root'])
    dataset = DATASETS.build(dataset_cfg)
    videos = {v.name: v for v in list_videos(setup['root'], 'lasot')}
    assert len(videos) == dataset.num_videos == 2
    for video_idx in range(dataset.num_videos):
        info = dataset.get_data_info(video_idx)
        video = videos[osp.basename(osp.dirname(info['video_path']))]
        boxes, scores, seconds = track_video(model, video.frame_paths,
                                             video.init_bbox_xywh, pipeline)
        assert boxes.shape == (3, 4) and scores.shape == (3, )
        assert seconds > 0
        np.testing.assert_array_equal(boxes[0], video.init_bbox_xywh)
        assert scores[0] == 1.0
        with torch.no_grad():
            # The dataset path initialises on its own frame 0 first.
            model.test_step(pseudo_collate([dataset[(video_idx, 0)]]))
            for frame_idx in (1, 2):
                out = model.test_step(
                    pseudo_collate([dataset[(video_idx, frame_idx)]]))
                pred = out[0].pred_track_instances
                xyxy = pred.bboxes[0].double().numpy()
                np.testing.assert_allclose(
                    boxes[frame_idx],
                    np.r_[xyxy[:2], xyxy[2:] - xyxy[:2]], atol=1e-4)
                assert scores[frame_idx] == pytest.approx(
                    float(pred.scores[0]))


def test_in_memory_frames_give_the_same_results(setup):
    video = list_videos(setup['root'], 'lasot')[0]
    args = (video.init_bbox_xywh, setup['pipeline'])
    from_files = track_video(setup['model'], video.frame_paths, *args)
    images = [mmcv.imread(p) for p in video.frame_paths]
    calls = []
    in_memory = track_video(setup['model'], images, *args,
                            on_frame=lambda: calls.append(1))
    np.testing.assert_allclose(from_files[0], in_memory[0])
    np.testing.assert_allclose(from_files[1], in_memory[1])
    assert len(calls) == 3


def test_per_frame_times_are_kept(setup, monkeypatch):
    """``track_video_timed`` keeps what ``run_frame`` measured per frame;
    ``track_video`` still returns their mean as its third value."""
    from mmtrack_smallobj.apis import sot_inference
    run_frame = sot_inference.run_frame
    seconds = iter([0.5, 0.25, 2.0, 0.5, 0.25, 2.0])

    def timed(model, packed):
        box, score, _ = run_frame(model, packed)
        return box, score, next(seconds)

    monkeypatch.setattr(sot_inference, 'run_frame', timed)
    video = list_videos(setup['root'], 'lasot')[0]
    args = (setup['model'], video.frame_paths, video.init_bbox_xywh,
            setup['pipeline'])
    tracked = track_video_timed(*args)
    np.testing.assert_array_equal(tracked.times, [0.5, 0.25, 2.0])
    boxes, scores, mean = track_video(*args)
    assert mean == pytest.approx(2.75 / 3)
    np.testing.assert_array_equal(tracked.boxes_xywh, boxes)
    np.testing.assert_array_equal(tracked.scores, scores)


def test_frame_zero_needs_a_box(setup):
    video = list_videos(setup['root'], 'lasot')[0]
    with pytest.raises(ValueError, match='frame 0'):
        pack_frame(setup['pipeline'], video.frame_paths[0], 0, 3)


def test_an_mmtrack_sot_model_tracks_too(setup):
    """mmtrack's SiamRPN++ (our tiny ResNet-18 config, random weights)."""
    model, pipeline = init_tracker(SIAMRPN_CONFIG, None, 'cpu')
    video = list_videos(setup['root'], 'lasot')[1]
    boxes, scores, _ = track_video(model, video.frame_paths,
                                   video.init_bbox_xywh, pipeline)
    assert boxes.shape == (3, 4) and np.isfinite(boxes).all()
    assert scores[0] == 1.0 and np.isfinite(scores).all()


def test_list_videos_filters_and_checks(setup, tmp_path):
    names = [v.name for v in list_videos(setup['root'], 'lasot')]
    picked = list_videos(setup['root'], 'lasot', names[::-1])
    assert [v.name for v in picked] == names[::-1]
    with pytest.raises(EvaluationInputError, match='no video named nope'):
        list_videos(setup['root'], 'lasot', ['nope'])
    with pytest.raises(EvaluationInputError, match='not a folder'):
        list_videos(str(tmp_path / 'absent'), 'lasot')

    got = str(tmp_path / 'got10k')
    generate_dataset(got, fmt='got10k', num_videos=1, num_frames=3, seed=0,
                     split='test', progress=False)
    video, = list_videos(got, 'got10k')
    assert len(video.frame_paths) == 3
    gt, _ = read_box_file(video.gt_source)
    np.testing.assert_allclose(video.init_bbox_xywh, gt[0])
    os.remove(video.frame_paths[-1])
    with pytest.raises(EvaluationInputError, match='matches 2 frames'):
        list_videos(got, 'got10k')
    # GOT-10k's test split: the first box only (and no labels), every
    # frame tracked.
    with open(video.gt_source) as f:
        first = f.readline()
    with open(video.gt_source, 'w') as f:
        f.write(first)
    for label in ('absence.label', 'cover.label', 'cut_by_image.label'):
        path = osp.join(osp.dirname(video.gt_source), label)
        if osp.exists(path):
            os.remove(path)
    video, = list_videos(got, 'got10k')
    assert len(video.frame_paths) == 2


@pytest.mark.parametrize('first', ['0,0,0,0', '10,10,0,5', 'nan,1,2,3'])
def test_list_videos_refuses_a_bad_first_box(tmp_path, first):
    root = str(tmp_path / 'lasot')
    generate_dataset(root, fmt='lasot', num_videos=1, num_frames=3, seed=0,
                     split='test', progress=False)
    gt_path = list_videos(root, 'lasot')[0].gt_source
    with open(gt_path) as f:
        lines = f.read().splitlines()
    with open(gt_path, 'w') as f:
        f.write('\n'.join([first] + lines[1:]) + '\n')
    with pytest.raises(EvaluationInputError) as info:
        list_videos(root, 'lasot')
    assert info.value.path == gt_path and info.value.line == 1
    assert 'first-frame box' in str(info.value)


def test_write_results_is_atomic(tmp_path, monkeypatch):
    boxes = np.array([[1, 2, 3, 4], [1.25, 2.5, 3.123456, 4]])
    box_path, conf_path = write_results(str(tmp_path), 'v', boxes,
                                        np.array([1.0, 0.25]))
    assert open(box_path).read() == '1,2,3,4\n1.25,2.5,3.1235,4\n'
    assert open(conf_path).read() == '1\n0.25\n'

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, 'replace', interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_results(str(tmp_path), 'v', boxes * 2, np.array([0.5, 0.5]))
    # The old files are intact and no temporary file is left behind.
    assert open(box_path).read() == '1,2,3,4\n1.25,2.5,3.1235,4\n'
    assert sorted(os.listdir(tmp_path)) == ['v.txt', 'v_confidence.txt']
