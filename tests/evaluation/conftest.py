"""Shared fixtures of the evaluation tests: random and edge-case boxes."""
from typing import Callable, List, Tuple

import numpy as np
import pytest


def _random_xywh(rng: np.random.Generator, n: int,
                 edge_cases: bool) -> Tuple[np.ndarray, np.ndarray,
                                            np.ndarray]:
    """Ground truth, predictions (x, y, w, h) and visibility of one video."""
    wh = rng.uniform(2, 80, (n, 2))
    gt = np.concatenate([rng.uniform(0, 400, (n, 2)), wh], axis=1)
    pred = gt + rng.normal(0, 0.3, (n, 4)) * np.repeat(wh, 2, axis=1)
    pred[:, 2:] = np.abs(pred[:, 2:]) + 0.5
    visible = rng.random(n) > 0.1
    if edge_cases:
        gt[n // 4] = 0  # absent row
        gt[n // 3, 2] = 0  # zero-width ground truth
        pred[n // 2, 2] = 0  # zero-width prediction
        pred[n // 2 + 1, 3] = -5  # negative height
        pred[n // 2 + 2] = [1e4, 1e4, 10, 10]  # far away
        pred[n - 1] = gt[n - 1]  # exact hit
        visible[n // 4] = False
    return gt, pred, visible


@pytest.fixture
def random_videos() -> Callable[..., List[Tuple[np.ndarray, ...]]]:
    """Factory: ``random_videos(seed, num_videos, num_frames, edge_cases)``
    returns a list of (gt_xywh, pred_xywh, visible)."""

    def make(seed: int = 0,
             num_videos: int = 4,
             num_frames: int = 60,
             edge_cases: bool = True) -> List[Tuple[np.ndarray, ...]]:
        rng = np.random.default_rng(seed)
        return [
            _random_xywh(rng, num_frames, edge_cases)
            for _ in range(num_videos)
        ]

    return make


@pytest.fixture
def covered_videos() -> Callable[..., list]:
    """Factory: ``covered_videos(seed, num_videos, num_frames)`` returns
    random ``VideoData`` (boxes x1, y1, x2, y2, no edge cases) with GOT-10k
    cover levels: 0 where the target is not visible, else 1 to 8."""
    from mmtrack_smallobj.evaluation.functional import (VideoData,
                                                        xywh_to_xyxy)

    def make(seed: int = 0, num_videos: int = 4,
             num_frames: int = 30) -> list:
        rng = np.random.default_rng(seed)
        videos = []
        for i in range(num_videos):
            gt, pred, visible = _random_xywh(rng, num_frames, False)
            cover = np.where(visible, rng.integers(1, 9, num_frames), 0)
            videos.append(
                VideoData(f'v{i}', xywh_to_xyxy(gt), xywh_to_xyxy(pred),
                          visible, cover=cover))
        return videos

    return make
