"""Candidate recall: hand-built frames whose hit ranks are known."""
import numpy as np
import pytest

from mmtrack_smallobj.evaluation.functional import (
    CandidateVideo, EvaluationInputError, VideoData, candidate_file_path,
    candidate_recall, evaluate_videos, first_hit_ranks,
    format_candidate_recall_table, read_candidate_file, write_candidate_file)

GT = np.array([10.0, 10.0, 30.0, 30.0])  # xyxy, 20 px
ON = np.array([15.0, 15.0, 25.0, 25.0])  # centre (20, 20): on the target
OFF = np.array([50.0, 50.0, 60.0, 60.0])  # centre (55, 55): off it
# Centre (30, 30): on the box's corner, which counts as inside.
EDGE = np.array([25.0, 25.0, 35.0, 35.0])


def _frames(*ranks_and_sizes):
    """Candidates per frame: ON at the given rank among ``size`` boxes (rank
    None: ON absent); frame 0 has none."""
    frames = [np.zeros((0, 4))]
    for rank, size in ranks_and_sizes:
        boxes = np.tile(OFF, (size, 1))
        if rank is not None:
            boxes[rank] = ON
        frames.append(boxes)
    return frames


def test_first_hit_ranks():
    frames = _frames((0, 3), (2, 3), (None, 3), (1, 2)) + [EDGE[None]]
    # Two candidates on the target: the better ranked one counts.
    frames.append(np.stack([OFF, EDGE, OFF, ON]))
    gt = np.tile(GT, (len(frames), 1))
    np.testing.assert_array_equal(
        first_hit_ranks(frames, gt), [-1, 0, 2, -1, 1, 0, 1])
    assert first_hit_ranks([np.zeros((0, 4))] * 2, gt[:2]).tolist() == [
        -1, -1]
    # An absent (zero) ground-truth box has no hit, whatever the boxes.
    gt[1] = 0
    assert first_hit_ranks(frames, gt)[1] == -1
    with pytest.raises(ValueError, match='3 frames of candidates for 7'):
        first_hit_ranks(frames[:3], gt)


def test_recall_chosen_and_ceiling():
    # Frames 1..5: the target first (chosen), third (missed by selection),
    # absent from the candidates twice, and frame 5 out of view.
    frames = _frames((0, 3), (2, 3), (None, 3), (None, 3), (0, 3))
    gt = np.tile(GT, (6, 1))
    pred = np.tile(OFF, (6, 1))
    pred[[0, 1]] = ON
    visible = np.array([1, 1, 1, 1, 1, 0], bool)
    video = CandidateVideo('cat-1', gt, pred, visible=visible,
                           candidates=frames)
    recall = candidate_recall([video], top_k=(1, 3))
    overall = recall['overall']
    assert overall['frames'] == 4
    assert overall['chosen'] == pytest.approx(25.0)
    assert overall['recall@1'] == pytest.approx(25.0)
    assert overall['recall@3'] == pytest.approx(50.0)
    # lasot convention over 6 frames: frame 0 given; frame 1 right; the
    # out-of-view frame a failure whatever the candidates.
    assert recall['point_accuracy'] == pytest.approx(100 * 2 / 6)
    assert recall['point_accuracy_ceiling'] == pytest.approx(100 * 3 / 6)
    # A perfect tracker: all but the out-of-view frame.
    assert recall['point_accuracy_perfect'] == pytest.approx(100 * 5 / 6)
    assert recall['by_size']['16-32']['frames'] == 4
    assert recall['by_size']['<8']['frames'] == 0
    assert recall['by_size']['<8']['chosen'] is None
    assert 'by_visibility' not in recall


def test_reported_boxes_are_scored_as_the_evaluation_scores_them():
    # Frame 2 reports a zero-width box off the target: the lasot convention
    # (pytracking) carries frame 1's box forward, which is on it.
    frames = _frames((0, 3), (0, 3), (None, 3))
    gt = np.tile(GT, (4, 1))
    pred = np.stack([ON, ON, [50.0, 50.0, 50.0, 60.0], OFF])

    def video(**fields):
        return CandidateVideo('cat-1', gt, pred, candidates=frames, **fields)

    recall = candidate_recall([video()])
    expected = evaluate_videos([VideoData('cat-1', gt, pred)],
                               convention='lasot')
    assert recall['point_accuracy'] == pytest.approx(75.0)
    assert expected['point_accuracy'] == pytest.approx(75.0)
    assert recall['overall']['chosen'] == pytest.approx(100 * 2 / 3)
    # A box the evaluation refuses is refused here too, with the results
    # file and line when the video knows them.
    pred[3, 0] = np.nan
    with pytest.raises(ValueError,
                       match='video cat-1, frame 3: non-finite box'):
        candidate_recall([video()])
    with pytest.raises(ValueError, match='R/cat-1.txt, line 4: non-finite'):
        candidate_recall([video(pred_source='R/cat-1.txt')])


def test_visibility_bins_and_the_table():
    frames = _frames((0, 2), (1, 2), (None, 2))
    gt = np.tile(GT, (4, 1))
    pred = np.tile(ON, (4, 1))
    cover = np.array([8, 8, 2, 8])
    videos = [
        CandidateVideo('cat-1', gt, pred, cover=cover, candidates=frames)
    ]
    recall = candidate_recall(videos, top_k=(1, 2))
    partly, whole = recall['by_visibility']['0-30'], recall[
        'by_visibility']['100']
    assert partly['frames'] == 1 and partly['recall@2'] == 100.0
    assert partly['recall@1'] == 0.0
    assert whole['frames'] == 2 and whole['recall@2'] == 50.0
    assert recall['by_visibility']['30-60']['frames'] == 0
    text = format_candidate_recall_table(recall)
    assert ('ceiling with these candidates: 75.00; a perfect tracker: '
            '100.00') in text
    assert 'recall@2' in text and 'visible (%)' in text
    assert 'size (px)' in text


@pytest.mark.parametrize('top_k', [(), (0, 5)])
def test_bad_top_k(top_k):
    video = CandidateVideo('v', np.tile(GT, (2, 1)), np.tile(GT, (2, 1)),
                           candidates=_frames((0, 1)))
    with pytest.raises(ValueError, match='top_k'):
        candidate_recall([video], top_k=top_k)


def test_candidate_file_round_trip(tmp_path):
    frames = _frames((0, 3), (None, 1))
    scores = [np.zeros(0), np.array([0.9, 0.5, 0.4]), np.array([0.2])]
    path = write_candidate_file(str(tmp_path), 'cat-1', frames, scores)
    assert path == candidate_file_path(str(tmp_path), 'cat-1')
    assert path.endswith('cat-1_candidates.npz')
    back = read_candidate_file(path, 3)
    assert [len(f) for f in back] == [0, 3, 1]
    for got, want in zip(back, frames):
        np.testing.assert_allclose(got, want)
    with np.load(path) as data:
        assert data['boxes'].shape == (3, 3, 4)
        np.testing.assert_allclose(data['scores'][1], scores[1])
    # no temporary file left beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'cat-1_candidates.npz'
    ]
    with pytest.raises(ValueError, match='frame 1: 3 candidates but 2'):
        write_candidate_file(str(tmp_path), 'cat-2', frames,
                             [np.zeros(0), np.zeros(2), np.zeros(1)])


def test_bad_candidate_files_are_named(tmp_path):
    path = str(tmp_path / 'cat-1_candidates.npz')
    with pytest.raises(EvaluationInputError, match='--save-candidates'):
        read_candidate_file(path, 3)
    write_candidate_file(str(tmp_path), 'cat-1', _frames((0, 1)),
                         [np.zeros(0), np.zeros(1)])
    with pytest.raises(EvaluationInputError,
                       match='cat-1_candidates.npz.*2 frames of candidates, '
                       'the ground truth 3'):
        read_candidate_file(path, 3)
    (tmp_path / 'bad_candidates.npz').write_bytes(b'not a zip')
    with pytest.raises(EvaluationInputError, match='not a candidates file'):
        read_candidate_file(str(tmp_path / 'bad_candidates.npz'), 3)
    np.savez(str(tmp_path / 'flat_candidates.npz'), boxes=np.zeros((3, 4)))
    with pytest.raises(EvaluationInputError, match=r'shape \(frames, K, 4\)'):
        read_candidate_file(str(tmp_path / 'flat_candidates.npz'), 3)
