"""The two-stage, template-guided detection head of GSTP's global tracker.

GSTP (Li et al., 'Globally Spatial-Temporal Perception: A Long-Term Tracking
System') detects the target in the whole frame with a Siamese two-stage
detector in the manner of GlobalTrack: the template box is pooled from the
template frame's features with RoIAlign, correlated depthwise with the
search frame's features and fused by two 1x1 convolutions; an RPN proposes
boxes on the fused map and an RoI head (RoIAlign, global average pooling, a
2-way softmax classifier and a box refinement) scores and refines them.

The RPN and the RoI head are mmdet's own (``mmdet.RPNHead``,
``mmdet.StandardRoIHead`` with ``mmdet.BBoxHead``), with their anchor
generator, assigners, samplers and coders; each template/search pair is one
'image' of their batch.
"""
import copy
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmdet.structures import DetDataSample
from mmengine.config import ConfigDict
from mmengine.model import BaseModule
from mmengine.structures import InstanceData
from mmtrack.registry import MODELS
from mmtrack.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

from ...utils.config_checks import check_number
from ..layers import TemplateCorrelation, roi_align

LOSS_KEYS = ('loss_rpn_cls', 'loss_rpn_bbox', 'loss_roi_cls', 'loss_roi_bbox')


def _config(cfg: Optional[dict], key: str) -> Optional[ConfigDict]:
    """A deep copy of ``cfg[key]`` as a ConfigDict (mmdet's RoI head reads
    its train and test configs by attribute), or None."""
    if cfg is None or cfg.get(key) is None:
        return None
    return ConfigDict(copy.deepcopy(cfg[key]))


@MODELS.register_module()
class SiamRCNNHead(BaseModule):
    """Template-guided RPN + RoI head over one stride-``stride`` level.

    Args:
        in_channels (int): Channels of the backbone (or neck) features.
        rpn_head (dict): ``mmdet.RPNHead`` config (anchor generator, coder,
            losses); its ``in_channels`` must be ``in_channels``.
        roi_head (dict): ``mmdet.StandardRoIHead`` config with a
            ``SingleRoIExtractor`` on ``featmap_strides=[stride]`` and a
            one-class ``mmdet.BBoxHead`` (``with_avg_pool=True`` for global
            average pooling; one class means a 2-way softmax).
        stride (int): Stride of the features in input pixels. Defaults
            to 16.
        template_size (int): Side of the pooled template, odd so that the
            correlation keeps the search size. Defaults to 7.
        reg_weight (float): lambda, the weight of both box-regression losses
            (RPN and RoI); 0 trains classification only. Defaults to 1.0.
        norm_cfg (dict, optional): Normalisation of the fusion convolutions.
            Defaults to BN.
        train_cfg (dict, optional): mmdet's two-stage training config:
            ``rpn`` (assigner, sampler, ``allowed_border``, ``pos_weight``),
            ``rpn_proposal`` (proposal NMS during training) and ``rcnn``
            (assigner, sampler, ``pos_weight``). Needed by ``loss``.
        test_cfg (dict): ``rpn`` (proposal NMS) and ``rcnn`` (``score_thr``,
            ``nms``, ``max_per_img``: the candidates).
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    def __init__(self,
                 in_channels: int,
                 rpn_head: ConfigType,
                 roi_head: ConfigType,
                 test_cfg: ConfigType,
                 stride: int = 16,
                 template_size: int = 7,
                 reg_weight: float = 1.0,
                 norm_cfg: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if template_size < 1 or template_size % 2 == 0:
            raise ValueError('template_size must be odd and positive, got '
                             f'{template_size}')
        check_number('reg_weight', reg_weight, 0)
        for key in ('rpn', 'rcnn'):
            if test_cfg.get(key) is None:
                raise KeyError(f'SiamRCNNHead test_cfg needs {key!r}')
        self.in_channels = in_channels
        self.stride = stride
        self.template_size = template_size
        self.reg_weight = float(reg_weight)
        norm_cfg = copy.deepcopy(norm_cfg or dict(type='BN'))
        # Depthwise correlation; its output 1x1 convolution is the first of
        # the two fusion convolutions, ``fuse`` the second.
        self.correlation = TemplateCorrelation(
            corr_type='DW', channels=in_channels, norm_cfg=norm_cfg)
        self.fuse = nn.Sequential(
            nn.ReLU(inplace=True),
            ConvModule(in_channels, in_channels, 1, norm_cfg=norm_cfg))
        self.train_cfg = copy.deepcopy(train_cfg)
        self.test_cfg = copy.deepcopy(test_cfg)
        rpn_head = copy.deepcopy(rpn_head)
        rpn_head.update(
            train_cfg=_config(train_cfg, 'rpn'),
            test_cfg=_config(test_cfg, 'rpn'))
        self.rpn_head = MODELS.build(rpn_head)
        roi_head = copy.deepcopy(roi_head)
        roi_head.update(
            train_cfg=_config(train_cfg, 'rcnn'),
            test_cfg=_config(test_cfg, 'rcnn'))
        self.roi_head = MODELS.build(roi_head)
        self.proposal_cfg = _config(train_cfg, 'rpn_proposal')

    def pool_template(self, feat: Tensor, bboxes: Tensor) -> Tensor:
        """RoIAlign each template frame's box on its own features.

        Args:
            feat (Tensor): (N, C, H, W) template-frame features.
            bboxes (Tensor): (N, 4) boxes x1, y1, x2, y2 in input pixels.

        Returns:
            Tensor: (N, C, k, k) templates, k = ``template_size``.
        """
        index = torch.arange(
            bboxes.size(0), device=bboxes.device, dtype=bboxes.dtype)
        rois = torch.cat([index[:, None], bboxes], dim=1)
        size = (self.template_size, self.template_size)
        return roi_align(feat, rois, size, 1.0 / self.stride)

    def forward(self, templates: Tensor, search_feat: Tensor) -> Tensor:
        """Fused features: depthwise correlation, then two 1x1 convolutions.

        Args:
            templates (Tensor): (N, C, k, k) pooled templates.
            search_feat (Tensor): (N, C, H, W) search-frame features.

        Returns:
            Tensor: (N, C, H, W) fused features.
        """
        return self.fuse(self.correlation(templates, search_feat))

    @staticmethod
    def _samples(batch_gt_instances: List[InstanceData],
                 img_shape: Tuple[int, int]) -> List[DetDataSample]:
        """mmdet data samples of one-class ground truth on frames of
        ``img_shape`` (height, width): what mmdet's heads read."""
        samples = []
        for gt in batch_gt_instances:
            sample = DetDataSample(
                metainfo=dict(
                    img_shape=img_shape,
                    pad_shape=img_shape,
                    batch_input_shape=img_shape))
            bboxes = gt.bboxes.float().view(-1, 4)
            sample.gt_instances = InstanceData(
                bboxes=bboxes,
                labels=torch.zeros(
                    len(bboxes), dtype=torch.long, device=bboxes.device))
            samples.append(sample)
        return samples

    def loss(self, template_feat: Tensor, search_feat: Tensor,
             template_bboxes: Tensor, batch_gt_instances: List[InstanceData],
             img_shape: Tuple[int, int]) -> Dict[str, Tensor]:
        """Losses of a batch of template/search pairs.

        Args:
            template_feat (Tensor): (N, C, H, W) template-frame features.
            search_feat (Tensor): (N, C, H', W') search-frame features.
            template_bboxes (Tensor): (N, 4) template boxes x1, y1, x2, y2.
            batch_gt_instances (list[InstanceData]): Per pair, the target's
                ``bboxes`` in the search frame (none for a negative pair).
            img_shape (tuple[int, int]): Search frame (height, width).

        Returns:
            dict[str, Tensor]: See :meth:`loss_by_feat`.
        """
        if self.train_cfg is None:
            raise ValueError('SiamRCNNHead.loss needs a train_cfg')
        fused = self(
            self.pool_template(template_feat, template_bboxes), search_feat)
        return self.loss_by_feat(fused,
                                 self._samples(batch_gt_instances, img_shape))

    def loss_by_feat(
            self, fused: Tensor,
            batch_data_samples: List[DetDataSample]) -> Dict[str, Tensor]:
        """RPN and RoI losses on the fused features.

        Args:
            fused (Tensor): (N, C, H, W) fused features.
            batch_data_samples (list[DetDataSample]): One-class ground truth
                and image shapes, one per pair.

        Returns:
            dict[str, Tensor]: ``loss_rpn_cls``, ``loss_rpn_bbox``,
            ``loss_roi_cls``, ``loss_roi_bbox`` (both box losses already
            multiplied by ``reg_weight``) and ``acc_roi``, the RoI
            classifier's accuracy on its samples (logged, not optimised).
        """
        rpn_losses, proposals = self.rpn_head.loss_and_predict(
            (fused, ), batch_data_samples, proposal_cfg=self.proposal_cfg)
        roi_losses = self.roi_head.loss((fused, ), proposals,
                                        batch_data_samples)
        losses = dict(
            loss_rpn_cls=_total(rpn_losses['loss_rpn_cls']),
            loss_rpn_bbox=_total(rpn_losses['loss_rpn_bbox']),
            loss_roi_cls=roi_losses['loss_cls'],
            loss_roi_bbox=roi_losses['loss_bbox'],
            acc_roi=roi_losses['acc'])
        for key in ('loss_rpn_bbox', 'loss_roi_bbox'):
            losses[key] = losses[key] * self.reg_weight
        return losses

    def predict(self, templates: Tensor, search_feat: Tensor,
                img_shape: Tuple[int, int]) -> InstanceData:
        """Candidate boxes of one search frame.

        Args:
            templates (Tensor): (1, C, k, k) pooled template.
            search_feat (Tensor): (1, C, H, W) search-frame features.
            img_shape (tuple[int, int]): Valid (unpadded) frame (height,
                width) in input pixels; boxes are clipped to it.

        Returns:
            InstanceData: See :meth:`predict_by_feat`.
        """
        return self.predict_by_feat(self(templates, search_feat), img_shape)

    def predict_by_feat(self, fused: Tensor,
                        img_shape: Tuple[int, int]) -> InstanceData:
        """Proposals, then RoI scores and refined boxes.

        Args:
            fused (Tensor): (1, C, H, W) fused features.
            img_shape (tuple[int, int]): Valid frame (height, width).

        Returns:
            InstanceData: ``bboxes`` (K, 4) x1, y1, x2, y2 and ``scores``
            (K,) foreground probabilities, by decreasing score, at most
            ``test_cfg.rcnn.max_per_img``; K is 0 when nothing passes
            ``score_thr`` (or the RPN proposes nothing).
        """
        samples = [DetDataSample(metainfo=dict(img_shape=tuple(img_shape)))]
        proposals = self.rpn_head.predict((fused, ), samples, rescale=False)
        results = self.roi_head.predict((fused, ),
                                        proposals,
                                        samples,
                                        rescale=False)[0]
        order = results.scores.argsort(descending=True)
        return InstanceData(
            bboxes=results.bboxes[order].view(-1, 4),
            scores=results.scores[order])


def _total(loss) -> Tensor:
    """Sum of mmdet's per-level loss list (or the loss itself)."""
    if isinstance(loss, (list, tuple)):
        return sum(loss)
    return loss
