"""Validated options of one synthetic video (shared by every video of a set).

All checks live here so that :func:`generate_dataset`, the CLI and direct
users of :func:`simulate_video` reject the same bad options with the same
``ValueError`` naming the option.
"""
from dataclasses import dataclass
from typing import Tuple

from ...utils.config_checks import check_number
from .sizes import SizeDistribution, SizeDistributionLike, \
    build_size_distribution

# A frame must hold the largest target with room to move around it.
MIN_FRAME_SIDE = 32


@dataclass(frozen=True)
class SceneConfig:
    """Options of the per-video simulation; build it with
    :func:`make_scene_config`.

    Args:
        frame_size (tuple[int, int]): Frame width and height in pixels.
        sizes (SizeDistribution): Distribution of the base target size.
        size_change (float): Largest relative change of the target size
            inside a video (0.2 means sizes stay within base / 1.2 and
            base * 1.2).
        num_distractors (int): Same-looking objects per video.
        occlusion_rate (float): Expected full-occlusion events per 100
            frames.
        out_of_view_rate (float): Expected out-of-view events per 100 frames.
        absence_length (tuple[int, int]): Shortest and longest absence span
            in frames, for both kinds of event.
        camera_motion (float): Scale of the camera drift (pan and zoom);
            0 keeps the camera still, 1 is the default drift.
    """

    frame_size: Tuple[int, int]
    sizes: SizeDistribution
    size_change: float
    num_distractors: int
    occlusion_rate: float
    out_of_view_rate: float
    absence_length: Tuple[int, int]
    camera_motion: float


def make_scene_config(
        frame_size: Tuple[int, int] = (320, 240),
        size_range: Tuple[float, float] = (4.0, 100.0),
        size_distribution: SizeDistributionLike = 'log-uniform',
        size_change: float = 0.2,
        num_distractors: int = 3,
        occlusion_rate: float = 0.5,
        out_of_view_rate: float = 0.5,
        absence_length: Tuple[int, int] = (5, 25),
        camera_motion: float = 1.0) -> SceneConfig:
    """Validate the simulation options and pack them in a
    :class:`SceneConfig`.

    Args:
        frame_size (tuple[int, int]): Frame ``(width, height)``; each side at
            least 32 pixels. Defaults to (320, 240).
        size_range (tuple[float, float]): Smallest and largest base target
            size ``sqrt(w * h)`` in pixels. The largest size, grown by
            ``size_change``, must fit in half the shorter frame side.
            Defaults to (4, 100).
        size_distribution (str | Sequence[tuple]): 'log-uniform', 'uniform',
            or ``(min, max, weight)`` bins inside ``size_range``.
            Defaults to 'log-uniform'.
        size_change (float): Largest relative size change inside a video, in
            [0, 1]. Defaults to 0.2.
        num_distractors (int): Same-looking distractors per video, in
            [0, 50]. Defaults to 3.
        occlusion_rate (float): Full-occlusion events per 100 frames, >= 0.
            Defaults to 0.5.
        out_of_view_rate (float): Out-of-view events per 100 frames, >= 0.
            Defaults to 0.5.
        absence_length (tuple[int, int]): Shortest and longest absence in
            frames, 1 <= min <= max. Defaults to (5, 25).
        camera_motion (float): Camera drift scale in [0, 10]. Defaults to 1.

    Returns:
        SceneConfig: The validated options.

    Raises:
        ValueError: If an option is invalid; the message names it.
    """
    width, height = _int_pair('frame_size', frame_size)
    if min(width, height) < MIN_FRAME_SIDE or max(width, height) > 8192:
        raise ValueError(f'frame_size sides must be in [{MIN_FRAME_SIDE}, '
                         f'8192], got {frame_size!r}')
    size_change = check_number('size_change', size_change, 0, 1)
    sizes = build_size_distribution(size_range, size_distribution)
    largest = sizes.size_range[1] * (1.0 + size_change)
    if largest > min(width, height) / 2:
        raise ValueError(
            f'size_range max {sizes.size_range[1]} (grown by size_change '
            f'{size_change}) must fit in half the shorter side of frame_size '
            f'{(width, height)}')
    num_distractors = check_number(
        'num_distractors', num_distractors, 0, 50, integer=True)
    occlusion_rate = check_number('occlusion_rate', occlusion_rate, 0, 100)
    out_of_view_rate = check_number('out_of_view_rate', out_of_view_rate, 0,
                                    100)
    low, high = _int_pair('absence_length', absence_length)
    if not 1 <= low <= high:
        raise ValueError('absence_length must satisfy 1 <= min <= max, got '
                         f'{absence_length!r}')
    camera_motion = check_number('camera_motion', camera_motion, 0, 10)
    return SceneConfig(
        frame_size=(width, height),
        sizes=sizes,
        size_change=size_change,
        num_distractors=num_distractors,
        occlusion_rate=occlusion_rate,
        out_of_view_rate=out_of_view_rate,
        absence_length=(low, high),
        camera_motion=camera_motion)


def _int_pair(name: str, value: Tuple[int, int]) -> Tuple[int, int]:
    """Return ``value`` as two ints, or raise a ValueError naming it."""
    try:
        first, second = value
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be a pair of ints, got {value!r}'
                         ) from None
    for item in (first, second):
        if isinstance(item, bool) or not isinstance(item, (int, float)) or (
                int(item) != item):
            raise ValueError(f'{name} must be a pair of ints, got {value!r}')
    return int(first), int(second)
