"""Re-identification embeddings per feature point, trained as identity
classification (JDE, FairMOT).

The global-search head finds every object that looks like the target; this
branch tells them apart. It maps stride-4 features to a D-dim embedding at
every point, so that one pass gives the embedding of any candidate, read at
its box centre.
"""
import math
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmdet.utils import OptConfigType, OptMultiConfig
from mmengine.model import BaseModule
from mmtrack.registry import MODELS
from torch import Tensor

from ...utils.config_checks import check_number


@MODELS.register_module()
class ReIDEmbeddingHead(BaseModule):
    """Dense re-id embedding head with an identity classifier for training.

    ``num_convs`` 3x3 convolutions (ReLU) then a 1x1 projection to
    ``embed_channels``. For the loss, the embedding is sampled bilinearly at
    each ground-truth box centre, L2-normalised and scaled by
    ``sqrt(2) * log(num_ids - 1)`` (FairMOT's ``emb_scale``: unit vectors
    alone give logits too small for a softmax over thousands of ids), then
    classified over ``num_ids`` identities by a linear layer and
    ``loss_cls`` (softmax cross-entropy by default). At inference only the
    normalised embedding is used, the same vector the classifier saw.

    Args:
        in_channels (int): Channels of the input feature map.
        num_ids (int): Identities of the training data (at least 2).
        embed_channels (int): Embedding size D. Defaults to 128.
        feat_channels (int): Width of the 3x3 convolutions. Defaults to 128.
        num_convs (int): Number of 3x3 convolutions. Defaults to 1.
        stride (int): Input pixels per feature cell. Defaults to 4.
        norm_cfg (dict, optional): Norm of the 3x3 convolutions; None (no
            norm, biases), as in FairMOT's heads.
        loss_cls (dict, optional): Identity loss config; None means
            ``mmdet.CrossEntropyLoss`` (softmax).
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    def __init__(self,
                 in_channels: int,
                 num_ids: int,
                 embed_channels: int = 128,
                 feat_channels: int = 128,
                 num_convs: int = 1,
                 stride: int = 4,
                 norm_cfg: OptConfigType = None,
                 loss_cls: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        # An integer: the classifier has one output per identity.
        check_number('num_ids', num_ids, 2, integer=True)
        self.num_ids = num_ids
        self.embed_channels = embed_channels
        self.stride = stride
        self.convs = nn.Sequential(*[
            ConvModule(
                in_channels if i == 0 else feat_channels,
                feat_channels,
                3,
                padding=1,
                norm_cfg=norm_cfg) for i in range(num_convs)
        ])
        self.embed = nn.Conv2d(feat_channels if num_convs else in_channels,
                               embed_channels, 1)
        self.classifier = nn.Linear(embed_channels, num_ids)
        self.embed_scale = math.sqrt(2) * math.log(max(num_ids - 1, 2))
        self.loss_cls = MODELS.build(
            dict(loss_cls or dict(type='mmdet.CrossEntropyLoss')))

    def forward(self, feats: Tensor) -> Tensor:
        """Raw (unnormalised) embedding map.

        Args:
            feats (Tensor): (N, C, H, W) features at ``stride``.

        Returns:
            Tensor: (N, D, H, W) embeddings.
        """
        return self.embed(self.convs(feats))

    def sample(self,
               embed_map: Tensor,
               points: Tensor,
               batch_inds: Tensor,
               stride: Optional[int] = None) -> Tensor:
        """Bilinear samples of the embedding map at image points.

        Cell ``j`` covers pixels ``[j * stride, (j + 1) * stride)``, its
        value sits at ``(j + 0.5) * stride`` (the head's ``grid_points``
        and RoIAlign's ``aligned=True``), so with ``align_corners=False``
        a pixel ``p`` is at ``2 p / (stride * W) - 1`` in grid_sample's
        coordinates. Points beyond the map take the border value.

        Args:
            embed_map (Tensor): (N, D, H, W).
            points (Tensor): (K, 2) x, y in input pixels.
            batch_inds (Tensor): (K,) image of each point.
            stride (int, optional): Pixels per cell; the head's if None.

        Returns:
            Tensor: (K, D) unnormalised embeddings.
        """
        stride = stride or self.stride
        height, width = embed_map.shape[-2:]
        scale = points.new_tensor([width * stride, height * stride])
        grid = points.float() * 2 / scale - 1
        out = embed_map.new_zeros(len(points), embed_map.size(1))
        for index in batch_inds.unique().tolist():
            mask = batch_inds == index
            sampled = F.grid_sample(
                embed_map[index:index + 1],
                grid[mask].view(1, 1, -1, 2).to(embed_map.dtype),
                mode='bilinear',
                padding_mode='border',
                align_corners=False)
            out[mask] = sampled[0, :, 0].t()
        return out

    def embed_boxes(self,
                    feats: Tensor,
                    boxes_xyxy: Tensor,
                    stride: Optional[int] = None,
                    batch_inds: Optional[Tensor] = None) -> Tensor:
        """L2-normalised embeddings at box centres (for tracking).

        Args:
            feats (Tensor): (N, C, H, W) features at ``stride``.
            boxes_xyxy (Tensor): (K, 4) boxes x1, y1, x2, y2 in the pixels
                of the network input (not of the original image).
            stride (int, optional): Pixels per cell; the head's if None.
            batch_inds (Tensor, optional): (K,) image of each box; all from
                image 0 if None.

        Returns:
            Tensor: (K, D) unit embeddings.
        """
        if batch_inds is None:
            batch_inds = boxes_xyxy.new_zeros(
                len(boxes_xyxy), dtype=torch.long)
        centres = (boxes_xyxy[:, :2] + boxes_xyxy[:, 2:]) / 2
        embeds = self.sample(self(feats), centres, batch_inds, stride)
        return F.normalize(embeds, dim=1)

    def loss(self, feats: Tensor, gt_bboxes: Sequence[Tensor],
             gt_ids: Sequence[Tensor]) -> Dict[str, Tensor]:
        """Identity-classification loss of a batch.

        Args:
            feats (Tensor): (N, C, H, W) features at ``stride``.
            gt_bboxes (Sequence[Tensor]): Per image, (K_i, 4) boxes
                x1, y1, x2, y2 in input pixels.
            gt_ids (Sequence[Tensor]): Per image, (K_i,) identities in
                ``[0, num_ids)``; negative ones (unlabelled) are skipped.

        Returns:
            dict[str, Tensor]: ``loss_reid``.
        """
        return self.loss_by_feat(self(feats), gt_bboxes, gt_ids)

    def loss_by_feat(self, embed_map: Tensor, gt_bboxes: Sequence[Tensor],
                     gt_ids: Sequence[Tensor]) -> Dict[str, Tensor]:
        """Identity-classification loss from the embedding map.

        Args:
            embed_map (Tensor): (N, D, H, W) from :meth:`forward`.
            gt_bboxes (Sequence[Tensor]): See :meth:`loss`.
            gt_ids (Sequence[Tensor]): See :meth:`loss`.

        Returns:
            dict[str, Tensor]: ``loss_reid``; a zero in the graph of the
            map and the classifier when no box has an identity.
        """
        if len(gt_bboxes) != embed_map.size(0) or len(gt_ids) != len(
                gt_bboxes):
            raise ValueError(f'{embed_map.size(0)} images but '
                             f'{len(gt_bboxes)} box and {len(gt_ids)} id '
                             'lists')
        centres, inds, labels = [], [], []
        for index, (boxes, ids) in enumerate(zip(gt_bboxes, gt_ids)):
            ids = ids.long().view(-1)
            if len(ids) != len(boxes):
                raise ValueError(f'image {index}: {len(boxes)} boxes but '
                                 f'{len(ids)} ids')
            keep = ids >= 0
            centres.append((boxes[keep, :2] + boxes[keep, 2:]).float() / 2)
            inds.append(torch.full_like(ids[keep], index))
            labels.append(ids[keep])
        labels = torch.cat(labels)
        if len(labels) == 0:
            # Zero that keeps the graph, so DDP sees every parameter used.
            zero = embed_map.sum() * 0 + sum(
                param.sum() * 0 for param in self.classifier.parameters())
            return dict(loss_reid=zero)
        if int(labels.max()) >= self.num_ids:
            raise ValueError(f'identity {int(labels.max())} is out of '
                             f'range for num_ids={self.num_ids}')
        embeds = self.sample(embed_map, torch.cat(centres), torch.cat(inds))
        logits = self.classifier(self.embed_scale *
                                 F.normalize(embeds.float(), dim=1))
        return dict(loss_reid=self.loss_cls(logits, labels))
