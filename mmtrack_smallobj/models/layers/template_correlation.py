"""Ways to correlate a pooled template with a whole search frame.

DMTrack (Zhang et al., CVPR 2021, Table 1) compares four ways of letting the
template modulate the search features; :class:`TemplateCorrelation` offers
all four behind one ``corr_type`` switch so that the comparison can be rerun
from configs. Every variant maps a (N, C, k, k) template and a (N, C, H, W)
search feature map to a (N, C, H, W) response, so the head after it does not
depend on the choice.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmdet.utils import OptConfigType
from torch import Tensor

from ...utils.config_checks import check_choice, check_number

CORRELATION_TYPES = ('DC', 'DW', 'CC', 'HP')


def _grouped_xcorr(search: Tensor, kernel: Tensor, groups_per_sample: int,
                   out_per_sample: int) -> Tensor:
    """Correlate each sample's search map with its own kernel, 'same' size.

    Args:
        search (Tensor): (N, C, H, W).
        kernel (Tensor): (N * out_per_sample, C // groups_per_sample, k, k).
        groups_per_sample (int): Convolution groups per sample (C for a
            depthwise correlation, 1 for a plain one).
        out_per_sample (int): Output channels per sample.

    Returns:
        Tensor: (N, out_per_sample, H, W).
    """
    num, channels, height, width = search.shape
    pad = kernel.size(-1) // 2
    out = F.conv2d(
        search.reshape(1, num * channels, height, width),
        kernel,
        padding=pad,
        groups=num * groups_per_sample)
    return out.view(num, out_per_sample, out.size(-2), out.size(-1))


class TemplateCorrelation(BaseModule):
    """Template-search correlation, one of DMTrack's four variants.

    * ``'DC'``: dynamic convolution. A controller (two linear layers) turns
      the average-pooled template into the weights and biases of
      ``num_dynamic_layers`` 1x1 convolutions (ReLU between them), which run
      on the search features. DMTrack's choice.
    * ``'DW'``: depthwise cross-correlation of the k x k template with the
      search map, channel by channel (SiamRPN++).
    * ``'CC'``: plain cross-correlation summed over channels (SiamFC), a
      one-channel response lifted back to C channels by a 1x1 convolution.
    * ``'HP'``: Hadamard product of the search features with the pooled
      template vector.

    'DW' and 'CC' divide the response by the kernel's area (and channels for
    'CC') so that its scale does not depend on the template size.

    Args:
        corr_type (str): One of 'DC', 'DW', 'CC', 'HP'. Defaults to 'DC'.
        channels (int): Channels of template and search features.
        num_dynamic_layers (int): 1x1 layers generated for 'DC'.
            Defaults to 2.
        norm_cfg (dict, optional): Normalisation after the response.
            Defaults to BN.
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    def __init__(self,
                 corr_type: str = 'DC',
                 channels: int = 32,
                 num_dynamic_layers: int = 2,
                 norm_cfg: OptConfigType = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        check_choice('corr_type', corr_type, CORRELATION_TYPES)
        check_number('num_dynamic_layers', num_dynamic_layers, 1, integer=True)
        self.corr_type = corr_type
        self.channels = channels
        self.num_dynamic_layers = num_dynamic_layers
        norm_cfg = norm_cfg or dict(type='BN', requires_grad=True)
        if corr_type == 'DC':
            num_params = num_dynamic_layers * (channels * channels + channels)
            self.controller = nn.Sequential(
                nn.Linear(channels, channels), nn.ReLU(inplace=True),
                nn.Linear(channels, num_params))
        if corr_type == 'CC':
            self.lift = nn.Conv2d(1, channels, 1)
        self.out_norm = ConvModule(
            channels, channels, 1, norm_cfg=norm_cfg, act_cfg=None)

    def init_weights(self) -> None:
        """Start 'DC' near an identity-scaled mapping: small generated
        weights keep the first steps stable."""
        super().init_weights()
        if self.corr_type == 'DC':
            last = self.controller[-1]
            nn.init.normal_(last.weight, std=0.01)
            nn.init.zeros_(last.bias)

    def forward(self, template: Tensor, search: Tensor) -> Tensor:
        """Correlate.

        Args:
            template (Tensor): (N, C, k, k) pooled template features, k odd.
            search (Tensor): (N, C, H, W) search features.

        Returns:
            Tensor: (N, C, H, W) response.
        """
        if template.size(0) != search.size(0):
            raise ValueError(f'{template.size(0)} templates for '
                             f'{search.size(0)} search maps')
        size = template.size(-1)
        if size != template.size(-2) or size % 2 == 0:
            raise ValueError('the template must be k x k with k odd (the '
                             'response keeps the search size), got '
                             f'{tuple(template.shape[-2:])}')
        num, channels = search.shape[:2]
        if self.corr_type == 'DC':
            out = self._dynamic_conv(template.mean(dim=(2, 3)), search)
        elif self.corr_type == 'DW':
            kernel = template.reshape(num * channels, 1, *template.shape[2:])
            out = _grouped_xcorr(search, kernel, channels, channels)
            out = out / template[0, 0].numel()
        elif self.corr_type == 'CC':
            out = _grouped_xcorr(search, template, 1, 1)
            out = self.lift(out / template[0].numel())
        else:
            out = search * template.mean(dim=(2, 3))[:, :, None, None]
        return self.out_norm(out)

    def _dynamic_conv(self, pooled: Tensor, search: Tensor) -> Tensor:
        """Run the controller-generated 1x1 layers on the search map."""
        channels = self.channels
        params = self.controller(pooled).split(
            channels * channels + channels, dim=1)
        out = search
        for index, layer in enumerate(params):
            weight = layer[:, :channels * channels].view(-1, channels,
                                                         channels)
            bias = layer[:, channels * channels:]
            # A residual path keeps the search features visible while the
            # generated weights are still near zero.
            out = out + torch.einsum('nchw,noc->nohw', out,
                                     weight) + bias[:, :, None, None]
            if index < len(params) - 1:
                out = F.relu(out)
        return out
