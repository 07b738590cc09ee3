"""Candidate recall: was the target among a frame's candidates at all?

A global-search tracker ranks K candidate boxes a frame and reports one. A
frame it gets wrong is then one of two failures, which call for different
fixes:

* a detection miss: no candidate lies on the target (the score maps or the
  test scale must change, i.e. training);
* a selection miss: a candidate did, and another was ranked first (the
  ranking or the association must change).

``recall@k`` is the share of visible frames with a candidate on the target
(its box centre inside the ground-truth box, the point-accuracy criterion)
among the k best. The point-accuracy ceiling is the point accuracy (lasot
convention: frame 0 given, every absent frame a failure) of a tracker that
always picked the right candidate when there was one: what no ranking can
beat with these candidates. Above both is the point accuracy of a perfect
tracker, right on every visible frame: the share of frames that show the
target, since the convention fails every absent frame. Pure numpy;
``tools/track.py --save-candidates`` writes the files read here.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Sequence

import numpy as np

from .boxes import xywh_to_xyxy, xyxy_to_xywh
from .file_io import EvaluationInputError, write_atomic
from .frame_scores import VideoData, score_video
from .point_accuracy import point_accuracy, point_hits
from .size_bins import (DEFAULT_SIZE_EDGES, assign_size_bins,
                        size_bin_labels)
from .visibility_bins import COVER_BIN_LABELS, assign_cover_bins

__all__ = [
    'CANDIDATE_FILE_SUFFIX', 'CandidateVideo', 'candidate_file_path',
    'write_candidate_file', 'read_candidate_file', 'first_hit_ranks',
    'candidate_recall'
]

CANDIDATE_FILE_SUFFIX = '_candidates.npz'


@dataclass
class CandidateVideo(VideoData):
    """A tracked video (:class:`VideoData`: ground truth, reported boxes,
    visibility, sources for messages) with every frame's candidates.

    Args:
        candidates (list[np.ndarray]): N arrays of (K_i, 4) xyxy
            candidates, in the tracker's ranking order (frame 0's is
            empty). A keyword: it follows VideoData's fields.
    """
    candidates: List[np.ndarray] = field(default_factory=list)


def candidate_file_path(results_dir: str, name: str) -> str:
    """``results_dir/<name>_candidates.npz``."""
    return osp.join(results_dir, name + CANDIDATE_FILE_SUFFIX)


def write_candidate_file(results_dir: str, name: str,
                         candidates: Sequence[np.ndarray],
                         scores: Sequence[np.ndarray]) -> str:
    """Write one video's candidates, atomically.

    The file holds ``boxes`` (N, K, 4) ``x, y, w, h`` and ``scores`` (N, K),
    NaN-padded to the largest K of the video (frame 0 has none).

    Args:
        results_dir (str): Existing results folder.
        name (str): Video name.
        candidates (Sequence[np.ndarray]): Per frame, (K_i, 4) xyxy boxes in
            ranking order.
        scores (Sequence[np.ndarray]): Per frame, (K_i,) their scores.

    Returns:
        str: The file's path.
    """
    if len(candidates) != len(scores):
        raise ValueError(f'{len(candidates)} frames of candidates but '
                         f'{len(scores)} of scores')
    width = max([len(c) for c in candidates] + [0])
    boxes = np.full((len(candidates), width, 4), np.nan)
    ranked = np.full((len(candidates), width), np.nan)
    for i, (frame, frame_scores) in enumerate(zip(candidates, scores)):
        frame = np.asarray(frame, np.float64).reshape(-1, 4)
        if len(frame_scores) != len(frame):
            raise ValueError(f'frame {i}: {len(frame)} candidates but '
                             f'{len(frame_scores)} scores')
        boxes[i, :len(frame)] = xyxy_to_xywh(frame)
        ranked[i, :len(frame)] = frame_scores
    path = candidate_file_path(results_dir, name)
    write_atomic(path, lambda f: np.savez(f, boxes=boxes, scores=ranked))
    return path


def read_candidate_file(path: str, num_frames: int) -> List[np.ndarray]:
    """Per frame, the (K_i, 4) xyxy candidates of a candidates file.

    Args:
        path (str): A file :func:`write_candidate_file` wrote.
        num_frames (int): The video's frame count.

    Returns:
        list[np.ndarray]: ``num_frames`` arrays; padding rows dropped.

    Raises:
        EvaluationInputError: A missing or unreadable file, no ``boxes``
            array of shape (N, K, 4), or N != ``num_frames``.
    """
    if not osp.isfile(path):
        raise EvaluationInputError(
            path, 'candidates file not found (write it with tools/track.py '
            '--save-candidates)')
    try:
        with np.load(path) as data:
            boxes = np.asarray(data['boxes'], np.float64)
    except (OSError, ValueError, KeyError) as err:
        raise EvaluationInputError(
            path, f'not a candidates file: {type(err).__name__}: {err}'
        ) from None
    if boxes.ndim != 3 or boxes.shape[2] != 4:
        raise EvaluationInputError(
            path, f'boxes must have shape (frames, K, 4), got {boxes.shape}')
    if len(boxes) != num_frames:
        raise EvaluationInputError(
            path, f'has {len(boxes)} frames of candidates, the ground truth '
            f'{num_frames}')
    # One conversion for the whole file, then each frame's real rows.
    xyxy = xywh_to_xyxy(boxes).reshape(boxes.shape)
    real = ~np.isnan(boxes).any(axis=2)
    return [frame[keep] for frame, keep in zip(xyxy, real)]


def first_hit_ranks(candidates: Sequence[np.ndarray],
                    gt_bboxes: np.ndarray) -> np.ndarray:
    """Per frame, the rank of the best candidate whose centre lies inside
    the ground-truth box (borders included).

    Args:
        candidates (Sequence[np.ndarray]): Per frame, (K_i, 4) xyxy boxes in
            ranking order.
        gt_bboxes (np.ndarray): (N, 4) xyxy ground truth.

    Returns:
        np.ndarray: (N,) int 0-based ranks; -1 where no candidate is on the
        target or the ground-truth box is not valid.
    """
    gt_bboxes = np.asarray(gt_bboxes, np.float64)
    if len(candidates) != len(gt_bboxes):
        raise ValueError(f'{len(candidates)} frames of candidates for '
                         f'{len(gt_bboxes)} ground-truth boxes')
    num_frames = len(gt_bboxes)
    frames = [np.asarray(frame, np.float64).reshape(-1, 4)
              for frame in candidates]
    sizes = np.array([len(frame) for frame in frames], np.int64)
    # Every candidate of the video at once, each beside its frame's box.
    frame_index = np.repeat(np.arange(num_frames), sizes)
    hits = point_hits(
        np.concatenate(frames) if frames else np.zeros((0, 4)),
        gt_bboxes[frame_index])
    # Hits come in frame order, best ranked first within a frame: a frame's
    # first hit is its best; its rank is its offset from the frame's start.
    hit_index = np.flatnonzero(hits)
    hit_frames, first = np.unique(frame_index[hit_index], return_index=True)
    starts = np.cumsum(sizes) - sizes
    ranks = np.full(num_frames, -1, np.int64)
    ranks[hit_frames] = hit_index[first] - starts[hit_frames]
    return ranks


def _rates(ranks: np.ndarray, chosen: np.ndarray,
           top_k: Sequence[int]) -> Dict:
    """Frame count, chosen hits and recall@k (percent) of counted frames."""
    num = len(ranks)
    rates = dict(frames=num)
    rates['chosen'] = 100.0 * chosen.mean() if num else None
    for k in top_k:
        rates[f'recall@{k}'] = (100.0 * ((ranks >= 0) & (ranks < k)).mean()
                                if num else None)
    return rates


def candidate_recall(videos: Sequence[CandidateVideo],
                     top_k: Sequence[int] = (1, 5, 10, 30),
                     size_edges: Sequence[float] = DEFAULT_SIZE_EDGES
                     ) -> Dict:
    """Detection against selection misses over a set of tracked videos.

    Args:
        videos (Sequence[CandidateVideo]): The tracked videos.
        top_k (Sequence[int]): The k of each ``recall@k``, each >= 1.
        size_edges (Sequence[float]): Inner edges of the size bins.

    Returns:
        dict: ``overall``, ``by_size`` and (when every video has cover
        levels) ``by_visibility``, each row with ``frames`` (visible frames
        after the first), ``chosen`` (percent of them where the reported
        box's centre is on the target) and ``recall@k``; and, lasot
        convention over all frames, ``point_accuracy`` and
        ``point_accuracy_ceiling``, and ``point_accuracy_perfect`` (every
        visible frame right). Undefined values are None.
    """
    top_k = [int(k) for k in top_k]
    if not top_k or min(top_k) < 1:
        raise ValueError(f'top_k must be one or more integers >= 1, got '
                         f'{top_k}')
    if not videos:
        raise ValueError('no videos')
    ranks, chosen, sizes, covers = [], [], [], []
    # Per video and frame, lasot convention: the reported box is right, a
    # candidate is right (the ceiling), the target shows (a perfect tracker).
    hits, ceiling, perfect = [], [], []
    for video in videos:
        video_ranks = first_hit_ranks(video.candidates, video.gt_bboxes)
        # The reported boxes are scored as tools/eval_results.py scores
        # them, so that the two point accuracies (and messages) agree.
        scored = score_video(video, 'lasot')
        # Frame 0 is given (the lasot convention sets it to the ground
        # truth): it counts in the point accuracies, not in the recall.
        later = scored.present.copy()
        later[:1] = False
        ranks.append(video_ranks[later])
        chosen.append(scored.point_hit[later])
        sizes.append(scored.size[later])
        covers.append(None if video.cover is None else
                      assign_cover_bins(video.cover)[later])
        hits.append(scored.point_hit)
        candidate_hit = later & (video_ranks >= 0)
        candidate_hit[0] = scored.present[0]
        ceiling.append(candidate_hit)
        perfect.append(scored.present)
    all_ranks, all_chosen = np.concatenate(ranks), np.concatenate(chosen)
    result = dict(
        top_k=top_k,
        point_accuracy=point_accuracy(hits),
        point_accuracy_ceiling=point_accuracy(ceiling),
        point_accuracy_perfect=point_accuracy(perfect),
        overall=_rates(all_ranks, all_chosen, top_k))
    size_bins = assign_size_bins(np.concatenate(sizes), size_edges)
    result['by_size'] = {
        label: _rates(all_ranks[size_bins == i], all_chosen[size_bins == i],
                      top_k)
        for i, label in enumerate(size_bin_labels(size_edges))
    }
    if all(c is not None for c in covers):
        cover_bins = np.concatenate(covers)
        result['by_visibility'] = {
            label: _rates(all_ranks[cover_bins == i],
                          all_chosen[cover_bins == i], top_k)
            for i, label in enumerate(COVER_BIN_LABELS)
        }
    return result
