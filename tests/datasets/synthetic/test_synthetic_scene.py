import numpy as np
import pytest

from mmtrack_smallobj.datasets.synthetic import (make_scene_config,
                                                 simulate_video, video_rngs)
from mmtrack_smallobj.datasets.synthetic.geometry import covered_area

EVENTFUL = dict(
    frame_size=(160, 120),
    size_range=(4, 40),
    occlusion_rate=4.0,
    out_of_view_rate=4.0,
    absence_length=(3, 10))


def _scenes(n=12, frames=120, **overrides):
    config = make_scene_config(**dict(EVENTFUL, **overrides))
    return [
        simulate_video(config, frames, video_rngs(11, i)[0]) for i in range(n)
    ]


def test_simulation_is_deterministic_per_seed():
    config = make_scene_config(**EVENTFUL)
    first = simulate_video(config, 60, video_rngs(5, 2)[0])
    again = simulate_video(config, 60, video_rngs(5, 2)[0])
    other = simulate_video(config, 60, video_rngs(6, 2)[0])
    assert np.array_equal(first.boxes, again.boxes)
    assert np.array_equal(first.visible_ratio, again.visible_ratio)
    assert not np.array_equal(first.boxes, other.boxes)


def test_planned_events_take_place_and_flags_agree_with_boxes():
    kinds = set()
    for scene in _scenes():
        assert not scene.absent[0], 'frame 0 must show the target'
        for event in scene.events:
            kinds.add(event.kind)
            flags = (scene.out_of_view if event.kind == 'out_of_view' else
                     scene.full_occlusion)
            assert flags[event.start:event.end].all()
        assert not (scene.out_of_view & scene.full_occlusion).any()
        clipped = scene.clipped_boxes[0]
        assert np.all(clipped[scene.out_of_view] == 0)
        visible = ~scene.absent
        assert np.all(clipped[visible, 2:] >= 1)
    assert kinds == {'occlusion', 'out_of_view'}


def test_full_occlusion_means_covered_by_an_occluder():
    seen = 0
    for scene in _scenes():
        rects = scene.occluder_rects()
        for t in np.flatnonzero(scene.full_occlusion):
            box = scene.clipped_boxes[0, t]
            assert covered_area(box, rects[t]) == box[2] * box[3]
            seen += 1
    assert seen > 0


def test_reentry_lands_elsewhere():
    jumps = []
    for scene in _scenes():
        centres = scene.boxes[0, :, :2] + scene.boxes[0, :, 2:] / 2
        for event in scene.events:
            if event.kind != 'out_of_view' or event.end >= scene.num_frames:
                continue
            before = np.flatnonzero(~scene.absent[:event.start])[-1]
            # The first frame the target shows again (an occluder may hide
            # the re-entry point for a while).
            after = event.end + np.flatnonzero(~scene.absent[event.end:])
            if len(after):
                jumps.append(np.hypot(*(centres[after[0]] - centres[before])))
    assert len(jumps) >= 5
    diag = np.hypot(160, 120)
    assert np.median(jumps) > 0.25 * diag


def test_distractors_look_alike_in_size_and_some_cross_the_target():
    crossings = 0
    for scene in _scenes(num_distractors=4):
        assert scene.boxes.shape[0] == 5
        t_area = scene.boxes[0, :, 2:].prod(1).mean()
        for d in range(1, 5):
            ratio = scene.boxes[d, :, 2:].prod(1).mean() / t_area
            assert 0.3 < ratio < 3.5
            centres = scene.boxes[:, :, :2] + scene.boxes[:, :, 2:] / 2
            dist = np.hypot(*(centres[d] - centres[0]).T)
            crossings += bool((dist < 1.5).any())
    assert crossings > 0


def test_size_change_stays_mild():
    for scene in _scenes(size_change=0.1, size_range=(20, 40)):
        sizes = np.sqrt(scene.boxes[0, :, 2:].prod(1))
        assert sizes.max() / sizes.min() < 1.1**2 * 1.1


def test_camera_moves_unless_disabled():
    moving = _scenes(n=2)[0].camera
    still = _scenes(n=2, camera_motion=0.0)[0].camera
    assert np.ptp(moving[:, 0]) > 1
    assert np.ptp(still, axis=0).max() == 0


@pytest.mark.parametrize('option, value', [
    ('frame_size', (16, 16)),
    ('frame_size', (64, 'x')),
    ('size_range', (4, 100)),  # too big for 64x64 frames
    ('size_change', -0.1),
    ('num_distractors', -1),
    ('num_distractors', 1.5),
    ('occlusion_rate', -1),
    ('out_of_view_rate', float('nan')),
    ('absence_length', (0, 3)),
    ('absence_length', (5, 3)),
    ('camera_motion', -2),
])
def test_bad_scene_options_name_the_option(option, value):
    options = dict(frame_size=(64, 64), size_range=(4, 24))
    options[option] = value
    with pytest.raises(ValueError, match=option):
        make_scene_config(**options)


@pytest.mark.parametrize('option, value, message', [
    ('size_change', -0.1, r'size_change must be a number in \[0, 1\], '
     'got -0.1'),
    ('num_distractors', True, r'num_distractors must be an integer in '
     r'\[0, 50\], got True'),
    ('occlusion_rate', '1', r"occlusion_rate must be a number in \[0, 100\], "
     "got '1'"),
    ('camera_motion', float('inf'), r'camera_motion must be a number in '
     r'\[0, 10\], got inf'),
])
def test_bad_scene_numbers_name_the_option_and_its_range(
        option, value, message):
    options = dict(frame_size=(64, 64), size_range=(4, 24))
    options[option] = value
    with pytest.raises(ValueError, match=f'^{message}$'):
        make_scene_config(**options)
