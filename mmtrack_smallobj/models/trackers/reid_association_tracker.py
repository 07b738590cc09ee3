"""Association of global-search candidates over frames by motion and re-id.

A global-search tracker sees every object that looks like the target, and
taking the top-scoring candidate each frame jumps to distractors. DMTrack
(CVPR 2021) instead tracks all of them, as a multi-object tracker would, and
picks the target's tracklet by identity. Its re-id association was never
published; this is our version of it.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np
from mmtrack.registry import MODELS, TASK_UTILS
from scipy.optimize import linear_sum_assignment

from ...utils.config_checks import check_choice, check_number
from .batch_kalman import xyxy_to_cxcyah
from .candidates import ArrayLike, box_iou, clean_candidates, to_numpy
from .target_memory import TargetMemory
from .tracklet_table import TrackletTable, Tracklets

# Cost of a forbidden pair: above any sum of allowed costs, so the Hungarian
# solver first maximises the number of allowed matches, then their quality.
FORBIDDEN = 1e6
REACQUIRE_RULES = ('similarity', 'contrast')


@dataclass
class TargetState:
    """The target in one frame.

    Attributes:
        box (np.ndarray): (4,) x1, y1, x2, y2: the matched candidate; while
            absent, the motion prediction for up to ``max_missed`` frames,
            then the last matched box.
        score (float): The matched candidate's score; 0 while absent.
        absent (bool): True when no candidate was the target this frame.
        target_id (int): Id of the target's tracklet (fixed, 0).
        tracklets (Tracklets): All live tracklets, the target's included.
    """

    box: np.ndarray
    score: float
    absent: bool
    target_id: int
    tracklets: Tracklets


@MODELS.register_module()
class ReIDAssociationTracker:
    """Tracks every candidate and keeps the target's identity by re-id.

    Each frame: a Kalman filter (mmtrack's ``KalmanFilter``, batched)
    predicts every tracklet; candidates are matched to tracklets by the
    Hungarian method (scipy) on ``appearance_weight * cosine distance +
    iou_weight * (1 - IoU with the predicted box)``, forbidding pairs
    outside the motion gate, with a cosine distance above
    ``max_appearance_dist`` or a cost above ``match_thr``. The target's
    row compares candidates with its memory, the better of the first-frame
    embedding and an EMA of its matched embeddings. When the target's
    tracklet finds no match, a candidate anywhere in the frame becomes the
    target if it is unmatched or held by a tracklet born since the target
    was last seen, and it is, by ``reacquire_rule``, the most similar to
    the memory (at least ``reacquire_thr``) or the one that looks most like
    the target's matched views and least like the look-alikes seen while
    it was tracked (:class:`TargetMemory`, contrast above
    ``reacquire_margin``). Other unmatched candidates scoring
    ``init_track_thr`` or more start tracklets.

    Not a :class:`mmtrack.models.trackers.BaseTracker`: that keeps each
    track as a dict of lists of tensors, built for per-object loops; here
    all tracklets are rows of a :class:`TrackletTable` so that a frame of
    50 candidates fits a 1 ms budget
    (``tools/benchmarks/bench_reid_association.py``).

    Args:
        motion (dict, optional): ``TASK_UTILS`` Kalman filter config.
            Defaults to ``KalmanFilter`` with ``center_only=True``: the
            aspect and height of few-pixel boxes jump by whole pixels, so
            gating on them would reject the target itself.
        appearance_weight (float): Weight of the cosine distance.
        iou_weight (float): Weight of ``1 - IoU``.
        match_thr (float): Largest combined cost of a match.
        max_appearance_dist (float): Largest cosine distance of a match.
        motion_gate_thr (float, optional): Largest squared Mahalanobis
            distance of a match; None takes the filter's 95% chi-square.
        reacquire_thr (float): Smallest cosine similarity to the target's
            memory to re-acquire it by appearance ('similarity' rule).
        reacquire_rule (str): 'similarity' (the default) or 'contrast'.
        reacquire_margin (float): Smallest contrast to re-acquire the target
            ('contrast' rule), in ``[-2, 2]``.
        bank_size (int): Embeddings kept of the target's matched views and
            of its look-alikes ('contrast' rule).
        init_track_thr (float): Smallest score that starts a tracklet.
        max_missed (int): Frames a distractor tracklet may go unmatched
            before it is removed.
        target_max_missed (int): The same for the target's tracklet; large,
            since long disappearances are normal. Its memory is never
            removed, so it is re-acquired even after this.
        confirm_hits (int): Matches before a distractor tracklet is kept
            through misses; until then its first miss removes it, so that
            one-frame false candidates do not pile up for ``max_missed``
            frames (ByteTrack's tentative tracks). 1 keeps every tracklet.
        embedding_momentum (float): Weight of a new embedding in the EMAs.
        min_noise_height (float): The Kalman noise of boxes shorter than
            this, in pixels, is that of a box this tall: mmtrack's filter
            scales the noise by the height, which leaves few-pixel boxes
            less noise than a detector's jitter. 0 keeps its model exactly.
    """

    def __init__(self,
                 motion: Optional[dict] = None,
                 appearance_weight: float = 0.7,
                 iou_weight: float = 0.3,
                 match_thr: float = 0.8,
                 max_appearance_dist: float = 0.5,
                 motion_gate_thr: Optional[float] = None,
                 reacquire_thr: float = 0.7,
                 reacquire_rule: str = 'similarity',
                 reacquire_margin: float = 0.0,
                 bank_size: int = 300,
                 init_track_thr: float = 0.3,
                 max_missed: int = 30,
                 target_max_missed: int = 10000,
                 confirm_hits: int = 2,
                 embedding_momentum: float = 0.1,
                 min_noise_height: float = 32.) -> None:
        check_number('appearance_weight', appearance_weight, 0)
        check_number('iou_weight', iou_weight, 0)
        # Numbers, not only ints: they are only compared with counts.
        check_number('max_missed', max_missed, 0)
        check_number('target_max_missed', target_max_missed, 0)
        check_number('confirm_hits', confirm_hits, 1)
        check_number('embedding_momentum', embedding_momentum, 0, 1)
        check_choice('reacquire_rule', reacquire_rule, REACQUIRE_RULES)
        # An integer: it caps the memory's banks by slicing.
        check_number('bank_size', bank_size, 1, integer=True)
        motion = dict(motion or dict(type='KalmanFilter', center_only=True))
        self.kf = TASK_UTILS.build(motion)
        self.appearance_weight = appearance_weight
        self.iou_weight = iou_weight
        self.match_thr = match_thr
        self.max_appearance_dist = max_appearance_dist
        self.motion_gate_thr = (
            self.kf.gating_threshold
            if motion_gate_thr is None else motion_gate_thr)
        self.reacquire_thr = reacquire_thr
        self.reacquire_rule = reacquire_rule
        self.reacquire_margin = reacquire_margin
        self.bank_size = bank_size
        self.init_track_thr = init_track_thr
        self.max_missed = max_missed
        self.target_max_missed = target_max_missed
        self.confirm_hits = confirm_hits
        self.momentum = embedding_momentum
        self.min_noise_height = min_noise_height
        self.target_id = 0
        self.frame_id: Optional[int] = None

    def init(self,
             box_xyxy: ArrayLike,
             embedding: ArrayLike,
             frame_id: int = 0) -> None:
        """Start a video: fix the target's identity from its first box.

        Args:
            box_xyxy (ArrayLike): (4,) first-frame box x1, y1, x2, y2.
            embedding (ArrayLike): (D,) its embedding (normalised here).
            frame_id (int): Index of the first frame. Defaults to 0.
        """
        box = to_numpy(box_xyxy).reshape(4)
        embedding = to_numpy(embedding).reshape(-1)
        if not (np.isfinite(box).all() and box[2] > box[0]
                and box[3] > box[1]):
            raise ValueError(f'first box must be finite with a positive size,'
                             f' got {box.tolist()}')
        if not np.isfinite(embedding).all() or not embedding.any():
            raise ValueError('first embedding must be finite and non-zero')
        self.table = TrackletTable(self.kf, embedding.size, self.momentum,
                                   self.min_noise_height)
        # Kept apart from the target's row so that it outlives the row.
        self.memory = TargetMemory(
            embedding,
            self.bank_size if self.reacquire_rule == 'contrast' else None)
        self.next_id = self.target_id + 1
        self.frame_id = frame_id
        self.target_last_seen = frame_id
        self.last_target_box = box
        self.table.append(
            np.array([self.target_id]), box[None], np.ones(1),
            self.memory.first[None], frame_id)

    def _target_row(self) -> Optional[int]:
        return self.table.row_of(self.target_id)

    @property
    def first_embed(self) -> np.ndarray:
        """(D,) the target's normalised first-frame embedding."""
        return self.memory.first

    def target_similarity(self, embeddings: np.ndarray) -> np.ndarray:
        """(N,) cosine similarity of normalised embeddings to the target's
        memory: the better of its first-frame and EMA embeddings."""
        return self.memory.similarity(embeddings)

    def _match(self, boxes: np.ndarray, measures: np.ndarray,
               embeds: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Rows of tracklets and columns of candidates matched this frame."""
        table = self.table
        if len(table) == 0 or len(boxes) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        app = 1 - table.embeds @ embeds.T
        row = self._target_row()
        if row is not None:
            app[row] = 1 - self.target_similarity(embeds)
        iou = box_iou(table.predicted_boxes(), boxes)
        cost = self.appearance_weight * app + self.iou_weight * (1 - iou)
        gate = table.gating_distance(measures)
        allowed = ((gate <= self.motion_gate_thr)
                   & (app <= self.max_appearance_dist)
                   & (cost <= self.match_thr))
        # Only tracklets and candidates with an allowed pair take part: most
        # of a frame's tracklets are far from most candidates.
        live_rows = np.flatnonzero(allowed.any(1))
        live_cols = np.flatnonzero(allowed.any(0))
        sub = np.ix_(live_rows, live_cols)
        rows, cols = linear_sum_assignment(
            np.where(allowed[sub], cost[sub], FORBIDDEN))
        rows, cols = live_rows[rows], live_cols[cols]
        keep = allowed[rows, cols]
        return rows[keep], cols[keep]

    def _reacquire(self, rows: np.ndarray, cols: np.ndarray,
                   num_candidates: int, embeds: np.ndarray) -> Optional[int]:
        """The candidate to re-acquire the target by appearance, if any.

        Tracklets older than the target's last sighting were other objects
        while the target was still there, so their candidates are not
        offered; newer ones may be the target coming back.
        """
        taken = np.zeros(num_candidates, dtype=bool)
        taken[cols] = True
        offered = ~taken
        young = self.table.born[rows] > self.target_last_seen
        offered[cols[young]] = True
        pool = np.flatnonzero(offered)
        if len(pool) == 0:
            return None
        if self.reacquire_rule == 'contrast':
            values = self.memory.contrast(embeds[pool])
            least = self.reacquire_margin
        else:
            values = self.target_similarity(embeds[pool])
            least = self.reacquire_thr
        best = int(np.argmax(values))
        return int(pool[best]) if values[best] >= least else None

    def _take(self, col: int, rows: np.ndarray, cols: np.ndarray,
              restart: bool, boxes: np.ndarray, measures: np.ndarray,
              scores: np.ndarray, embeds: np.ndarray) -> Optional[int]:
        """Make candidate ``col`` the target.

        Returns:
            int, optional: Row of the young tracklet that held the
            candidate, now merged into the target's and to be dropped.
        """
        table = self.table
        holder = rows[cols == col]
        target = self._target_row()
        kalman = False
        if target is None:
            table.append(
                np.array([self.target_id]), boxes[col:col + 1],
                scores[col:col + 1], self.memory.recent[None],
                self.frame_id)
            target = len(table) - 1
        elif not len(holder) and restart:
            # Unseen before the last frame: its velocity is stale.
            table.restart(target, measures[col])
        elif not len(holder):
            # Seen last frame, out of the gate now (a jump of a few-pixel
            # target): keep its motion history and correct it.
            kalman = True
        if len(holder):
            # A young tracklet already follows it: inherit its motion.
            table.means[target] = table.means[holder[0]]
            table.covs[target] = table.covs[holder[0]]
        one = slice(col, col + 1)
        table.correct(
            np.array([target]),
            boxes[one],
            measures[one],
            scores[one],
            embeds[one],
            kalman=kalman)
        return int(holder[0]) if len(holder) else None

    def update(self, boxes_xyxy: ArrayLike, scores: ArrayLike,
               embeddings: ArrayLike, frame_id: int) -> TargetState:
        """Associate one frame's candidates and report the target.

        Args:
            boxes_xyxy (ArrayLike): (N, 4) candidate boxes x1, y1, x2, y2;
                N may be 0. Rows with NaN or no size are ignored.
            scores (ArrayLike): (N,) candidate scores.
            embeddings (ArrayLike): (N, D) candidate embeddings.
            frame_id (int): Index of this frame, above the last one; a gap
                predicts the motion over the skipped frames.

        Returns:
            TargetState: The target's box, score and absence, and all
            tracklets.
        """
        if self.frame_id is None:
            raise RuntimeError('call init() before update()')
        steps = frame_id - self.frame_id
        if steps < 1:
            raise ValueError(f'frame_id {frame_id} does not follow '
                             f'{self.frame_id}')
        restart = self.target_last_seen < self.frame_id
        self.frame_id = frame_id
        boxes, scores, embeds = clean_candidates(
            boxes_xyxy, scores, embeddings, self.first_embed.size)
        measures = xyxy_to_cxcyah(boxes)
        table = self.table
        table.predict(steps)
        rows, cols = self._match(boxes, measures, embeds)
        table.correct(rows, boxes[cols], measures[cols], scores[cols],
                      embeds[cols])
        target = self._target_row()
        merged = target_col = None
        if target is not None and target in rows:
            target_col = int(cols[rows == target][0])
        else:
            target_col = self._reacquire(rows, cols, len(boxes), embeds)
            if target_col is not None:
                merged = self._take(target_col, rows, cols, restart, boxes,
                                    measures, scores, embeds)
                cols = np.append(cols, target_col)
        born = np.ones(len(boxes), dtype=bool)
        born[cols] = False
        born &= scores >= self.init_track_thr
        new = np.flatnonzero(born)
        table.append(
            np.arange(self.next_id, self.next_id + len(new)), boxes[new],
            scores[new], embeds[new], frame_id)
        self.next_id += len(new)
        is_target = table.ids == self.target_id
        limit = np.where(is_target, self.target_max_missed, self.max_missed)
        confirmed = is_target | (table.hits >= self.confirm_hits)
        keep = (table.missed <= limit) & (confirmed | (table.missed == 0))
        if merged is not None:
            keep[merged] = False
        table.keep(keep)
        return self._state(target_col, boxes, embeds)

    def _state(self, target_col: Optional[int], boxes: np.ndarray,
               embeds: np.ndarray) -> TargetState:
        """The report of this frame; remembers the target when its
        candidate ``target_col`` was found: its view, and the candidates
        that do not touch it as look-alikes."""
        table, target = self.table, self._target_row()
        found = target_col is not None
        score = 0.
        if found:
            self.target_last_seen = self.frame_id
            self.last_target_box = table.boxes[target].copy()
            others = embeds[:0]
            if self.memory.keeps_banks:
                apart = box_iou(boxes[target_col][None], boxes)[0] == 0
                others = embeds[apart]
            self.memory.remember(embeds[target_col], table.embeds[target],
                                 others)
            box, score = self.last_target_box, float(table.scores[target])
        elif target is not None and table.missed[target] <= self.max_missed:
            box = table.predicted_boxes()[target]
        else:
            # Extrapolated over a long absence, the motion leaves the image.
            box = self.last_target_box
        return TargetState(
            box=box.copy(),
            score=score,
            absent=not found,
            target_id=self.target_id,
            tracklets=table.view())

    @property
    def tracklets(self) -> Tracklets:
        """All live tracklets (ids, last boxes, frames missed)."""
        return self.table.view()
