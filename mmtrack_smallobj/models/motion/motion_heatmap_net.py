"""GSTP's spatial-temporal perception: where will the target be next?

GSTP (Li et al., 'Globally Spatial-Temporal Perception: A Long-Term Tracking
System') re-scores the global detector's candidates with a motion model: a
high-resolution network that sees the current frame together with Gaussian
heatmaps of the target's last K positions and outputs a heatmap of its
current position. :class:`MotionHeatmapNet` is that network, built on
mmdet's ``HRNet`` (two branches are enough on a CPU) with a small head that
fuses the branches at the finest one; it trains with an MSE loss against a
Gaussian at the true position.

Positions are continuous pixel coordinates (x = 0 is the left edge of the
first pixel); a heatmap cell (i, j) of stride s stands for the point
((j + 0.5) s, (i + 0.5) s), as
:func:`mmtrack_smallobj.datasets.transforms.gaussian_heatmaps` draws them.
"""
import copy
from typing import Dict, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmtrack.registry import MODELS
from mmtrack.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

from ...utils.config_checks import check_number


def render_heatmaps(centres: Tensor,
                    valid: Tensor,
                    height: int,
                    width: int,
                    sigma: float,
                    stride: int = 1) -> Tensor:
    """Unnormalised Gaussians (peak 1) at ``centres``; zero where invalid.

    Args:
        centres (Tensor): (K, 2) x, y in input pixels.
        valid (Tensor): (K,) bool; an invalid position gives a zero map.
        height (int): Map height in cells.
        width (int): Map width in cells.
        sigma (float): Standard deviation in input pixels.
        stride (int): Input pixels per cell. Defaults to 1.

    Returns:
        Tensor: (K, height, width) maps, float32.
    """
    centres = centres.float()
    ys = (torch.arange(height, device=centres.device) + 0.5) * stride
    xs = (torch.arange(width, device=centres.device) + 0.5) * stride
    dx = (xs[None, :] - centres[:, 0, None])**2
    dy = (ys[None, :] - centres[:, 1, None])**2
    maps = torch.exp(-(dy[:, :, None] + dx[:, None, :]) / (2 * sigma**2))
    return maps * valid.to(maps.dtype)[:, None, None]


def push_history(centres: Tensor, valid: Tensor, centre: Tensor,
                 is_valid: bool) -> Tuple[Tensor, Tensor]:
    """Drop the oldest of K positions and append the newest.

    Args:
        centres (Tensor): (K, 2) positions, oldest first.
        valid (Tensor): (K,) bool flags.
        centre (Tensor): (2,) the newest position.
        is_valid (bool): Whether the newest position is believed.

    Returns:
        tuple[Tensor, Tensor]: The updated (K, 2) positions and (K,) flags.
    """
    centres = torch.cat([centres[1:], centre.view(1, 2).to(centres)])
    flag = torch.tensor([is_valid], dtype=torch.bool, device=valid.device)
    return centres, torch.cat([valid[1:], flag])


def init_history(centre: Tensor, num_past: int) -> Tuple[Tensor, Tensor]:
    """K copies of the first position, all valid (a still target).

    Args:
        centre (Tensor): (2,) x, y.
        num_past (int): K.

    Returns:
        tuple[Tensor, Tensor]: (K, 2) positions and (K,) flags.
    """
    centres = centre.float().view(1, 2).repeat(num_past, 1)
    return centres, torch.ones(
        num_past, dtype=torch.bool, device=centre.device)


@MODELS.register_module()
class MotionHeatmapNet(BaseModule):
    """Heatmap of the target's position from the frame and its past track.

    The input is the normalised RGB frame concatenated with ``num_past``
    heatmaps of the target's last positions (oldest first, sigma ``sigma``);
    the output is one heatmap at the backbone's finest stride.

    Args:
        backbone (dict): Multi-resolution backbone config, e.g.
            ``mmdet.HRNet``; its ``in_channels`` is set to ``3 + num_past``
            (or must equal it when given) and it must return one map per
            branch, finest first.
        in_channels (Sequence[int]): Channels of each backbone output.
        stride (int): Stride of the finest backbone output (mmdet's HRNet
            stem: 4). Defaults to 4.
        num_past (int): K, the number of past positions. Defaults to 4.
        sigma (float): Sigma of the input heatmaps in input pixels.
            Defaults to 3.0.
        input_size (tuple[int, int]): (width, height) every frame is resized
            to, in training (by ``TrajectoryHeatmapSampling``) as in
            tracking. Defaults to (160, 128).
        head_channels (int): Channels of the head. Defaults to 16.
        loss_heatmap (dict, optional): Heatmap loss; defaults to
            ``mmdet.MSELoss``.
        norm_cfg (dict, optional): Head normalisation; defaults to BN.
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    def __init__(self,
                 backbone: ConfigType,
                 in_channels: Sequence[int],
                 stride: int = 4,
                 num_past: int = 4,
                 sigma: float = 3.0,
                 input_size: Tuple[int, int] = (160, 128),
                 head_channels: int = 16,
                 loss_heatmap: OptConfigType = None,
                 norm_cfg: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        # An integer: it counts input channels.
        check_number('num_past', num_past, 1, integer=True)
        check_number('sigma', sigma, 0, low_open=True)
        if len(input_size) != 2 or min(input_size) < stride:
            raise ValueError('input_size must be (width, height) of at least '
                             f'one stride, got {input_size}')
        backbone = copy.deepcopy(backbone)
        expected = 3 + num_past
        if backbone.setdefault('in_channels', expected) != expected:
            raise ValueError(
                f"backbone in_channels {backbone['in_channels']} must be 3 "
                f'(RGB) + num_past ({num_past}) = {expected}')
        self.backbone = MODELS.build(backbone)
        self.num_past = num_past
        self.sigma = float(sigma)
        self.stride = stride
        self.input_size = tuple(input_size)
        norm_cfg = copy.deepcopy(norm_cfg or dict(type='BN'))
        self.head = nn.Sequential(
            ConvModule(sum(in_channels), head_channels, 1, norm_cfg=norm_cfg),
            ConvModule(
                head_channels, head_channels, 3, padding=1, norm_cfg=norm_cfg),
            nn.Conv2d(head_channels, 1, 1))
        self.loss_heatmap = MODELS.build(
            copy.deepcopy(loss_heatmap or dict(type='mmdet.MSELoss')))

    def forward(self, img: Tensor, past_heatmaps: Tensor) -> Tensor:
        """Position heatmap of a batch.

        Args:
            img (Tensor): (N, 3, H, W) normalised frames.
            past_heatmaps (Tensor): (N, K, H, W) past-position heatmaps.

        Returns:
            Tensor: (N, 1, H / stride, W / stride) heatmap (unbounded; the
            target is 1 at the position, 0 far from it).
        """
        if past_heatmaps.size(1) != self.num_past:
            raise ValueError(f'{past_heatmaps.size(1)} past heatmaps for '
                             f'num_past={self.num_past}')
        feats = self.backbone(torch.cat([img, past_heatmaps.to(img)], dim=1))
        size = feats[0].shape[-2:]
        merged = [feats[0]] + [
            F.interpolate(
                feat, size=size, mode='bilinear', align_corners=False)
            for feat in feats[1:]
        ]
        return self.head(torch.cat(merged, dim=1))

    def loss(self, img: Tensor, past_heatmaps: Tensor,
             target_heatmaps: Tensor) -> Dict[str, Tensor]:
        """Heatmap loss of a batch.

        Args:
            img (Tensor): (N, 3, H, W) normalised frames.
            past_heatmaps (Tensor): (N, K, H, W) past-position heatmaps.
            target_heatmaps (Tensor): (N, 1, H / stride, W / stride)
                Gaussians at the true positions (zero maps where the target
                is absent).

        Returns:
            dict[str, Tensor]: ``loss_heatmap``.
        """
        return self.loss_by_feat(self(img, past_heatmaps), target_heatmaps)

    def loss_by_feat(self, heatmaps: Tensor,
                     target_heatmaps: Tensor) -> Dict[str, Tensor]:
        """Loss of predicted against target heatmaps (same shape)."""
        if heatmaps.shape != target_heatmaps.shape:
            raise ValueError(
                f'predicted heatmaps {tuple(heatmaps.shape)} and targets '
                f'{tuple(target_heatmaps.shape)} differ: the transform\'s '
                'heatmap_stride and input_size must match the network')
        return dict(
            loss_heatmap=self.loss_heatmap(heatmaps,
                                           target_heatmaps.to(heatmaps)))

    def predict(self, img: Tensor, past_centres: Tensor,
                past_valid: Tensor) -> Tensor:
        """Position heatmap of one frame of any size.

        The frame is resized to ``input_size`` and the past positions are
        drawn there, as in training.

        Args:
            img (Tensor): (1, 3, H, W) normalised frame.
            past_centres (Tensor): (K, 2) past positions x, y in the
                frame's pixels, oldest first.
            past_valid (Tensor): (K,) bool; False draws an empty map.

        Returns:
            Tensor: (1, 1, h, w) heatmap over the whole frame, clamped to
            [0, 1].
        """
        height, width = img.shape[-2:]
        in_w, in_h = self.input_size
        resized = F.interpolate(
            img, size=(in_h, in_w), mode='bilinear', align_corners=False)
        scale = past_centres.new_tensor([in_w / width, in_h / height])
        past = render_heatmaps(past_centres * scale, past_valid, in_h, in_w,
                               self.sigma)
        return self(resized, past[None]).clamp(0, 1)

    def predict_by_feat(self, heatmap: Tensor, points: Tensor,
                        frame_size: Tuple[int, int]) -> Tensor:
        """Heatmap values at points of the frame (bilinear).

        Args:
            heatmap (Tensor): (1, 1, h, w) from :meth:`predict`.
            points (Tensor): (P, 2) x, y in frame pixels.
            frame_size (tuple[int, int]): Frame (height, width).

        Returns:
            Tensor: (P,) values.
        """
        if len(points) == 0:
            return heatmap.new_zeros(0)
        height, width = frame_size
        # With align_corners=False, -1 and 1 are the frame's outer edges
        # whatever the heatmap's stride.
        grid = points.to(heatmap) / heatmap.new_tensor([width, height]) * 2 - 1
        values = F.grid_sample(
            heatmap,
            grid.view(1, 1, -1, 2),
            mode='bilinear',
            padding_mode='border',
            align_corners=False)
        return values.view(-1)

    @staticmethod
    def peak(heatmap: Tensor,
             frame_size: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
        """The heatmap's highest cell as a frame position.

        Args:
            heatmap (Tensor): (1, 1, h, w) from :meth:`predict`.
            frame_size (tuple[int, int]): Frame (height, width).

        Returns:
            tuple[Tensor, Tensor]: (2,) x, y of the cell's centre in frame
            pixels, and its value.
        """
        cells_h, cells_w = heatmap.shape[-2:]
        value, index = heatmap.view(-1).max(dim=0)
        row, col = index // cells_w, index % cells_w
        height, width = frame_size
        centre = torch.stack([(col + 0.5) * width / cells_w,
                              (row + 0.5) * height / cells_h]).float()
        return centre, value
