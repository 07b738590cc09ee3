"""Procedural appearance: cluttered backgrounds, object sprites, occluders.

Backgrounds mix multi-scale value noise with many small random shapes, some
of them target-sized, so that a 4-pixel target does not stand out by being
the only small blob in view. Distractors share the target's shape and texture
and differ only by a slight colour shift.
"""
import math
from typing import Tuple

import cv2
import numpy as np

# Supersampling factor for anti-aliased shape masks.
_SUPERSAMPLE = 4
# Side of the square object and occluder textures, resized to each box.
TEXTURE_SIDE = 64


def _polygon(shape: str) -> np.ndarray:
    """Outline of a shape family, normalised so its bounding box is exactly
    [0, 1] x [0, 1] (the annotation box is then tight)."""
    if shape == 'ellipse':
        angles = np.linspace(0, 2 * math.pi, 48, endpoint=False)
        pts = np.stack([np.cos(angles), np.sin(angles)], 1)
    elif shape == 'rectangle':
        pts = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float64)
    elif shape == 'diamond':
        pts = np.array([[0.5, 0], [1, 0.5], [0.5, 1], [0, 0.5]])
    elif shape == 'boat':
        # Hull with a sail on top.
        pts = np.array([[0, 0.55], [0.45, 0.55], [0.5, 0], [0.75, 0.55],
                        [1, 0.55], [0.8, 1], [0.2, 1]])
    elif shape == 'cross':
        a, b = 0.33, 0.67
        pts = np.array([[a, 0], [b, 0], [b, a], [1, a], [1, b], [b, b],
                        [b, 1], [a, 1], [a, b], [0, b], [0, a], [a, a]])
    elif shape == 'plane':
        pts = np.array([[0.42, 0], [0.58, 0], [0.58, 0.35], [1, 0.55],
                        [1, 0.68], [0.58, 0.6], [0.58, 0.85], [0.72, 1],
                        [0.28, 1], [0.42, 0.85], [0.42, 0.6], [0, 0.68],
                        [0, 0.55], [0.42, 0.35]])
    elif shape == 'star':
        angles = np.arange(10) * math.pi / 5 - math.pi / 2
        radii = np.where(np.arange(10) % 2 == 0, 1.0, 0.45)
        pts = np.stack([radii * np.cos(angles), radii * np.sin(angles)], 1)
    else:
        raise ValueError(f'unknown shape {shape!r}')
    pts = pts.astype(np.float64)
    pts -= pts.min(axis=0)
    return pts / pts.max(axis=0)


def shape_mask(shape: str, width: int, height: int) -> np.ndarray:
    """Anti-aliased coverage of a shape filling a ``width x height`` box.

    Args:
        shape (str): Shape family (see :data:`.scene.CLASSES`).
        width (int): Box width in pixels, >= 1.
        height (int): Box height in pixels, >= 1.

    Returns:
        np.ndarray: Alpha in [0, 1], shape (height, width), float32.
    """
    big_w, big_h = width * _SUPERSAMPLE, height * _SUPERSAMPLE
    pts = _polygon(shape) * np.array([big_w, big_h]) - 0.5
    canvas = np.zeros((big_h, big_w), dtype=np.uint8)
    # 4 fractional bits: sub-pixel vertices keep tiny shapes symmetric.
    cv2.fillPoly(canvas, [np.round(pts * 16).astype(np.int32)], 255,
                 lineType=cv2.LINE_AA, shift=4)
    alpha = cv2.resize(canvas, (width, height), interpolation=cv2.INTER_AREA)
    return alpha.astype(np.float32) / 255.0


def value_noise(rng: np.random.Generator, size: Tuple[int, int],
                cells: Tuple[int, ...]) -> np.ndarray:
    """Multi-octave value noise in [0, 1].

    Args:
        rng (np.random.Generator): Random generator.
        size (tuple[int, int]): Output width and height.
        cells (tuple[int]): Cell sizes in pixels, one octave each; larger
            cells get larger weights.

    Returns:
        np.ndarray: Noise, shape (height, width), float32.
    """
    width, height = size
    total = np.zeros((height, width), dtype=np.float32)
    for cell in cells:
        grid = rng.random((height // cell + 2, width // cell + 2))
        layer = cv2.resize(grid.astype(np.float32), (width, height),
                           interpolation=cv2.INTER_CUBIC)
        total += layer * cell
    total -= total.min()
    return total / max(float(total.max()), 1e-6)


def _random_colour(rng: np.random.Generator) -> np.ndarray:
    """A BGR colour with moderate saturation."""
    hsv = np.array([[[rng.integers(0, 180), rng.integers(40, 200),
                      rng.integers(50, 230)]]], dtype=np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)


def make_background(rng: np.random.Generator,
                    size: Tuple[int, int]) -> np.ndarray:
    """A cluttered, textured background image.

    Args:
        rng (np.random.Generator): Random generator.
        size (tuple[int, int]): Width and height in pixels.

    Returns:
        np.ndarray: BGR image, shape (height, width, 3), uint8.
    """
    width, height = size
    palette = np.stack([_random_colour(rng) for _ in range(3)])
    noise = value_noise(rng, size, (4, 16, 48))[..., None]
    detail = value_noise(rng, size, (2, 6))[..., None]
    image = (palette[0] * (1 - noise) + palette[1] * noise) * 0.8 + (
        palette[2] * detail) * 0.2
    image = np.clip(image, 0, 255).astype(np.uint8)
    # Clutter: blobs, bars and strokes from 2 to 40 pixels, some of them as
    # small as the smallest targets.
    for _ in range(int(width * height / 900)):
        colour = tuple(int(c) for c in (
            palette[int(rng.integers(3))] * rng.uniform(0.5, 1.3)).clip(
                0, 255)) if rng.uniform() < 0.7 else tuple(
                    int(c) for c in _random_colour(rng))
        x, y = int(rng.integers(width)), int(rng.integers(height))
        extent = int(math.exp(rng.uniform(math.log(2), math.log(40))))
        kind = rng.integers(3)
        if kind == 0:
            axes = (max(1, extent // 2),
                    max(1, int(extent * rng.uniform(0.2, 0.6))))
            cv2.ellipse(image, (x, y), axes, float(rng.uniform(0, 180)), 0,
                        360, colour, -1, cv2.LINE_AA)
        elif kind == 1:
            x2 = x + extent
            y2 = y + max(1, int(extent * rng.uniform(0.2, 1.0)))
            cv2.rectangle(image, (x, y), (x2, y2), colour, -1)
        else:
            angle = rng.uniform(0, 2 * math.pi)
            end = (int(x + 2 * extent * math.cos(angle)),
                   int(y + 2 * extent * math.sin(angle)))
            cv2.line(image, (x, y), end, colour, int(rng.integers(1, 3)),
                     cv2.LINE_AA)
    return cv2.GaussianBlur(image, (3, 3), 0.6)


def make_object_texture(rng: np.random.Generator,
                        background_luma: float) -> Tuple[np.ndarray, str]:
    """The target's surface pattern and the colour word describing it.

    The brightness is chosen away from the background's mean so that even a
    4-pixel target keeps some contrast.

    Args:
        rng (np.random.Generator): Random generator.
        background_luma (float): Mean grey level of the background.

    Returns:
        tuple[np.ndarray, str]: BGR float32 texture of shape
            (TEXTURE_SIDE, TEXTURE_SIDE, 3) and a colour name.
    """
    hue = int(rng.integers(0, 180))
    sat = int(rng.integers(120, 256))
    value = int(rng.integers(25, 90)) if background_luma > 128 else int(
        rng.integers(190, 256))
    base = cv2.cvtColor(np.array([[[hue, sat, value]]], dtype=np.uint8),
                        cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)
    side = TEXTURE_SIDE
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32) / side
    pattern = int(rng.integers(3))
    if pattern == 0:  # stripes
        freq = rng.uniform(2, 5)
        shade = 0.8 + 0.2 * np.sign(np.sin(2 * math.pi * freq * (xx + yy)))
    elif pattern == 1:  # spots
        shade = 0.75 + 0.25 * (value_noise(rng, (side, side), (8, )) > 0.5)
    else:  # vertical gradient
        shade = 0.7 + 0.3 * (1 - yy)
    return base * shade[..., None], colour_name(hue, sat, value)


def colour_name(hue: int, sat: int, value: int) -> str:
    """A plain colour word for an OpenCV HSV colour (hue in 0..179)."""
    if value < 60:
        return 'black'
    if sat < 60:
        return 'white' if value > 180 else 'grey'
    names = ((8, 'red'), (20, 'orange'), (33, 'yellow'), (80, 'green'),
             (100, 'cyan'), (130, 'blue'), (150, 'purple'), (170, 'pink'),
             (180, 'red'))
    return next(name for limit, name in names if hue < limit)


def shift_colour(texture: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    """A slightly recoloured copy of a texture, for a same-looking
    distractor (hue within 6 steps, gain within 12 %)."""
    hsv = cv2.cvtColor(np.clip(texture, 0, 255).astype(np.uint8),
                       cv2.COLOR_BGR2HSV).astype(np.int32)
    hsv[..., 0] = (hsv[..., 0] + int(rng.integers(-6, 7))) % 180
    out = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2BGR)
    return out.astype(np.float32) * float(rng.uniform(0.88, 1.12))


def make_occluder_texture(rng: np.random.Generator) -> np.ndarray:
    """A wall-like panel: a plain colour with planks and grain.

    Args:
        rng (np.random.Generator): Random generator.

    Returns:
        np.ndarray: BGR uint8 texture, (TEXTURE_SIDE, TEXTURE_SIDE, 3).
    """
    side = TEXTURE_SIDE
    base = _random_colour(rng)
    grain = value_noise(rng, (side, side), (2, 8))[..., None]
    planks = (np.arange(side) // int(rng.integers(6, 16)) % 2).astype(
        np.float32)[None, :, None]
    image = base * (0.75 + 0.2 * grain + 0.1 * planks)
    return np.clip(image, 0, 255).astype(np.uint8)
