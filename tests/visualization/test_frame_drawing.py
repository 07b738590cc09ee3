"""mmtrack_smallobj.visualization.frame_drawing: what the demo draws, and
reading candidates, tracklets and absence from a tracker's memo."""
import addict
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData

from mmtrack_smallobj.models.trackers import Tracklets
from mmtrack_smallobj.visualization.frame_drawing import (
    ABSENT_COLOR, CANDIDATE_COLOR, TRACK_COLOR, TRACKLET_COLORS, draw_box,
    draw_tracking_frame, memo_absent, memo_candidates, memo_tracklets)


def _blank(size=128):
    return np.zeros((size, size, 3), np.uint8)


def _has(image, color):
    return bool((image == np.array(color, np.uint8)).all(axis=-1).any())


def test_box_is_drawn_on_the_continuous_pixels():
    image = draw_box(_blank(), [10, 20, 30, 50], (255, 255, 255))
    ys, xs = np.nonzero(image[..., 0])
    # x1..x2 - 1 and y1..y2 - 1: the pixels a 20x30 box covers.
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (10, 29, 20, 49)


def test_small_box_gets_a_ring_only_when_asked():
    plain = draw_box(_blank(), [60, 60, 64, 63], (255, 255, 255))
    ringed = draw_box(_blank(), [60, 60, 64, 63], (255, 255, 255),
                      ring=True)
    assert np.count_nonzero(ringed) > 3 * np.count_nonzero(plain)
    assert np.count_nonzero(ringed[:50]) > 0  # the ring reaches far out


def test_non_finite_box_draws_nothing():
    assert not draw_box(_blank(), [np.nan, 0, 4, 4], (255, 255, 255)).any()


def test_tracking_frame_colours():
    image = _blank()
    candidates = (np.array([[10., 10., 20., 20.], [70., 70., 90., 90.]]),
                  np.array([0.9, 0.4]))
    present = draw_tracking_frame(image, [10, 10, 20, 20], 0.9, False, 3,
                                  candidates, [(7, np.array([40, 40, 60,
                                                             60.]))])
    assert not image.any()  # the input is not drawn on
    assert _has(present, TRACK_COLOR) and not _has(present, ABSENT_COLOR)
    # The candidate equal to the track is not drawn over it; the other is.
    assert _has(present[68:92, 68:92], CANDIDATE_COLOR)
    assert not _has(present[8:22, 8:22], CANDIDATE_COLOR)
    assert _has(present[38:62, 38:62], TRACKLET_COLORS[7 % 6])
    absent = draw_tracking_frame(image, [10, 10, 20, 20], 0.1, True, 3)
    assert _has(absent, ABSENT_COLOR)


def test_memo_candidates():
    memo = addict.Dict()
    boxes, scores = memo_candidates(memo)  # mmtrack's own trackers
    assert boxes.shape == (0, 4) and scores.shape == (0, )
    memo.candidates = InstanceData(
        bboxes=torch.tensor([[1., 2., 3., 4.], [5., 6., 7., 8.]]),
        scores=torch.tensor([0.5, 0.25]))
    boxes, scores = memo_candidates(memo)
    np.testing.assert_array_equal(boxes[1], [5, 6, 7, 8])
    np.testing.assert_array_equal(scores, [0.5, 0.25])
    assert memo_candidates(None)[0].shape == (0, 4)


BOX = [1., 2., 3., 4.]


@pytest.mark.parametrize('tracklets, expected', [
    # The re-id association's layout: tracklet 9 was missed this frame.
    (Tracklets(np.array([0, 9]), np.array([BOX, [5., 5, 9, 9]]),
               np.array([0, 2])), [(0, BOX)]),
    (Tracklets(np.zeros(0, np.int64), np.zeros((0, 4)), np.zeros(0)), []),
    (InstanceData(bboxes=torch.tensor([BOX]), ids=torch.tensor([4])),
     [(4, BOX)]),
    ({3: np.array([[0., 0, 1, 1], BOX])}, [(3, BOX)]),
    ({5: dict(bbox=BOX)}, [(5, BOX)]),
    ([dict(track_id=2, bboxes=[BOX])], [(2, BOX)]),
    ([BOX], [(0, BOX)]),
    ([], []),
])
def test_memo_tracklets_layouts(tracklets, expected):
    memo = addict.Dict()
    # Set, not passed to the constructor, which would rebuild tuples.
    memo.tracklets = tracklets
    got = memo_tracklets(memo)
    assert [i for i, _ in got] == [i for i, _ in expected]
    for (_, box), (_, want) in zip(got, expected):
        np.testing.assert_array_equal(box, want)


def test_memo_tracklets_absent_or_unknown():
    assert memo_tracklets(addict.Dict()) == []
    with pytest.warns(UserWarning, match='cannot draw'):
        assert memo_tracklets(addict.Dict(tracklets=[object()])) == []


def test_memo_absent():
    assert memo_absent(addict.Dict()) is None
    assert memo_absent(addict.Dict(absent=torch.tensor([True]))) is True
    assert memo_absent(addict.Dict(absent=False)) is False
