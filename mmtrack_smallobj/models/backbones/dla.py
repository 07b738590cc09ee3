"""DLA-34, the Deep Layer Aggregation backbone of CenterNet and DMTrack.

Yu et al., 'Deep Layer Aggregation', CVPR 2018. Parameter names follow the
public ``dla34`` ImageNet checkpoint (``base_layer``, ``level0`` .. ``level5``,
``tree1``/``tree2``/``root``/``project``), so that checkpoint, or the ``base.``
part of a CenterNet/DMTrack checkpoint loaded with ``prefix='base.'``, fills
every parameter we have. Two checkpoint entries are left over on purpose:
``fc.*`` (the classifier) and ``level3.project.*``/``level4.project.*``, a
projection the reference builds in non-leaf trees but never uses (it would be
an unused parameter under DistributedDataParallel).
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule, build_conv_layer, build_norm_layer
from mmdet.utils import OptConfigType, OptMultiConfig
from mmtrack.registry import MODELS
from torch import Tensor

from ...utils.config_checks import check_number
from .base_backbone import (FrozenStagesBackbone, default_init_cfg,
                            default_norm_cfg)


class DLABasicBlock(nn.Module):
    """Two 3x3 convolutions with a residual that the caller may supply.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the first convolution.
        conv_cfg (dict, optional): Convolution config; None is ``nn.Conv2d``.
        norm_cfg (dict): Normalisation config.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 conv_cfg: OptConfigType, norm_cfg: dict) -> None:
        super().__init__()
        # Fixed names (not build_norm_layer's) so that the dla34 keys match.
        self.conv1 = build_conv_layer(
            conv_cfg, in_channels, out_channels, 3, stride=stride, padding=1,
            bias=False)
        self.bn1 = build_norm_layer(norm_cfg, out_channels)[1]
        self.conv2 = build_conv_layer(
            conv_cfg, out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = build_norm_layer(norm_cfg, out_channels)[1]
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor, residual: Optional[Tensor] = None) -> Tensor:
        """Apply the block.

        Args:
            x (Tensor): Input, NCHW.
            residual (Tensor, optional): Shortcut added before the last ReLU;
                ``x`` itself when None (only valid when shapes agree).

        Returns:
            Tensor: Output at ``ceil(H / stride)`` x ``ceil(W / stride)``.
        """
        if residual is None:
            residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + residual)


class DLATree(nn.Module):
    """One hierarchical aggregation tree: blocks merged by 1x1 root nodes.

    A tree of ``levels`` has ``2 ** levels`` blocks. A leaf (``levels == 1``)
    concatenates its two block outputs and the ``children`` handed down to it
    in a root node; a larger tree passes its first subtree's output down to
    the second one as a child, so deep roots see every earlier stage.

    Args:
        levels (int): Depth of the tree, >= 1.
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Downsampling of the first block.
        level_root (bool): Whether the (downsampled) input itself is fed to
            the root, as for DLA stages 3 to 5.
        root_channels (int): Input channels of the root node; 0 means
            ``2 * out_channels`` (plus ``in_channels`` when ``level_root``).
        conv_cfg (dict, optional): Convolution config.
        norm_cfg (dict): Normalisation config.
    """

    def __init__(self, levels: int, in_channels: int, out_channels: int,
                 stride: int, level_root: bool, root_channels: int,
                 conv_cfg: OptConfigType, norm_cfg: dict) -> None:
        super().__init__()
        if root_channels == 0:
            root_channels = 2 * out_channels
        if level_root:
            root_channels += in_channels
        self.levels = levels
        self.level_root = level_root
        if levels == 1:
            self.tree1 = DLABasicBlock(in_channels, out_channels, stride,
                                       conv_cfg, norm_cfg)
            self.tree2 = DLABasicBlock(out_channels, out_channels, 1,
                                       conv_cfg, norm_cfg)
            self.root = ConvModule(
                root_channels, out_channels, 1, conv_cfg=conv_cfg,
                norm_cfg=norm_cfg, act_cfg=dict(type='ReLU'))
        else:
            self.tree1 = DLATree(levels - 1, in_channels, out_channels, stride,
                                 False, 0, conv_cfg, norm_cfg)
            self.tree2 = DLATree(levels - 1, out_channels, out_channels, 1,
                                 False, root_channels + out_channels,
                                 conv_cfg, norm_cfg)
        # ceil_mode keeps this shortcut the size of the stride-2 convolution
        # (ceil(H / 2)) on odd inputs; the reference's floor breaks there.
        self.downsample = (
            nn.MaxPool2d(stride, stride=stride, ceil_mode=True)
            if stride > 1 else None)
        self.project = None
        if levels == 1 and in_channels != out_channels:
            self.project = nn.Sequential(
                build_conv_layer(conv_cfg, in_channels, out_channels, 1,
                                 bias=False),
                build_norm_layer(norm_cfg, out_channels)[1])

    def forward(self, x: Tensor,
                children: Optional[List[Tensor]] = None) -> Tensor:
        """Aggregate the tree.

        Args:
            x (Tensor): Input, NCHW.
            children (list[Tensor], optional): Earlier outputs at this tree's
                output resolution, concatenated into the root.

        Returns:
            Tensor: Output with ``out_channels`` channels.
        """
        children = [] if children is None else list(children)
        bottom = self.downsample(x) if self.downsample is not None else x
        if self.level_root:
            children.append(bottom)
        if self.levels == 1:
            residual = bottom if self.project is None else self.project(bottom)
            x1 = self.tree1(x, residual)
            x2 = self.tree2(x1)
            return self.root(torch.cat([x2, x1] + children, dim=1))
        x1 = self.tree1(x)
        children.append(x1)
        return self.tree2(x1, children)


@MODELS.register_module()
class DLA(FrozenStagesBackbone):
    """Deep Layer Aggregation backbone (DLA-34) returning several levels.

    After a stride-1 ``base_layer``, module ``level{i}`` (i = 0..5) runs at
    stride ``LEVEL_STRIDES[i]`` = 1, 2, 4, 8, 16, 32 with ``channels[i]`` =
    16, 32, 64, 128, 256, 512 channels. On an input of H x W, level ``i`` has
    shape ``(N, channels[i], ceil(H / s), ceil(W / s))`` with ``s`` its
    stride.

    Args:
        depth (int): Only 34 (levels 1,1,1,2,2,1; channels 16..512).
        in_channels (int): Input image channels. Defaults to 3.
        out_indices (Sequence[int]): Levels to return, in 0..5. Defaults to
            (2, 3, 4, 5): strides 4, 8, 16, 32. Levels after the last one
            requested are not built (no unused parameters under DDP).
        frozen_stages (int): -1 freezes nothing; k >= 0 freezes
            ``base_layer`` and ``level0`` .. ``level{k}`` (weights and
            normalisation statistics); k must be a built level. 1 freezes
            the stride-1/2 stem.
        conv_cfg (dict, optional): Convolution config. Defaults to None.
        norm_cfg (dict, optional): Normalisation config; None means
            ``dict(type='BN', requires_grad=True)``.
        norm_eval (bool): Keep every BatchNorm in eval mode during training
            (frozen statistics, e.g. with a pretrained checkpoint and small
            batches). Defaults to False.
        init_cfg (dict | list[dict], optional): mmengine init config, e.g.
            ``dict(type='Pretrained', checkpoint=PATH)``. None means Kaiming
            convolutions and unit norm weights (training from scratch).
    """

    LEVEL_STRIDES = (1, 2, 4, 8, 16, 32)
    arch_settings = {34: ((1, 1, 1, 2, 2, 1), (16, 32, 64, 128, 256, 512))}

    def __init__(self,
                 depth: int = 34,
                 in_channels: int = 3,
                 out_indices: Sequence[int] = (2, 3, 4, 5),
                 frozen_stages: int = -1,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: OptConfigType = None,
                 norm_eval: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=default_init_cfg(init_cfg))
        if depth not in self.arch_settings:
            raise KeyError(f'invalid depth {depth} for DLA; '
                           f'expected one of {sorted(self.arch_settings)}')
        all_levels = len(self.LEVEL_STRIDES)
        if not out_indices or any(i not in range(all_levels)
                                  for i in out_indices):
            raise ValueError(f'out_indices must be a non-empty subset of '
                             f'0..{all_levels - 1}, got {out_indices}')
        num_levels = max(out_indices) + 1
        check_number('frozen_stages (up to the last level built)',
                     frozen_stages, -1, num_levels - 1, integer=True)
        norm_cfg = default_norm_cfg(norm_cfg)
        levels, channels = self.arch_settings[depth]
        self.depth = depth
        self.channels = channels
        self.num_levels = num_levels
        self.out_indices = tuple(out_indices)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval

        self.base_layer = nn.Sequential(
            build_conv_layer(conv_cfg, in_channels, channels[0], 7,
                             padding=3, bias=False),
            build_norm_layer(norm_cfg, channels[0])[1], nn.ReLU(inplace=True))
        self.level0 = self._make_conv_level(channels[0], channels[0],
                                            levels[0], 1, conv_cfg, norm_cfg)
        if num_levels > 1:
            self.level1 = self._make_conv_level(channels[0], channels[1],
                                                levels[1], 2, conv_cfg,
                                                norm_cfg)
        for i in range(2, num_levels):
            # As in the reference, level 2's root sees only its own two
            # blocks; levels 3-5 also feed their downsampled input to it.
            self.add_module(
                f'level{i}',
                DLATree(levels[i], channels[i - 1], channels[i], 2, i > 2, 0,
                        conv_cfg, norm_cfg))

        self._freeze_stages()

    @staticmethod
    def _make_conv_level(in_channels: int, out_channels: int, num_convs: int,
                         stride: int, conv_cfg: OptConfigType,
                         norm_cfg: dict) -> nn.Sequential:
        """Plain conv-norm-ReLU level; the first convolution strides.

        Args:
            in_channels (int): Input channels.
            out_channels (int): Output channels.
            num_convs (int): Number of 3x3 convolutions.
            stride (int): Stride of the first convolution.
            conv_cfg (dict, optional): Convolution config.
            norm_cfg (dict): Normalisation config.

        Returns:
            nn.Sequential: Indexed like the reference (``levelN.0.weight``).
        """
        layers = []
        for i in range(num_convs):
            layers += [
                build_conv_layer(conv_cfg, in_channels, out_channels, 3,
                                 stride=stride if i == 0 else 1, padding=1,
                                 bias=False),
                build_norm_layer(norm_cfg, out_channels)[1],
                nn.ReLU(inplace=True)
            ]
            in_channels = out_channels
        return nn.Sequential(*layers)

    def _frozen_modules(self) -> List[nn.Module]:
        """``base_layer`` and ``level0`` to ``level{frozen_stages}``."""
        return [self.base_layer] + [
            getattr(self, f'level{i}') for i in range(self.frozen_stages + 1)
        ]

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Run the levels up to the last requested one.

        Args:
            x (Tensor): Images, N x in_channels x H x W; any H, W >= 1.

        Returns:
            tuple[Tensor]: One NCHW map per ``out_indices`` entry, in order.
        """
        x = self.base_layer(x)
        outs = {}
        for i in range(self.num_levels):
            x = getattr(self, f'level{i}')(x)
            outs[i] = x
        return tuple(outs[i] for i in self.out_indices)
