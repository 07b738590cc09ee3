"""What our backbones share: default init, frozen stages and ``norm_eval``.

Both ``DLA`` and ``HighResShallowNet`` follow mmdet's ResNet conventions for
``frozen_stages`` and ``norm_eval``; keeping the mechanics here means they cannot
drift apart. Subclasses only say which modules a given ``frozen_stages`` covers.
"""
from typing import List

from mmengine.model import BaseModule
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from mmdet.utils import OptConfigType, OptMultiConfig


def default_init_cfg(init_cfg: OptMultiConfig) -> OptMultiConfig:
    """``init_cfg``, or mmdet ResNet's from-scratch init when it is None.

    Args:
        init_cfg (dict | list[dict], optional): The caller's init config.

    Returns:
        dict | list[dict]: Kaiming for convolutions and 1 for norm weights when
        ``init_cfg`` is None, else ``init_cfg`` unchanged.
    """
    if init_cfg is not None:
        return init_cfg
    return [
        dict(type='Kaiming', layer='Conv2d'),
        dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
    ]


def default_norm_cfg(norm_cfg: OptConfigType) -> dict:
    """A copy of ``norm_cfg``, or trainable BN when it is None.

    Args:
        norm_cfg (dict, optional): The caller's norm config (never mutated).

    Returns:
        dict: The norm config to build layers with.
    """
    return (dict(type='BN', requires_grad=True)
            if norm_cfg is None else dict(norm_cfg))


class FrozenStagesBackbone(BaseModule):
    """Base of backbones with ``frozen_stages`` and ``norm_eval``.

    Subclasses set ``self.frozen_stages`` and ``self.norm_eval`` in
    ``__init__``, implement :meth:`_frozen_modules`, and call
    :meth:`_freeze_stages` once their layers exist.
    """

    frozen_stages: int
    norm_eval: bool

    def _frozen_modules(self) -> List[nn.Module]:
        """The modules that ``self.frozen_stages`` (>= 0) freezes."""
        raise NotImplementedError(
            f'{type(self).__name__} must say which modules frozen_stages '
            'covers')

    def _freeze_stages(self) -> None:
        """Put the frozen modules in eval mode and stop their gradients."""
        if self.frozen_stages < 0:
            return
        for module in self._frozen_modules():
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'FrozenStagesBackbone':
        """Switch mode, keeping frozen modules and, with ``norm_eval``,
        every BatchNorm in eval mode.

        Args:
            mode (bool): Training mode if True.

        Returns:
            FrozenStagesBackbone: self.
        """
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, _BatchNorm):
                    module.eval()
        return self
