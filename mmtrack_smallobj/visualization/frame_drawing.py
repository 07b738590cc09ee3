"""Draw a tracker's state on a video frame: its box and score, an 'absent'
marker, the other candidates and the tracklets it keeps.

Boxes are continuous ``x1, y1, x2, y2`` as everywhere in the package. The
drawing must stay readable for targets of a few pixels, so a small box also
gets a ring around its centre, and text scales with the frame, not the box.
"""
import warnings
from typing import Any, List, Optional, Sequence, Tuple

import cv2
import numpy as np

__all__ = [
    'TRACK_COLOR', 'ABSENT_COLOR', 'CANDIDATE_COLOR', 'TRACKLET_COLORS',
    'memo_candidates', 'memo_tracklets', 'memo_absent', 'draw_box',
    'draw_tracking_frame'
]

Color = Tuple[int, int, int]
# BGR. Candidates and tracklets avoid the green and red of the track itself.
TRACK_COLOR: Color = (0, 220, 0)
ABSENT_COLOR: Color = (0, 0, 255)
CANDIDATE_COLOR: Color = (0, 165, 255)
TRACKLET_COLORS: Tuple[Color, ...] = ((255, 128, 0), (255, 0, 255),
                                      (255, 255, 0), (128, 0, 255),
                                      (0, 255, 255), (200, 200, 200))
# Boxes whose longer side is below this many pixels also get a ring.
SMALL_BOX = 12


def _numpy(value: Any) -> np.ndarray:
    """A tensor or array-like as a float64 numpy array."""
    if hasattr(value, 'detach'):
        value = value.detach().float().cpu().numpy()
    return np.asarray(value, np.float64)


def memo_candidates(memo: Any) -> Tuple[np.ndarray, np.ndarray]:
    """The candidates a tracker keeps in its memo after a frame.

    Args:
        memo (Any): ``model.memo`` (an addict.Dict in mmtrack), or None.

    Returns:
        tuple[np.ndarray, np.ndarray]: (K, 4) xyxy boxes and (K,) scores
        (NaN where the model keeps none); K = 0 when the memo has no
        ``candidates`` (mmtrack's own trackers, and every first frame).
    """
    # .get: an addict.Dict answers a missing attribute with an empty Dict.
    cands = memo.get('candidates') if hasattr(memo, 'get') else None
    boxes = getattr(cands, 'bboxes', None)
    if boxes is None:
        return np.zeros((0, 4)), np.zeros(0)
    boxes = _numpy(boxes).reshape(-1, 4)
    scores = getattr(cands, 'scores', None)
    scores = (np.full(len(boxes), np.nan)
              if scores is None else _numpy(scores).reshape(-1))
    return boxes, scores


def _last_box(value: Any) -> Optional[np.ndarray]:
    """The current (last) xyxy box of a tracklet given as a box, a box
    history, an object with ``bbox``/``bboxes`` or a dict with those keys."""
    for key in ('bboxes', 'bbox', 'boxes', 'box'):
        inner = value.get(key) if isinstance(value, dict) else getattr(
            value, key, None)
        if inner is not None:
            value = inner
            break
    try:
        arr = _numpy(value).reshape(-1, 4)
    except (TypeError, ValueError):
        return None
    return arr[-1] if len(arr) else None


def _tracklet_id(value: Any, default: int) -> int:
    """A tracklet's id from ``id``/``track_id``/``instance_id``, else
    ``default`` (its position)."""
    for key in ('id', 'track_id', 'instance_id'):
        found = value.get(key) if isinstance(value, dict) else getattr(
            value, key, None)
        if found is not None:
            return int(found)
    return default


def _columns(tracklets: Any) -> Optional[List[Tuple[int, np.ndarray]]]:
    """Tracklets kept as columns (``boxes`` or ``bboxes``, ``ids`` or
    ``instances_id``, optional ``missed``), else None. Tracklets missed this
    frame are left out: their box is from an earlier frame."""
    if isinstance(tracklets, dict):
        return None
    boxes = next((getattr(tracklets, k) for k in ('boxes', 'bboxes')
                  if getattr(tracklets, k, None) is not None), None)
    if boxes is None:
        return None
    boxes = _numpy(boxes).reshape(-1, 4)
    ids = next((getattr(tracklets, k) for k in ('ids', 'instances_id')
                if getattr(tracklets, k, None) is not None), None)
    ids = np.arange(len(boxes)) if ids is None else _numpy(ids).reshape(-1)
    missed = getattr(tracklets, 'missed', None)
    seen = (np.ones(len(boxes), bool)
            if missed is None else _numpy(missed).reshape(-1) == 0)
    return [(int(i), box) for i, box, s in zip(ids, boxes, seen) if s]


def memo_tracklets(memo: Any) -> List[Tuple[int, np.ndarray]]:
    """The tracklets a tracker keeps in ``memo.tracklets``, if any.

    Accepted layouts: columns, as the re-id association's
    ``Tracklets(ids, boxes, missed)`` or an ``InstanceData`` with
    ``bboxes`` and ``ids``/``instances_id`` (tracklets with ``missed > 0``
    are not drawn); a dict ``{id: box, box history or tracklet}``; or a
    sequence of tracklets (dicts or objects with ``bbox``/``bboxes`` and
    ``id``/``track_id``). Box histories draw their last box.

    Args:
        memo (Any): ``model.memo`` or None.

    Returns:
        list[tuple[int, np.ndarray]]: ``(id, (4,) xyxy box)``; empty when the
        memo has no tracklets or an unknown layout (with a warning).
    """
    tracklets = memo.get('tracklets') if hasattr(memo, 'get') else None
    if tracklets is None or (hasattr(tracklets, '__len__')
                             and len(tracklets) == 0):
        return []
    columns = _columns(tracklets)
    if columns is not None:
        return columns
    if isinstance(tracklets, dict):
        items = [(int(k), _last_box(v)) for k, v in tracklets.items()]
    elif isinstance(tracklets, (list, tuple)):
        items = [(_tracklet_id(v, i), _last_box(v))
                 for i, v in enumerate(tracklets)]
    else:
        items = []
    if not items or any(box is None for _, box in items):
        warnings.warn('memo.tracklets has a layout the demo cannot draw '
                      f'({type(tracklets).__name__}); tracklets not shown')
        return []
    return items


def memo_absent(memo: Any) -> Optional[bool]:
    """The tracker's own absence flag, if it keeps one in ``memo.absent``
    (a bool or a one-element tensor); None otherwise.

    Args:
        memo (Any): ``model.memo`` or None.

    Returns:
        bool | None: The flag, or None when the model reports none.
    """
    flag = memo.get('absent') if hasattr(memo, 'get') else None
    if flag is None or (isinstance(flag, dict) and not flag):
        return None
    return bool(_numpy(flag).reshape(-1)[0])


def _scale(image: np.ndarray) -> float:
    """Font scale for the frame: legible at 64 px, not huge at 1080p."""
    return float(np.clip(min(image.shape[:2]) / 720.0, 0.3, 1.2))


def _put_text(image: np.ndarray, text: str, origin: Tuple[int, int],
              color: Color) -> None:
    """Text with a dark outline, legible on any background."""
    scale = _scale(image)
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale,
                (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, color,
                1, cv2.LINE_AA)


def draw_box(image: np.ndarray,
             box_xyxy: Sequence[float],
             color: Color,
             label: Optional[str] = None,
             thickness: int = 1,
             ring: bool = False) -> np.ndarray:
    """Draw one box (in place) with an optional label above it.

    Args:
        image (np.ndarray): (H, W, 3) BGR uint8 frame, drawn on.
        box_xyxy (Sequence[float]): Continuous ``x1, y1, x2, y2``.
        color (tuple[int, int, int]): BGR.
        label (str, optional): Text above the box.
        thickness (int): Line width. Defaults to 1.
        ring (bool): Circle a box smaller than ``SMALL_BOX`` pixels so that
            it stays visible. Defaults to False.

    Returns:
        np.ndarray: ``image``.
    """
    x1, y1, x2, y2 = (float(v) for v in box_xyxy)
    if not np.isfinite([x1, y1, x2, y2]).all():
        return image
    # cv2.rectangle's corners are inclusive pixels; a continuous box from
    # x1 to x2 covers pixels x1 .. x2 - 1.
    p1 = (int(round(x1)), int(round(y1)))
    p2 = (max(int(round(x2)) - 1, p1[0]), max(int(round(y2)) - 1, p1[1]))
    # No anti-aliasing: it would smear a few-pixel box by a pixel.
    cv2.rectangle(image, p1, p2, color, thickness, cv2.LINE_8)
    if ring and max(x2 - x1, y2 - y1) < SMALL_BOX:
        center = (int(round((x1 + x2) / 2)), int(round((y1 + y2) / 2)))
        cv2.circle(image, center, SMALL_BOX, color, 1, cv2.LINE_AA)
    if label:
        _put_text(image, label, (p1[0], max(p1[1] - 3, 8)), color)
    return image


def draw_tracking_frame(image: np.ndarray,
                        box_xyxy: Sequence[float],
                        score: float,
                        absent: bool,
                        frame_id: int,
                        candidates: Optional[Tuple[np.ndarray,
                                                   np.ndarray]] = None,
                        tracklets: Optional[Sequence[Tuple[
                            int, np.ndarray]]] = None) -> np.ndarray:
    """Annotate one frame: candidates and tracklets first, the tracked box
    on top, and a header with the frame number, score and absence.

    Args:
        image (np.ndarray): (H, W, 3) BGR uint8 frame; not modified.
        box_xyxy (Sequence[float]): The tracked box.
        score (float): Its score.
        absent (bool): The tracker reports the target absent; the box is
            then drawn thin in the absence colour.
        frame_id (int): 0-based frame index.
        candidates (tuple, optional): From :func:`memo_candidates`; the
            candidate equal to the tracked box is not drawn again.
        tracklets (Sequence, optional): From :func:`memo_tracklets`.

    Returns:
        np.ndarray: The annotated copy.
    """
    out = image.copy()
    box = np.asarray(box_xyxy, np.float64)
    if candidates is not None:
        for cand, cand_score in zip(*candidates):
            if np.allclose(cand, box, atol=0.5):
                continue
            draw_box(out, cand, CANDIDATE_COLOR,
                     None if np.isnan(cand_score) else f'{cand_score:.2f}')
    for track_id, track_box in tracklets or ():
        color = TRACKLET_COLORS[track_id % len(TRACKLET_COLORS)]
        draw_box(out, track_box, color, f'id {track_id}')
    color = ABSENT_COLOR if absent else TRACK_COLOR
    draw_box(out, box, color, f'{score:.2f}', 1 if absent else 2, ring=True)
    line = int(26 * _scale(out)) + 4
    _put_text(out, f'#{frame_id} score {score:.2f}', (4, line), TRACK_COLOR)
    if absent:
        _put_text(out, 'absent', (4, 2 * line), ABSENT_COLOR)
    return out
