"""Whole-frame template/search pairs that the sot tests train the trackers
on. Not a test module."""
from typing import Sequence, Tuple

import torch
from mmengine.structures import InstanceData

from mmtrack.structures import TrackDataSample


def pair_sample(template_box: Sequence[float],
                search_box: Sequence[float],
                label: int = 1) -> TrackDataSample:
    """A training sample: template box, pair label, search box.

    Args:
        template_box (Sequence[float]): x1, y1, x2, y2 in the template.
        search_box (Sequence[float]): x1, y1, x2, y2 in the search frame.
        label (int): 1 for a positive pair, 0 for a negative one.
            Defaults to 1.

    Returns:
        TrackDataSample: With ``gt_instances`` and ``search_gt_instances``.
    """
    sample = TrackDataSample()
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor([template_box], dtype=torch.float32),
        labels=torch.tensor([label]))
    sample.search_gt_instances = InstanceData(
        bboxes=torch.tensor([search_box], dtype=torch.float32))
    return sample


def pair_inputs(num: int,
                template_hw: Tuple[int, int] = (64, 64),
                search_hw: Tuple[int, int] = (64, 64)) -> dict:
    """``num`` random template and search frames, the same for every call.

    Args:
        num (int): Pairs.
        template_hw (tuple[int, int]): Template height and width.
        search_hw (tuple[int, int]): Search frame height and width.

    Returns:
        dict: ``img`` (num, 1, 3, H, W) and ``search_img``.
    """
    generator = torch.Generator().manual_seed(0)
    return dict(
        img=torch.randn(num, 1, 3, *template_hw, generator=generator),
        search_img=torch.randn(num, 1, 3, *search_hw, generator=generator))
