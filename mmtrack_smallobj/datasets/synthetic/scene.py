"""Per-video simulation: trajectories, sizes, camera, occluders, visibility.

:func:`simulate_video` is pure geometry (no pixels), so statistics over
thousands of videos are cheap; :mod:`.render` turns a scene into frames.
"""
import math
from dataclasses import dataclass
from typing import Dict, List, Tuple

import numpy as np

from .config import SceneConfig
from .geometry import (clip_boxes, image_to_world, occluder_image_rects,
                       visible_ratios)
from .trajectory import (AbsenceEvent, Bounds, camera_path, hermite_path,
                         reflect_into, schedule_events, wander_keyframes)

# Target classes: shape family and aspect-ratio (w / h) range. Names are
# lowercase without '-' because LaSOT folders are '<cls>/<cls>-<k>'.
CLASSES: Dict[str, Tuple[str, Tuple[float, float]]] = {
    'airplane': ('plane', (1.1, 1.6)),
    'ball': ('ellipse', (0.9, 1.1)),
    'bird': ('diamond', (1.2, 2.0)),
    'boat': ('boat', (1.6, 2.5)),
    'car': ('rectangle', (1.4, 2.2)),
    'drone': ('cross', (0.9, 1.2)),
    'kite': ('diamond', (0.55, 0.8)),
    'person': ('rectangle', (0.4, 0.6)),
    'star': ('star', (0.9, 1.1)),
}
CLASS_NAMES = tuple(sorted(CLASSES))
# Probability that a distractor's path is pinned to cross the target's.
CROSSING_PROB = 0.5


@dataclass
class VideoScene:
    """Geometry of one synthetic video; object 0 is the target.

    Args:
        frame_size (tuple[int, int]): Frame width and height.
        class_name (str): Target class (one of :data:`CLASSES`).
        shape (str): Shape family shared by target and distractors.
        base_size (float): Drawn base size ``sqrt(w * h)`` of the target.
        boxes (np.ndarray): Full integer ``x, y, w, h`` per object and
            frame, shape (N, F, 4); may extend beyond the frame.
        camera (np.ndarray): ``(cx, cy, zoom)`` per frame, shape (F, 3).
        occluders (np.ndarray): World ``x1, y1, x2, y2``, shape (M, 4).
        events (tuple[AbsenceEvent]): Planned absences that took place.
        visible_ratio (np.ndarray): Shown fraction of each full box, (N, F).
    """

    frame_size: Tuple[int, int]
    class_name: str
    shape: str
    base_size: float
    boxes: np.ndarray
    camera: np.ndarray
    occluders: np.ndarray
    events: Tuple[AbsenceEvent, ...]
    visible_ratio: np.ndarray

    @property
    def num_frames(self) -> int:
        """int: Number of frames."""
        return self.boxes.shape[1]

    @property
    def clipped_boxes(self) -> np.ndarray:
        """np.ndarray: Boxes clipped to the frame, zero when outside."""
        return clip_boxes(self.boxes, self.frame_size)

    @property
    def out_of_view(self) -> np.ndarray:
        """np.ndarray: Per frame, no part of the target is inside the frame."""
        return self.clipped_boxes[0, :, 2] == 0

    @property
    def full_occlusion(self) -> np.ndarray:
        """np.ndarray: Per frame, the in-frame target is entirely covered."""
        return ~self.out_of_view & (self.visible_ratio[0] <= 0)

    @property
    def absent(self) -> np.ndarray:
        """np.ndarray: Per frame, the target cannot be seen at all."""
        return self.out_of_view | self.full_occlusion

    def occluder_rects(self) -> np.ndarray:
        """Integer image rectangles of the occluders, shape (F, M, 4)."""
        return occluder_image_rects(self.occluders, self.camera,
                                    self.frame_size)


def simulate_video(config: SceneConfig, num_frames: int,
                   rng: np.random.Generator) -> VideoScene:
    """Simulate the geometry of one video.

    Args:
        config (SceneConfig): Validated options.
        num_frames (int): Length of the video, >= 1.
        rng (np.random.Generator): The video's own simulation generator.

    Returns:
        VideoScene: Boxes, camera, occluders, events and visibility.
    """
    class_name = CLASS_NAMES[int(rng.integers(len(CLASS_NAMES)))]
    shape, aspect_range = CLASSES[class_name]
    aspect = math.exp(rng.uniform(*np.log(aspect_range)))
    base_size = config.sizes.sample(rng)
    width, height = config.frame_size
    diag = math.hypot(width, height)
    events = schedule_events(rng, num_frames, config.occlusion_rate,
                             config.out_of_view_rate, config.absence_length)

    target_wh = _size_track(rng, num_frames, base_size, aspect,
                            config)
    speed = diag * math.exp(rng.uniform(math.log(0.003), math.log(0.012)))
    centres = _target_centres(rng, events, target_wh, speed, config)
    boxes = [_to_boxes(centres, target_wh)]
    for _ in range(config.num_distractors):
        boxes.append(_distractor_boxes(rng, boxes[0], events, base_size,
                                       aspect, speed, config))
    boxes = np.stack(boxes)
    camera = camera_path(rng, num_frames, config.frame_size,
                         config.camera_motion)
    occluders, events = _place_occluders(rng, boxes[0], camera, events,
                                         config)
    ratios = visible_ratios(
        boxes, occluder_image_rects(occluders, camera, config.frame_size),
        config.frame_size)
    return VideoScene(
        frame_size=config.frame_size,
        class_name=class_name,
        shape=shape,
        base_size=base_size,
        boxes=boxes,
        camera=camera,
        occluders=occluders,
        events=tuple(events),
        visible_ratio=ratios)


def _size_track(rng: np.random.Generator, num_frames: int, size: float,
                aspect: float, config: SceneConfig) -> np.ndarray:
    """Per-frame float ``w, h`` with a mild smooth size change."""
    times = [0]
    while times[-1] < num_frames - 1:
        times.append(min(times[-1] + int(rng.integers(15, 50)),
                         num_frames - 1))
    limit = math.log1p(config.size_change)
    log_scale = hermite_path(times, rng.uniform(-limit, limit, len(times)))
    sizes = size * np.exp(np.clip(log_scale[:, 0], -limit, limit))
    wh = np.stack([sizes * math.sqrt(aspect), sizes / math.sqrt(aspect)], 1)
    max_wh = 0.8 * np.array(config.frame_size, dtype=np.float64)
    return np.clip(wh, 1.0, max_wh)


def _bounds(wh: np.ndarray, config: SceneConfig) -> Bounds:
    """Region for centres that keeps a ``wh`` box inside the frame."""
    width, height = config.frame_size
    half_w, half_h = wh[:, 0].max() / 2 + 1, wh[:, 1].max() / 2 + 1
    return (half_w, width - half_w, half_h, height - half_h)


def _target_centres(rng: np.random.Generator, events: List[AbsenceEvent],
                    wh: np.ndarray, speed: float,
                    config: SceneConfig) -> np.ndarray:
    """Target centre per frame, with exits, re-entries and slow-downs."""
    num_frames = len(wh)
    width, height = config.frame_size
    bounds = _bounds(wh, config)
    centres = np.zeros((num_frames, 2))
    point = reflect_into(
        rng.uniform([bounds[0], bounds[2]], [bounds[1], bounds[3]]), bounds)
    times, points = [0], [point]

    def wander_to(end: int) -> None:
        t_more, p_more = wander_keyframes(rng, times[-1], end, points[-1],
                                          speed, bounds)
        times.extend(t_more[1:])
        points.extend(p_more[1:])

    def flush() -> None:
        centres[times[0]:times[-1] + 1] = hermite_path(times, points)

    for event in events:
        if event.kind == 'occlusion':
            # Slow down behind the occluder so it need not be huge.
            wander_to(event.start)
            drift = rng.uniform(-1, 1, 2) * 0.25 * speed * (
                event.end - event.start)
            t_end = min(event.end, num_frames - 1)
            if t_end > times[-1]:
                times.append(t_end)
                points.append(reflect_into(points[-1] + drift, bounds))
            continue
        approach = min(event.start - times[-1],
                       math.ceil(0.5 * min(width, height) / speed) + 1)
        wander_to(event.start - approach)
        exit_point, exit_edge = _exit_point(points[-1], wh, config)
        times.append(event.start)
        points.append(exit_point)
        flush()
        centres[event.start:event.end] = exit_point
        if event.end >= num_frames:
            return centres
        entry = _entry_point(rng, points[-2], exit_edge, bounds, config)
        times, points = [event.end], [entry]
    wander_to(num_frames - 1)
    flush()
    return centres


def _exit_point(point: np.ndarray, wh: np.ndarray,
                config: SceneConfig) -> Tuple[np.ndarray, int]:
    """A centre just beyond the frame edge nearest to ``point``."""
    width, height = config.frame_size
    max_w, max_h = wh.max(axis=0)
    dists = [point[0], width - point[0], point[1], height - point[1]]
    edge = int(np.argmin(dists))
    out = np.array(point, dtype=np.float64)
    if edge < 2:
        out[0] = -max_w / 2 - 2 if edge == 0 else width + max_w / 2 + 2
    else:
        out[1] = -max_h / 2 - 2 if edge == 2 else height + max_h / 2 + 2
    return out, edge


def _entry_point(rng: np.random.Generator, left_from: np.ndarray,
                 exit_edge: int, bounds: Bounds,
                 config: SceneConfig) -> np.ndarray:
    """Where the target comes back: popping up inside the frame or half
    across another edge, preferably far from where it left."""
    width, height = config.frame_size
    pop_in = rng.uniform() < 0.5
    best, best_dist = None, -1.0
    for _ in range(16):
        cand = rng.uniform([bounds[0], bounds[2]], [bounds[1], bounds[3]])
        cand = reflect_into(cand, bounds)
        if not pop_in:
            edge = int(rng.choice([e for e in range(4) if e != exit_edge]))
            # The centre on the edge line: about half the target shows.
            if edge < 2:
                cand[0] = 0.0 if edge == 0 else float(width)
            else:
                cand[1] = 0.0 if edge == 2 else float(height)
        dist = float(np.hypot(*(cand - left_from)))
        if dist > best_dist:
            best, best_dist = cand, dist
        if dist >= 0.3 * math.hypot(width, height):
            break
    return best


def _to_boxes(centres: np.ndarray, wh: np.ndarray) -> np.ndarray:
    """Round float centres and sizes to integer ``x, y, w, h`` boxes."""
    w = np.maximum(np.rint(wh[:, 0]), 1)
    h = np.maximum(np.rint(wh[:, 1]), 1)
    x = np.rint(centres[:, 0] - w / 2)
    y = np.rint(centres[:, 1] - h / 2)
    return np.stack([x, y, w, h], axis=1).astype(np.int64)


def _distractor_boxes(rng: np.random.Generator, target: np.ndarray,
                      events: List[AbsenceEvent], base_size: float,
                      aspect: float, speed: float,
                      config: SceneConfig) -> np.ndarray:
    """A same-looking object wandering in the frame, sometimes crossing the
    target's path."""
    num_frames = len(target)
    size = base_size * math.exp(rng.uniform(-0.3, 0.3))
    own_aspect = aspect * math.exp(rng.uniform(-0.1, 0.1))
    wh = _size_track(rng, num_frames, size, own_aspect, config)
    bounds = _bounds(wh, config)
    target_c = target[:, :2] + target[:, 2:] / 2
    start = rng.uniform([bounds[0], bounds[2]], [bounds[1], bounds[3]])
    for _ in range(10):
        if np.hypot(*(start - target_c[0])) > 1.5 * base_size + size:
            break
        start = rng.uniform([bounds[0], bounds[2]], [bounds[1], bounds[3]])
    own_speed = speed * math.exp(rng.uniform(-0.5, 0.5))
    times, points = wander_keyframes(rng, 0, num_frames - 1,
                                     reflect_into(start, bounds), own_speed,
                                     bounds)
    present = np.ones(num_frames, dtype=bool)
    present[0] = False
    for event in events:
        present[max(event.start - 2, 0):event.end + 2] = False
    candidates = np.flatnonzero(present)
    if len(candidates) and rng.uniform() < CROSSING_PROB:
        t_cross = int(rng.choice(candidates))
        keep = [
            i for i, t in enumerate(times)
            if abs(t - t_cross) > 3 or i in (0, len(times) - 1)
        ]
        keys = {times[i]: points[i] for i in keep}
        keys[t_cross] = target_c[t_cross].astype(np.float64)
        times = sorted(keys)
        points = [keys[t] for t in times]
    return _to_boxes(hermite_path(times, points), wh)


def _place_occluders(rng: np.random.Generator, target: np.ndarray,
                     camera: np.ndarray, events: List[AbsenceEvent],
                     config: SceneConfig) -> Tuple[np.ndarray, list]:
    """World-fixed occluders that hide the target during occlusion events.

    An occluder is the world-space hull of the target's boxes over the span
    plus a margin, so it covers the target in every frame of the span. One
    that would touch the target in frame 0 is dropped with its event: the
    first frame must show the target to initialise a tracker.
    """
    rects, kept = [], []
    for event in events:
        if event.kind != 'occlusion':
            kept.append(event)
            continue
        span = target[event.start:event.end]
        cam = camera[event.start:event.end]
        x1, y1 = image_to_world(cam, config.frame_size, span[:, 0],
                                span[:, 1])
        x2, y2 = image_to_world(cam, config.frame_size,
                                span[:, 0] + span[:, 2],
                                span[:, 1] + span[:, 3])
        size = float(np.sqrt(span[:, 2] * span[:, 3]).mean())
        pad = 1.5 + rng.uniform(0, 0.6, 4) * size
        rect = np.array([
            x1.min() - pad[0], y1.min() - pad[1], x2.max() + pad[2],
            y2.max() + pad[3]
        ])
        first = occluder_image_rects(rect[None], camera[:1],
                                     config.frame_size)[0, 0]
        box = target[0]
        if (first[0] < box[0] + box[2] and box[0] < first[2]
                and first[1] < box[1] + box[3] and box[1] < first[3]):
            continue
        rects.append(rect)
        kept.append(event)
    return np.array(rects, dtype=np.float64).reshape(-1, 4), kept
