"""RoIAlign and NMS that run on whichever device the tensors are on.

mmcv may be built with CPU ops only (it is on the project's CPU machines),
and torchvision's C++ ops do not load against the CPU torch build used there.
So CPU tensors go to mmcv's kernels and CUDA tensors to torchvision's, which
every CUDA torch install ships. Both compute the same ``aligned=True``
RoIAlign (half-pixel offset) and greedy IoU NMS.
"""
from typing import Tuple

import torch
from torch import Tensor


def roi_align(features: Tensor,
              rois: Tensor,
              output_size: Tuple[int, int],
              spatial_scale: float,
              sampling_ratio: int = 2) -> Tensor:
    """RoIAlign (average pooling, half-pixel aligned) on any device.

    Args:
        features (Tensor): (N, C, H, W) feature maps.
        rois (Tensor): (K, 5) rows ``batch_index, x1, y1, x2, y2`` in input
            pixels.
        output_size (tuple[int, int]): Pooled (height, width).
        spatial_scale (float): Feature cells per input pixel (1 / stride).
        sampling_ratio (int): Bilinear samples per bin side; 0 is adaptive.
            Defaults to 2.

    Returns:
        Tensor: (K, C, output_size[0], output_size[1]).
    """
    # Float32 throughout: in half precision box corners past 512 px round
    # to half a pixel, which matters for few-pixel targets; mmcv's CPU
    # kernel is float32 only anyway.
    # mmcv's CPU kernel reads the raw memory as if it were contiguous: a
    # view (a frame cropped out of its padding, a permuted image) would
    # pool the wrong pixels without an error.
    dtype = features.dtype
    features, rois = features.float().contiguous(), rois.float().contiguous()
    if features.is_cuda:
        from torchvision.ops import roi_align as tv_roi_align
        pooled = tv_roi_align(features, rois, output_size, spatial_scale,
                              sampling_ratio, aligned=True)
    else:
        from mmcv.ops import roi_align as mmcv_roi_align
        pooled = mmcv_roi_align(features, rois, output_size, spatial_scale,
                                sampling_ratio, 'avg', True)
    return pooled.to(dtype)


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Greedy non-maximum suppression on any device.

    Args:
        boxes (Tensor): (K, 4) boxes ``x1, y1, x2, y2``.
        scores (Tensor): (K,) scores.
        iou_threshold (float): Boxes overlapping a kept box by more than
            this are dropped.

    Returns:
        Tensor: Long indices of the kept boxes, by decreasing score.
    """
    if boxes.numel() == 0:
        return boxes.new_zeros(0, dtype=torch.long)
    if boxes.is_cuda:
        from torchvision.ops import nms as tv_nms
        return tv_nms(boxes.float(), scores.float(), iou_threshold)
    from mmcv.ops import nms as mmcv_nms
    _, keep = mmcv_nms(boxes.float(), scores.float(), iou_threshold)
    return keep
