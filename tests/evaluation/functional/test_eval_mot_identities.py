"""The identities of a COCO-VID file for re-id embedding studies."""
import json

import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (EvaluationInputError,
                                                    load_mot_identities)


def _coco(tmp_path, annotations, images=None):
    """A two-video COCO-VID file whose instance ids restart per video."""
    videos = [dict(id=1, name='A'), dict(id=2, name='B')]
    images = images or [
        dict(id=10 * v + f, video_id=v, frame_id=f,
             file_name=f'{"AB"[v - 1]}/img1/{f + 1:06d}.jpg')
        for v in (1, 2) for f in range(4)
    ]
    path = tmp_path / 'ann.json'
    path.write_text(
        json.dumps(dict(videos=videos, images=images,
                        annotations=annotations)))
    return str(path)


def _ann(image_id, instance_id, bbox=(10, 20, 4, 6), **extra):
    return dict(image_id=image_id, instance_id=instance_id, bbox=list(bbox),
                **extra)


def test_load_mot_identities_keys_by_video_and_filters(tmp_path):
    anns = [
        _ann(10, 0, mot_instance_id=1), _ann(10, 1, (30, 5, 2, 3)),
        _ann(11, 0, visibility=0.0),  # hidden
        _ann(11, 1, (0, 0, 0, 5)),  # no width
        _ann(12, 0, iscrowd=True),
        _ann(12, 1, visibility=0.2),
        _ann(13, None),  # no identity
        _ann(20, 0), _ann(21, 0, visibility=0.9),
    ]
    ids = load_mot_identities(_coco(tmp_path, anns))
    assert ids.videos == ['A', 'B']
    # Instance 0 of A and of B are two identities.
    assert ids.names == ['A#1', 'A#1 (instance_id 1)', 'B#0']
    assert [(f.video, f.frame_id) for f in ids.frames] == [(0, 0), (0, 2),
                                                           (1, 0), (1, 1)]
    first = ids.frames[0]
    np.testing.assert_array_equal(first.boxes_xyxy,
                                  [[10, 20, 14, 26], [30, 5, 32, 8]])
    assert first.identities.tolist() == [0, 1]
    assert ids.frames[1].identities.tolist() == [1]
    assert ids.frames[2].identities.tolist() == [2]
    assert first.file_name == 'A/img1/000001.jpg'
    visible = load_mot_identities(_coco(tmp_path, anns), min_visibility=0.5)
    assert [(f.video, f.frame_id) for f in visible.frames] == [(0, 0), (1, 0),
                                                               (1, 1)]


def test_load_mot_identities_samples_frames(tmp_path):
    anns = [_ann(10 * v + f, 0) for v in (1, 2) for f in range(4)]
    ids = load_mot_identities(
        _coco(tmp_path, anns), max_frames_per_video=1, frame_step=2)
    assert [(f.video, f.frame_id) for f in ids.frames] == [(0, 0), (1, 0)]
    ids = load_mot_identities(_coco(tmp_path, anns), frame_step=3)
    assert [f.frame_id for f in ids.frames] == [0, 3, 0, 3]


@pytest.mark.parametrize('kwargs, message', [
    (dict(frame_step=0), 'frame_step must be an integer >= 1, got 0'),
    (dict(frame_step=2.0), 'frame_step must be an integer >= 1, got 2.0'),
    (dict(max_frames_per_video=0),
     'max_frames_per_video must be an integer >= 1, got 0'),
])
def test_load_mot_identities_refuses_bad_sampling(tmp_path, kwargs, message):
    anns = [_ann(10, 0)]
    with pytest.raises(ValueError, match=f'^{message}$'):
        load_mot_identities(_coco(tmp_path, anns), **kwargs)


def test_load_mot_identities_names_what_is_wrong(tmp_path):
    with pytest.raises(EvaluationInputError, match='file not found'):
        load_mot_identities(str(tmp_path / 'absent.json'))
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps(dict(videos=[], annotations=[])))
    with pytest.raises(EvaluationInputError, match="no 'images'"):
        load_mot_identities(str(path))
    path.write_text('{not json')
    with pytest.raises(EvaluationInputError, match='cannot be read'):
        load_mot_identities(str(path))
    images = [dict(id=1, frame_id=0, file_name='x.jpg')]
    with pytest.raises(EvaluationInputError, match="'video_id'"):
        load_mot_identities(_coco(tmp_path, [], images))
