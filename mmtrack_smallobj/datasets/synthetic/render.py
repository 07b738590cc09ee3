"""Turn a simulated :class:`.scene.VideoScene` into BGR frames.

The background is a world-fixed texture seen through the drifting camera;
objects are pasted at their integer boxes (distractors first, the target on
top) and occluders are painted over exactly the rectangles the annotations
use, so what the files say is what the pixels show.
"""
from dataclasses import dataclass
from typing import Dict, Iterator, List, Tuple

import cv2
import numpy as np

from .scene import VideoScene
from .textures import (make_background, make_object_texture,
                       make_occluder_texture, shape_mask, shift_colour)

# Standard deviation of the additive sensor noise, in grey levels.
NOISE_SIGMA = 3.0
# Largest shift of the noise pattern between frames, in pixels.
_NOISE_PAD = 16


@dataclass
class Appearance:
    """Everything needed to draw a scene, drawn once per video.

    Args:
        background (np.ndarray): World texture, BGR uint8, twice the frame
            size; world (0, 0) is at texture pixel ``origin``.
        origin (tuple[float, float]): Texture pixel of the world origin.
        object_textures (list[np.ndarray]): Float32 BGR texture per object,
            target first.
        occluder_textures (list[np.ndarray]): BGR uint8 texture per occluder.
        noise (np.ndarray): Int16 noise field a little larger than a frame.
        noise_shifts (np.ndarray): Per-frame offset into ``noise``, (F, 2).
        colour_name (str): Colour word of the target, for nlp.txt.
    """

    background: np.ndarray
    origin: Tuple[float, float]
    object_textures: List[np.ndarray]
    occluder_textures: List[np.ndarray]
    noise: np.ndarray
    noise_shifts: np.ndarray
    colour_name: str


def make_appearance(scene: VideoScene,
                    rng: np.random.Generator) -> Appearance:
    """Draw the textures of one video.

    Args:
        scene (VideoScene): The simulated geometry.
        rng (np.random.Generator): The video's own appearance generator.

    Returns:
        Appearance: Textures and noise for :func:`render_frames`.
    """
    width, height = scene.frame_size
    background = make_background(rng, (2 * width, 2 * height))
    luma = float(cv2.cvtColor(background, cv2.COLOR_BGR2GRAY).mean())
    target_texture, colour = make_object_texture(rng, luma)
    textures = [target_texture] + [
        shift_colour(target_texture, rng)
        for _ in range(len(scene.boxes) - 1)
    ]
    occluders = [make_occluder_texture(rng) for _ in scene.occluders]
    noise = rng.normal(0, NOISE_SIGMA,
                       (height + _NOISE_PAD, width + _NOISE_PAD, 3))
    shifts = rng.integers(0, _NOISE_PAD + 1, (scene.num_frames, 2))
    return Appearance(
        background=background,
        origin=(width / 2, height / 2),
        object_textures=textures,
        occluder_textures=occluders,
        noise=np.rint(noise).astype(np.int16),
        noise_shifts=shifts,
        colour_name=colour)


def render_frames(scene: VideoScene,
                  appearance: Appearance) -> Iterator[np.ndarray]:
    """Yield the frames of a video in order.

    Args:
        scene (VideoScene): The simulated geometry.
        appearance (Appearance): Its textures, from :func:`make_appearance`.

    Yields:
        np.ndarray: BGR uint8 frame, shape (height, width, 3).
    """
    width, height = scene.frame_size
    occluder_rects = scene.occluder_rects()
    sprite_cache: List[Dict[Tuple[int, int], tuple]] = [
        {} for _ in range(len(scene.boxes))
    ]
    # Distractors first, the target on top (the order visibility assumes).
    order = list(range(1, len(scene.boxes))) + [0]
    for t in range(scene.num_frames):
        frame = _background(scene.camera[t], appearance, (width, height))
        for i in order:
            _paste_object(frame, scene.boxes[i, t], scene.shape,
                          appearance.object_textures[i], sprite_cache[i])
        for rect, texture in zip(occluder_rects[t],
                                 appearance.occluder_textures):
            _paint_occluder(frame, rect, texture)
        dx, dy = appearance.noise_shifts[t]
        noise = appearance.noise[dy:dy + height, dx:dx + width]
        yield np.clip(frame + noise, 0, 255).astype(np.uint8)


def _background(camera: np.ndarray, appearance: Appearance,
                frame_size: Tuple[int, int]) -> np.ndarray:
    """The world texture as seen by the camera, as float32."""
    width, height = frame_size
    cx, cy, zoom = camera
    ox, oy = appearance.origin
    matrix = np.array([[zoom, 0, width / 2 - zoom * (ox + cx)],
                       [0, zoom, height / 2 - zoom * (oy + cy)]])
    view = cv2.warpAffine(
        appearance.background,
        matrix, (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REFLECT_101)
    return view.astype(np.float32)


def _paste_object(frame: np.ndarray, box: np.ndarray, shape: str,
                  texture: np.ndarray, cache: Dict[Tuple[int, int],
                                                   tuple]) -> None:
    """Alpha-blend an object sprite filling ``box`` into ``frame``."""
    x, y, w, h = (int(v) for v in box)
    height, width = frame.shape[:2]
    x1, y1 = max(x, 0), max(y, 0)
    x2, y2 = min(x + w, width), min(y + h, height)
    if x2 <= x1 or y2 <= y1:
        return
    if (w, h) not in cache:
        colour = cv2.resize(texture, (w, h), interpolation=cv2.INTER_AREA)
        cache[(w, h)] = (colour.reshape(h, w, 3),
                         shape_mask(shape, w, h)[..., None])
    colour, alpha = cache[(w, h)]
    sub = (slice(y1 - y, y2 - y), slice(x1 - x, x2 - x))
    roi = frame[y1:y2, x1:x2]
    roi *= 1 - alpha[sub]
    roi += colour[sub] * alpha[sub]


def _paint_occluder(frame: np.ndarray, rect: np.ndarray,
                    texture: np.ndarray) -> None:
    """Paint an opaque occluder over exactly ``x1, y1, x2, y2``."""
    x1, y1, x2, y2 = (int(v) for v in rect)
    if x2 <= x1 or y2 <= y1:
        return
    height, width = frame.shape[:2]
    cx1, cy1 = max(x1, 0), max(y1, 0)
    cx2, cy2 = min(x2, width), min(y2, height)
    if cx2 <= cx1 or cy2 <= cy1:
        return
    panel = cv2.resize(texture, (x2 - x1, y2 - y1),
                       interpolation=cv2.INTER_LINEAR)
    frame[cy1:cy2, cx1:cx2] = panel[cy1 - y1:cy2 - y1, cx1 - x1:cx2 - x1]
