"""A shallow residual backbone that stops at stride 8 by default.

Small targets (a few pixels to a few tens) vanish at stride 16-32: a 6-pixel
object covers under one cell of a stride-16 map. This backbone spends its
compute at strides 4 and 8 instead, so such a target keeps several feature
points, and stays cheap enough for CPU tracking. Cross-scale fusion is left to
the neck (e.g. ``mmdet.FPN``).
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmdet.models.backbones.resnet import BasicBlock
from mmdet.models.layers import ResLayer
from mmdet.utils import OptConfigType, OptMultiConfig
from mmtrack.registry import MODELS
from torch import Tensor

from ...utils.config_checks import check_number
from .base_backbone import (FrozenStagesBackbone, default_init_cfg,
                            default_norm_cfg)


@MODELS.register_module()
class HighResShallowNet(FrozenStagesBackbone):
    """Stride-4 stem followed by a few residual stages, the first at stride 4.

    Stage ``i`` (0-based, module ``layer{i + 1}``) has
    ``base_channels * 2 ** i`` channels and stride ``4 * 2 ** i``; it is made
    of ``num_blocks[i]`` ResNet basic blocks, the first of which halves the
    resolution for ``i >= 1``. On an input of H x W, stage ``i`` has shape
    ``(N, base_channels * 2 ** i, ceil(H / s), ceil(W / s))``, s = 4 * 2 ** i.

    Args:
        num_stages (int): Number of stages, 1 to 4 (strides 4 .. 32).
            Defaults to 2: strides 4 and 8.
        num_blocks (int | Sequence[int]): Basic blocks per stage; an int is
            used for every stage. Defaults to 2.
        base_channels (int): Width of stage 0; each later stage doubles it.
            Defaults to 32.
        stem_channels (int, optional): Width of the two stride-2 stem
            convolutions; None means ``base_channels``.
        in_channels (int): Input image channels. Defaults to 3.
        out_indices (Sequence[int], optional): Stages to return; must hold
            the last stage (lower ``num_stages`` to drop deep ones). None
            means every stage.
        frozen_stages (int): -1 freezes nothing; k >= 0 freezes the stem and
            the first k stages (weights and normalisation statistics).
        conv_cfg (dict, optional): Convolution config. Defaults to None.
        norm_cfg (dict, optional): Normalisation config; None means
            ``dict(type='BN', requires_grad=True)``.
        norm_eval (bool): Keep every BatchNorm in eval mode during training.
            Defaults to False.
        init_cfg (dict | list[dict], optional): mmengine init config, e.g.
            ``dict(type='Pretrained', checkpoint=PATH)``. None means Kaiming
            convolutions and unit norm weights (training from scratch).
    """

    MAX_STAGES = 4

    def __init__(self,
                 num_stages: int = 2,
                 num_blocks: Union[int, Sequence[int]] = 2,
                 base_channels: int = 32,
                 stem_channels: Optional[int] = None,
                 in_channels: int = 3,
                 out_indices: Optional[Sequence[int]] = None,
                 frozen_stages: int = -1,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: OptConfigType = None,
                 norm_eval: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=default_init_cfg(init_cfg))
        check_number('num_stages', num_stages, 1, self.MAX_STAGES,
                     integer=True)
        if isinstance(num_blocks, int):
            num_blocks = (num_blocks, ) * num_stages
        num_blocks = tuple(num_blocks)
        if len(num_blocks) != num_stages or min(num_blocks) < 1:
            raise ValueError(f'num_blocks must hold {num_stages} positive '
                             f'counts, got {num_blocks}')
        if out_indices is None:
            out_indices = tuple(range(num_stages))
        # The last stage must be returned: a stage nobody reads would cost
        # time and leave unused parameters under DDP. Lower num_stages instead.
        if (not out_indices or any(i not in range(num_stages)
                                   for i in out_indices)
                or max(out_indices) != num_stages - 1):
            raise ValueError(f'out_indices must be a subset of '
                             f'0..{num_stages - 1} holding {num_stages - 1}, '
                             f'got {out_indices}')
        check_number('frozen_stages', frozen_stages, -1, num_stages,
                     integer=True)
        norm_cfg = default_norm_cfg(norm_cfg)
        if stem_channels is None:
            stem_channels = base_channels
        self.num_stages = num_stages
        self.num_blocks = num_blocks
        self.out_indices = tuple(out_indices)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.stage_channels = tuple(base_channels * 2**i
                                    for i in range(num_stages))
        self.strides = tuple(4 * 2**i for i in range(num_stages))

        self.stem = nn.Sequential(
            ConvModule(in_channels, stem_channels, 3, stride=2, padding=1,
                       conv_cfg=conv_cfg, norm_cfg=norm_cfg),
            ConvModule(stem_channels, stem_channels, 3, stride=2, padding=1,
                       conv_cfg=conv_cfg, norm_cfg=norm_cfg))
        inplanes = stem_channels
        for i, (planes, blocks) in enumerate(
                zip(self.stage_channels, num_blocks)):
            # 3x3 stride-2 convolutions and 1x1 stride-2 shortcuts both give
            # ceil(H / 2), so odd sizes need no padding.
            self.add_module(
                f'layer{i + 1}',
                ResLayer(BasicBlock, inplanes, planes, blocks,
                         stride=1 if i == 0 else 2, conv_cfg=conv_cfg,
                         norm_cfg=norm_cfg))
            inplanes = planes

        self._freeze_stages()

    def _frozen_modules(self) -> List[nn.Module]:
        """The stem and the first ``frozen_stages`` stages."""
        return [self.stem] + [
            getattr(self, f'layer{i}')
            for i in range(1, self.frozen_stages + 1)
        ]

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Run the stem and every stage.

        Args:
            x (Tensor): Images, N x in_channels x H x W; any H, W >= 1.

        Returns:
            tuple[Tensor]: One NCHW map per ``out_indices`` entry, in order.
        """
        x = self.stem(x)
        outs = []
        for i in range(self.num_stages):
            x = getattr(self, f'layer{i + 1}')(x)
            outs.append(x)
        return tuple(outs[i] for i in self.out_indices)
