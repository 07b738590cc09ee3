"""Scripted candidate sequences through the re-id association tracker."""
from typing import Dict, List, Optional, Tuple

import numpy as np
import pytest
import torch
from mmdet.structures.bbox import bbox_overlaps

import mmtrack_smallobj  # noqa: F401  (registers the tracker)
from mmtrack.registry import MODELS
from mmtrack_smallobj.models.trackers import (ReIDAssociationTracker,
                                              TargetState)
from mmtrack_smallobj.models.trackers.candidates import box_iou

DIM = 8
BASIS = np.eye(DIM)
TARGET = BASIS[0]
# Cosine 0.6 to the target: close enough to pass the appearance gate of a
# match (distance 0.4 <= 0.5) but below the re-acquisition threshold (0.7).
LOOKALIKE = 0.6 * BASIS[0] + 0.8 * BASIS[1]
OTHER = BASIS[2]


def _tracker(**kwargs) -> ReIDAssociationTracker:
    return MODELS.build(dict(type='ReIDAssociationTracker', **kwargs))


def _box(x: float, y: float, size: float = 16.) -> np.ndarray:
    return np.array([x, y, x + size, y + size])


def _frame(objects: List[Tuple[np.ndarray, float, np.ndarray]]):
    """(boxes, scores, embeddings) of a frame's candidates."""
    if not objects:
        return np.zeros((0, 4)), np.zeros(0), np.zeros((0, DIM))
    boxes, scores, embeds = zip(*objects)
    return np.stack(boxes), np.array(scores), np.stack(embeds)


def _id_at(state: TargetState, box: np.ndarray) -> Optional[int]:
    """Id of the tracklet matched to ``box`` this frame."""
    seen = state.tracklets.missed == 0
    hits = np.flatnonzero(
        seen & np.all(np.isclose(state.tracklets.boxes, box), axis=1))
    return int(state.tracklets.ids[hits[0]]) if len(hits) else None


@pytest.mark.parametrize(
    'lookalike', [LOOKALIKE, TARGET], ids=['similar', 'identical'])
def test_crossing_lookalike_keeps_identity(lookalike):
    """Target and a higher-scoring look-alike cross; while they overlap,
    NMS leaves one box (the look-alike's). Top-1 would follow the
    look-alike; motion plus appearance keep both identities."""
    tracker = _tracker()
    tracker.init(_box(20, 100), TARGET)
    ids: Dict[int, int] = {}
    for frame in range(1, 60):
        target_box, other_box = _box(20 + 4 * frame,
                                     100), _box(260 - 4 * frame, 101)
        overlapping = abs(4 * frame - 120) < 16
        objects = [(other_box, 0.9, lookalike)]
        if not overlapping:
            objects.append((target_box, 0.8, TARGET))
        state = tracker.update(*_frame(objects), frame)
        if overlapping:
            continue
        assert not state.absent
        np.testing.assert_allclose(state.box, target_box)
        assert _id_at(state, target_box) == state.target_id
        ids.setdefault(frame < 30, _id_at(state, other_box))
    assert ids[True] == ids[False] != tracker.target_id


def _tracked_beside(tracker: ReIDAssociationTracker,
                    other: Tuple[np.ndarray, float, np.ndarray]
                    ) -> TargetState:
    """Start on the target at (50, 50) and track it for frames 1 to 10,
    moving right 2 px a frame beside ``other``; the state of frame 10."""
    tracker.init(_box(50, 50), TARGET)
    for frame in range(1, 11):
        state = tracker.update(
            *_frame([(_box(50 + 2 * frame, 50), 0.8, TARGET), other]),
            frame)
        assert not state.absent
    return state


def test_reacquired_by_appearance_far_away_after_long_absence():
    tracker = _tracker()
    distractor = (_box(300, 300), 0.9, OTHER)
    last = _tracked_beside(tracker, distractor).box
    for frame in range(11, 111):
        # A different-looking object at the target's last position is not
        # taken for it: position alone does not re-acquire.
        state = tracker.update(*_frame([(last, 0.95, OTHER), distractor]),
                               frame)
        assert state.absent and state.score == 0.
        assert state.target_id in state.tracklets.ids  # coasting, kept
        if frame == 11:  # just lost: predicted on, at 2 px a frame
            assert state.box[0] == pytest.approx(last[0] + 2, abs=0.5)
    np.testing.assert_allclose(state.box, last)  # long lost: last box
    far = _box(600, 20)
    table = tracker.table
    gate = table.gating_distance(np.array([[608., 28., 1.,
                                            16.]]))[table.row_of(0), 0]
    assert gate > tracker.motion_gate_thr  # motion alone could not match
    state = tracker.update(*_frame([(far, 0.7, TARGET), distractor]), 111)
    assert not state.absent and state.score == pytest.approx(0.7)
    np.testing.assert_allclose(state.box, far)
    assert _id_at(state, far) == state.target_id
    # And it is followed from there by motion again.
    state = tracker.update(*_frame([(_box(603, 20), 0.7, TARGET), distractor]),
                           112)
    assert not state.absent and _id_at(state, _box(603, 20)) == 0


def _lost_among_lookalikes(rule: str, returning: np.ndarray):
    """Track the target beside a look-alike, lose it, then offer one new
    candidate far away; return that frame's state."""
    tracker = _tracker(reacquire_rule=rule, reacquire_thr=0.7)
    lookalike = (_box(300, 300), 0.9, LOOKALIKE)
    _tracked_beside(tracker, lookalike)
    for frame in range(11, 21):
        state = tracker.update(*_frame([lookalike]), frame)
        assert state.absent
    return tracker.update(
        *_frame([(_box(500, 20), 0.8, returning), lookalike]), 21)


# Between the target and the look-alike, but nearer the look-alike: cosine
# 0.76 to the target (above reacquire_thr 0.7) and 0.97 to the look-alike.
NEARER_LOOKALIKE = 0.76 * BASIS[0] + 0.65 * BASIS[1]


@pytest.mark.parametrize('rule, embedding, taken', [
    ('similarity', TARGET, True),
    ('contrast', TARGET, True),
    ('similarity', NEARER_LOOKALIKE, True),
    ('contrast', NEARER_LOOKALIKE, False),
])
def test_reacquire_rules(rule, embedding, taken):
    """'similarity' takes anything close enough to the target; 'contrast'
    only what is closer to the target's views than to the look-alikes seen
    while it was tracked."""
    state = _lost_among_lookalikes(rule, embedding)
    assert state.absent is not taken
    if taken:
        np.testing.assert_allclose(state.box, _box(500, 20))


def test_bad_reacquire_options():
    with pytest.raises(ValueError, match='reacquire_rule'):
        _tracker(reacquire_rule='nearest')
    with pytest.raises(ValueError, match='bank_size'):
        _tracker(bank_size=0)


@pytest.mark.parametrize('kwargs, message', [
    (dict(appearance_weight=-0.1),
     'appearance_weight must be a number >= 0, got -0.1'),
    (dict(iou_weight='0.3'), "iou_weight must be a number >= 0, got '0.3'"),
    (dict(max_missed=-1), 'max_missed must be a number >= 0, got -1'),
    (dict(target_max_missed=float('inf')),
     'target_max_missed must be a number >= 0, got inf'),
    (dict(confirm_hits=0), 'confirm_hits must be a number >= 1, got 0'),
    (dict(embedding_momentum=1.5),
     r'embedding_momentum must be a number in \[0, 1\], got 1.5'),
    (dict(embedding_momentum=True),
     r'embedding_momentum must be a number in \[0, 1\], got True'),
    (dict(bank_size=300.0), 'bank_size must be an integer >= 1, got 300.0'),
])
def test_bad_numbers_name_the_option_and_its_range(kwargs, message):
    with pytest.raises(ValueError, match=f'^{message}$'):
        _tracker(**kwargs)


def test_counts_compared_with_frames_may_be_floats():
    tracker = _tracker(max_missed=2.5, confirm_hits=1.0)
    assert (tracker.max_missed, tracker.confirm_hits) == (2.5, 1.0)


def test_target_tracklet_removed_then_recreated_with_its_id():
    tracker = _tracker(target_max_missed=5)
    tracker.init(_box(50, 50), TARGET)
    for frame in range(1, 7):
        state = tracker.update(*_frame([]), frame)
        assert state.absent
        assert (0 in state.tracklets.ids) == (frame <= 5)
    np.testing.assert_allclose(state.box, _box(50, 50))  # last known box
    state = tracker.update(*_frame([(_box(200, 200), 0.6, TARGET)]), 7)
    assert not state.absent and list(state.tracklets.ids) == [0]


def test_absent_right_after_init_and_lookalike_not_taken():
    tracker = _tracker()
    tracker.init(_box(50, 50), TARGET)
    state = tracker.update(*_frame([(_box(150, 50), 0.9, LOOKALIKE)]), 1)
    assert state.absent
    assert sorted(state.tracklets.ids) == [0, 1]  # the look-alike is born


def test_young_tracklet_of_returning_target_is_merged():
    """The target comes back looking a little off (below the re-acquisition
    threshold), so a tracklet is born for it; once its appearance is clear
    the target takes that tracklet over."""
    tracker = _tracker()
    tracker.init(_box(50, 50), TARGET)
    for frame in range(1, 4):
        tracker.update(*_frame([]), frame)
    blurred = 0.65 * TARGET + np.sqrt(1 - 0.65**2) * BASIS[3]
    state = tracker.update(*_frame([(_box(300, 80), 0.8, blurred)]), 4)
    assert state.absent and 1 in state.tracklets.ids
    state = tracker.update(*_frame([(_box(303, 80), 0.8, TARGET)]), 5)
    assert not state.absent
    assert list(state.tracklets.ids) == [0]
    np.testing.assert_allclose(state.box, _box(303, 80))


def test_birth_ageing_and_removal_of_distractors():
    tracker = _tracker(max_missed=5, init_track_thr=0.3, confirm_hits=2)
    tracker.init(_box(50, 50), TARGET)
    target = (_box(50, 50), 0.9, TARGET)
    flicker = (_box(300, 20), 0.9, BASIS[5])  # a one-frame false candidate
    for frame in range(1, 4):
        state = tracker.update(
            *_frame([
                target,
                (_box(200, 200), 0.5, OTHER),
                (_box(400, 100), 0.2, BASIS[4])  # too weak to be born
            ] + [flicker] * (frame == 1)),
            frame)
        # The flicker's tentative tracklet goes at its first miss.
        assert list(
            state.tracklets.ids) == ([0, 1, 2] if frame == 1 else [0, 1])
        assert not state.tracklets.missed.any()
    for frame in range(4, 10):
        state = tracker.update(*_frame([target]), frame)
        missed = frame - 3
        if missed <= 5:
            assert list(state.tracklets.ids) == [0, 1]
            assert state.tracklets.missed[1] == missed
        else:
            assert list(state.tracklets.ids) == [0]


def test_hungarian_with_more_candidates_than_tracklets_and_reverse():
    tracker = _tracker()
    tracker.init(_box(50, 50), TARGET)
    crowd = [(_box(50 + 40 * i, 200), 0.9, BASIS[1 + i]) for i in range(5)]
    for frame in (1, 2):  # seen twice: confirmed
        state = tracker.update(*_frame([(_box(50, 50), 0.9, TARGET)] + crowd),
                               frame)
        assert sorted(state.tracklets.ids) == [0, 1, 2, 3, 4, 5]
    moved = [(box + 1, score, embed) for box, score, embed in crowd[3:]]
    state = tracker.update(*_frame(moved), 3)
    assert state.absent
    assert [_id_at(state, box) for box, _, _ in moved] == [4, 5]
    assert list(state.tracklets.missed) == [1, 1, 1, 1, 0, 0]


def test_zero_candidates_and_bad_rows():
    tracker = _tracker()
    tracker.init(_box(50, 50), TARGET)
    for frame in range(1, 4):
        state = tracker.update(
            torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, DIM), frame)
        assert state.absent and state.score == 0.
    nan_box = np.array([np.nan, 0., 10., 10.])
    boxes, scores, embeds = _frame([(nan_box, 0.9, TARGET),
                                    (_box(50, 50), np.nan, TARGET),
                                    (_box(52, 50), 0.8, TARGET),
                                    (_box(90, 90, 0.), 0.9, TARGET)])
    state = tracker.update(boxes, scores, embeds, 4)
    assert not state.absent
    np.testing.assert_allclose(state.box, _box(52, 50))
    assert list(state.tracklets.ids) == [0]


def test_small_fast_target_is_kept_every_frame():
    """A 6-pixel target moving 5 pixels a frame, from rest."""
    tracker = _tracker()
    tracker.init(_box(20, 20, 6.), TARGET)
    for frame in range(1, 40):
        state = tracker.update(
            *_frame([(_box(20 + 5 * frame, 20, 6.), 0.6, TARGET)]), frame)
        assert not state.absent, frame
    assert list(state.tracklets.ids) == [0]


def test_frame_order_and_input_checks():
    tracker = _tracker()
    with pytest.raises(RuntimeError):
        tracker.update(*_frame([]), 1)
    with pytest.raises(ValueError):
        tracker.init(np.array([10., 10., 5., 20.]), TARGET)
    tracker.init(_box(0, 0), TARGET)
    tracker.update(*_frame([]), 3)  # a gap of three frames is allowed
    assert tracker.tracklets.missed[0] == 3
    with pytest.raises(ValueError):
        tracker.update(*_frame([]), 3)
    with pytest.raises(ValueError):
        tracker.update(np.zeros((2, 4)), np.zeros(1), np.zeros((2, DIM)), 4)
    with pytest.raises(TypeError):
        _tracker(max_miss=3)  # config typos fail loudly


def test_box_iou_matches_mmdet():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 100, (6, 2))
    boxes1 = np.concatenate([xy, xy + rng.uniform(1, 40, (6, 2))], axis=1)
    xy = rng.uniform(0, 100, (4, 2))
    boxes2 = np.concatenate([xy, xy + rng.uniform(1, 40, (4, 2))], axis=1)
    expected = bbox_overlaps(
        torch.from_numpy(boxes1), torch.from_numpy(boxes2)).numpy()
    np.testing.assert_allclose(box_iou(boxes1, boxes2), expected, atol=1e-12)


def test_coasting_target_box_keeps_a_positive_size():
    """A target that shrank fast before it vanished: the Kalman height
    velocity would carry the predicted height below zero during the coast,
    but the reported box stays at least a pixel wide and high."""
    tracker = _tracker(max_missed=100)
    tracker.init(_box(100, 100, 40), TARGET)
    for frame in range(1, 6):
        size = 40 - 7 * frame
        state = tracker.update(*_frame([(_box(100, 100, size), 0.9, TARGET)]),
                               frame)
        assert not state.absent
    table = tracker.table
    for frame in range(6, 40):
        state = tracker.update(*_frame([]), frame)
        assert state.absent
        width, height = state.box[2:] - state.box[:2]
        assert width >= 1 - 1e-9 and height >= 1 - 1e-9, (frame, state.box)
    # The state itself did go negative: the guard is what held.
    assert table.means[table.row_of(0), 3] < 0
