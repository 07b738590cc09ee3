"""Smooth keyframe paths and absence-event schedules for synthetic videos.

Every moving quantity of a scene (object centres, log sizes, the camera) is a
cubic Hermite spline through random keyframes: cheap, vectorised, smooth, and
easy to pin at chosen frames (an exit point, a crossing with the target).
"""
import math
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import numpy as np

Bounds = Tuple[float, float, float, float]  # x_min, x_max, y_min, y_max

# Shortest and longest time between two wander keyframes, in frames.
KEYFRAME_INTERVAL = (8, 30)


@dataclass(frozen=True)
class AbsenceEvent:
    """A planned span in which the target cannot be seen.

    Args:
        kind (str): 'occlusion' (an occluder covers the target) or
            'out_of_view' (the target leaves the frame).
        start (int): First absent frame (0-based).
        end (int): First frame after the span (exclusive).
    """

    kind: str
    start: int
    end: int


def hermite_path(times: Sequence[int], points: np.ndarray) -> np.ndarray:
    """Interpolate keyframes with a Catmull-Rom style cubic Hermite spline.

    Args:
        times (Sequence[int]): Strictly increasing integer frame indices.
        points (np.ndarray): Keyframe values, shape (K, D).

    Returns:
        np.ndarray: Values for every frame from ``times[0]`` to ``times[-1]``
            inclusive, shape (times[-1] - times[0] + 1, D).
    """
    t_key = np.asarray(times, dtype=np.float64)
    p_key = np.asarray(points, dtype=np.float64).reshape(len(t_key), -1)
    if len(t_key) == 1:
        return p_key.copy()
    # Non-uniform Catmull-Rom tangents; one-sided at both ends so that a path
    # ending at an exit point keeps heading out of the frame.
    tangents = np.empty_like(p_key)
    tangents[1:-1] = (p_key[2:] - p_key[:-2]) / (
        t_key[2:, None] - t_key[:-2, None])
    tangents[0] = (p_key[1] - p_key[0]) / (t_key[1] - t_key[0])
    tangents[-1] = (p_key[-1] - p_key[-2]) / (t_key[-1] - t_key[-2])
    frames = np.arange(t_key[0], t_key[-1] + 1)
    seg = np.clip(np.searchsorted(t_key, frames, side='right') - 1, 0,
                  len(t_key) - 2)
    span = (t_key[seg + 1] - t_key[seg])[:, None]
    u = (frames - t_key[seg])[:, None] / span
    h00 = 2 * u**3 - 3 * u**2 + 1
    h10 = u**3 - 2 * u**2 + u
    h01 = -2 * u**3 + 3 * u**2
    h11 = u**3 - u**2
    return (h00 * p_key[seg] + h10 * span * tangents[seg] +
            h01 * p_key[seg + 1] + h11 * span * tangents[seg + 1])


def reflect_into(point: np.ndarray, bounds: Bounds) -> np.ndarray:
    """Mirror a point back inside ``bounds`` (then clamp), so that wandering
    objects bounce off the borders instead of sticking to them."""
    out = np.array(point, dtype=np.float64)
    for axis, (low, high) in enumerate(((bounds[0], bounds[1]),
                                        (bounds[2], bounds[3]))):
        if high <= low:
            out[axis] = (low + high) / 2
            continue
        if out[axis] < low:
            out[axis] = 2 * low - out[axis]
        if out[axis] > high:
            out[axis] = 2 * high - out[axis]
        out[axis] = min(max(out[axis], low), high)
    return out


def wander_keyframes(rng: np.random.Generator, start: int, end: int,
                     origin: np.ndarray, speed: float,
                     bounds: Bounds) -> Tuple[List[int], List[np.ndarray]]:
    """Random keyframes of a wandering object from ``start`` to ``end``.

    Args:
        rng (np.random.Generator): Random generator.
        start (int): Frame of the first keyframe, placed at ``origin``.
        end (int): Frame of the last keyframe (inclusive), >= ``start``.
        origin (np.ndarray): Centre at ``start``, shape (2,).
        speed (float): Typical speed in pixels per frame.
        bounds (tuple): Region the keyframes stay in.

    Returns:
        tuple[list[int], list[np.ndarray]]: Keyframe times and centres.
    """
    times, points = [start], [np.asarray(origin, dtype=np.float64)]
    while times[-1] < end:
        step = int(rng.integers(KEYFRAME_INTERVAL[0], KEYFRAME_INTERVAL[1]))
        t_next = min(times[-1] + step, end)
        # Merge a short tail into the previous interval instead of making a
        # sharp turn on the last few frames.
        if end - t_next < KEYFRAME_INTERVAL[0] // 2:
            t_next = end
        angle = rng.uniform(0, 2 * math.pi)
        dist = speed * (t_next - times[-1]) * rng.uniform(0.5, 1.5)
        move = dist * np.array([math.cos(angle), math.sin(angle)])
        times.append(t_next)
        points.append(reflect_into(points[-1] + move, bounds))
    return times, points


def schedule_events(rng: np.random.Generator, num_frames: int,
                    occlusion_rate: float, out_of_view_rate: float,
                    absence_length: Tuple[int, int]) -> List[AbsenceEvent]:
    """Plan non-overlapping absence events; frame 0 is always visible.

    Counts are Poisson with the given rates (per 100 frames); events that do
    not fit in the video with a visible gap between them are dropped.

    Args:
        rng (np.random.Generator): Random generator.
        num_frames (int): Length of the video.
        occlusion_rate (float): Full-occlusion events per 100 frames.
        out_of_view_rate (float): Out-of-view events per 100 frames.
        absence_length (tuple[int, int]): Shortest and longest span.

    Returns:
        list[AbsenceEvent]: Events sorted by start frame.
    """
    num_occ = int(rng.poisson(occlusion_rate * num_frames / 100))
    num_oov = int(rng.poisson(out_of_view_rate * num_frames / 100))
    kinds = ['occlusion'] * num_occ + ['out_of_view'] * num_oov
    rng.shuffle(kinds)
    lengths = [
        int(rng.integers(absence_length[0], absence_length[1] + 1))
        for _ in kinds
    ]
    # Visible frames before each event: room to approach an occluder or an
    # edge, and to see the target again after the previous re-entry.
    min_gap = min(5, max(1, num_frames // 10))
    while kinds and (sum(lengths) + min_gap * len(kinds) > num_frames - 1):
        kinds.pop()
        lengths.pop()
    if not kinds:
        return []
    slack = num_frames - sum(lengths) - min_gap * len(kinds)
    cuts = np.sort(rng.integers(0, slack + 1, size=len(kinds)))
    extra = np.diff(np.concatenate([[0], cuts]))
    events, cursor = [], 0
    for kind, length, pad in zip(kinds, lengths, extra):
        start = cursor + min_gap + int(pad)
        events.append(AbsenceEvent(kind=kind, start=start, end=start + length))
        cursor = start + length
    return events


def camera_path(rng: np.random.Generator, num_frames: int,
                frame_size: Tuple[int, int], motion: float) -> np.ndarray:
    """A slow random pan and zoom drift of the camera.

    Args:
        rng (np.random.Generator): Random generator.
        num_frames (int): Length of the video.
        frame_size (tuple[int, int]): Frame width and height.
        motion (float): Drift scale; 0 keeps the camera still.

    Returns:
        np.ndarray: Per frame ``(cx, cy, zoom)``: the world point at the
            frame centre and the magnification, shape (num_frames, 3).
    """
    width, height = frame_size
    if motion == 0:
        # Exactly still, so that the background is pixel-stable.
        return np.tile([width / 2, height / 2, 1.0], (num_frames, 1))
    times = [0]
    while times[-1] < num_frames - 1:
        times.append(min(times[-1] + int(rng.integers(25, 60)),
                         num_frames - 1))
    amp = 0.08 * motion
    keys = np.stack([
        width / 2 + rng.uniform(-amp, amp, len(times)) * width,
        height / 2 + rng.uniform(-amp, amp, len(times)) * height,
        rng.uniform(-0.6 * amp, 0.6 * amp, len(times)),
    ], axis=1)
    path = hermite_path(times, keys)
    path[:, 2] = np.exp(path[:, 2])
    return path
