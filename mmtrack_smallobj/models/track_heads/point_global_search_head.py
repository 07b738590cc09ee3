"""Point-based global-search head: scores every feature point of the whole
frame on every supervised level and regresses a box from each point.

The template is cut from the template frame's own feature maps by RoIAlign
on its ground-truth box, so training and tracking use whole frames and no
search window. Each level keeps its own score map and its own losses (deep
supervision), so shallow high-resolution levels learn to see small targets
instead of relying on deep levels where they have blurred away.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule, Scale
from mmengine.model import BaseModule
from mmengine.structures import InstanceData
from mmdet.utils import OptConfigType, OptMultiConfig
from mmtrack.registry import MODELS
from torch import Tensor

from ...utils.config_checks import check_choice, check_number
from ..layers import TemplateCorrelation, nms, roi_align, vote_boxes
from .point_head_losses import (PointHeadLossMixin, check_centre_sampling,
                                decode_points)

TEMPLATE_POOLINGS = ('box', 'native')
DEFAULT_TEST_CFG = dict(
    pre_nms_top_k=100, nms_iou_thr=0.5, max_candidates=10,
    box_voting_iou_thr=None)


@MODELS.register_module()
class PointGlobalSearchHead(PointHeadLossMixin, BaseModule):
    """Global-search head with one score map and one box map per level.

    Per level: correlation of the RoIAligned template with the search map
    (:class:`TemplateCorrelation`, DMTrack's DC/DW/CC/HP), a tower of
    ``num_convs`` 3x3 convolutions, then a 1-channel score conv and a
    4-channel distance conv (FCOS-style left/top/right/bottom, times the
    level's stride and a learnable per-level scale).

    Training: ``loss_cls`` per level. :class:`HardMaxPointLoss` receives the
    score map, boxes and point grid; a dense loss (``mmdet.FocalLoss``,
    ``mmdet.CrossEntropyLoss`` with sigmoid, ``ShrinkageBCELoss``) receives
    every point with label 0 inside the box (the nearest point when none
    is) and 1 (background) elsewhere, averaged over positives. ``loss_bbox``
    (GIoU by default) trains the ``num_reg_points`` inside points nearest to
    the box centre per image and level: the same count for every size.

    Args:
        in_channels (int): Channels of every input level.
        strides (Sequence[int]): Stride of each input level, in pixels.
        feat_channels (int): Tower width. Defaults to 32.
        num_convs (int): Tower depth. Defaults to 2.
        corr_type (str): 'DC', 'DW', 'CC' or 'HP'. Defaults to 'DC'.
        num_dynamic_layers (int): Generated 1x1 layers for 'DC'.
        template_size (int): RoIAlign output side (odd). Defaults to 7.
        template_pooling (str): 'box' resamples the box onto the k x k
            grid, whatever its size. 'native' keeps the level's own scale:
            k x k cells centred on the box, each weighted by the fraction
            of it the box covers and normalised to sum one, so that a
            spatial correlation ('DW', 'CC') compares the template with
            the search map at the same scale. Defaults to 'box'.
        normalize_feats (bool): L2-normalise every feature point over the
            channels before pooling and correlating, so that a 'DW'
            response summed over channels is a box-weighted cosine
            similarity: a matching score from the first step, whatever the
            brightness of the scene. Defaults to False.
        share_levels (bool): One correlation and tower for all levels (the
            per-level scale stays separate). Defaults to True.
        num_reg_points (int): Box-regression points per image and level.
            Defaults to 9.
        cls_prior_prob (float): Initial score of every point; 0.5 (bias 0)
            suits the max-point loss, 0.01 suits focal loss.
        centre_sampling (dict, optional): ``dict(ratio=0.5, min_cells=2)``
            makes the score maps' target the box scaled about its centre by
            ``ratio`` and ignores the rest of the box, on every level where
            that central box's shorter side spans more than ``min_cells``
            cells (smaller boxes keep the whole box). The box regression is
            unchanged. None (the default) uses the whole box.
        loss_cls (dict, optional): Classification loss config; None means
            ``HardMaxPointLoss`` with one point.
        loss_bbox (dict, optional): Box loss config on x1, y1, x2, y2
            boxes; None means ``mmdet.GIoULoss``.
        norm_cfg (dict, optional): Norm of the tower. Defaults to BN.
        test_cfg (dict, optional): ``pre_nms_top_k`` per level,
            ``nms_iou_thr``, ``max_candidates`` kept after NMS, and
            ``box_voting_iou_thr``: None (the default) keeps each
            candidate's own box; a value in (0, 1] replaces it by the
            score-weighted mean of the ``pre_nms_top_k`` boxes of all levels
            that overlap it by at least that IoU (box voting), so the
            neighbouring points' regressions average out one point's error.
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    def __init__(self,
                 in_channels: int,
                 strides: Sequence[int],
                 feat_channels: int = 32,
                 num_convs: int = 2,
                 corr_type: str = 'DC',
                 num_dynamic_layers: int = 2,
                 template_size: int = 7,
                 template_pooling: str = 'box',
                 normalize_feats: bool = False,
                 share_levels: bool = True,
                 num_reg_points: int = 9,
                 cls_prior_prob: float = 0.5,
                 centre_sampling: OptConfigType = None,
                 loss_cls: OptConfigType = None,
                 loss_bbox: OptConfigType = None,
                 norm_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if template_size % 2 != 1:
            raise ValueError(f'template_size must be odd, got {template_size}')
        # An integer: it is the k of a top-k.
        check_number('num_reg_points', num_reg_points, 1, integer=True)
        check_number('cls_prior_prob', cls_prior_prob, 0, 1, low_open=True,
                     high_open=True)
        self.strides = tuple(strides)
        self.num_levels = len(self.strides)
        self.template_size = template_size
        self.template_pooling = check_choice('template_pooling',
                                             template_pooling,
                                             TEMPLATE_POOLINGS)
        self.normalize_feats = normalize_feats
        self.num_reg_points = num_reg_points
        self.cls_prior_prob = cls_prior_prob
        self.centre_sampling = check_centre_sampling(centre_sampling)
        unknown = set(test_cfg or {}) - set(DEFAULT_TEST_CFG)
        if unknown:
            raise KeyError(f'unknown head test_cfg keys {sorted(unknown)}; '
                           f'known: {sorted(DEFAULT_TEST_CFG)}')
        self.test_cfg = {**DEFAULT_TEST_CFG, **(test_cfg or {})}
        voting_thr = self.test_cfg['box_voting_iou_thr']
        if voting_thr is not None:
            check_number('test_cfg.box_voting_iou_thr', voting_thr, 0, 1,
                         low_open=True)
        norm_cfg = norm_cfg or dict(type='BN', requires_grad=True)

        def level_branch() -> nn.ModuleDict:
            tower = [
                ConvModule(
                    in_channels if i == 0 else feat_channels,
                    feat_channels,
                    3,
                    padding=1,
                    norm_cfg=norm_cfg) for i in range(num_convs)
            ]
            return nn.ModuleDict(
                dict(
                    corr=TemplateCorrelation(
                        corr_type,
                        in_channels,
                        num_dynamic_layers,
                        norm_cfg=norm_cfg),
                    tower=nn.Sequential(*tower),
                    cls=nn.Conv2d(feat_channels, 1, 3, padding=1),
                    reg=nn.Conv2d(feat_channels, 4, 3, padding=1)))

        num_branches = 1 if share_levels else self.num_levels
        self.branches = nn.ModuleList(
            [level_branch() for _ in range(num_branches)])
        self.scales = nn.ModuleList([Scale(1.0) for _ in self.strides])
        self.loss_cls = MODELS.build(loss_cls or dict(type='HardMaxPointLoss'))
        self.loss_bbox = MODELS.build(
            loss_bbox or dict(type='mmdet.GIoULoss', loss_weight=1.0))

    def init_weights(self) -> None:
        """Set the score bias to ``cls_prior_prob`` and start the distances
        near one stride."""
        super().init_weights()
        bias = float(-torch.log(torch.tensor(
            (1 - self.cls_prior_prob) / self.cls_prior_prob)))
        for branch in self.branches:
            # mmengine only initialises direct BaseModule children, and the
            # correlation sits inside a ModuleDict.
            branch['corr'].init_weights()
            nn.init.normal_(branch['cls'].weight, std=0.01)
            nn.init.constant_(branch['cls'].bias, bias)
            nn.init.normal_(branch['reg'].weight, std=0.01)
            nn.init.constant_(branch['reg'].bias, 1.0)

    def _branch(self, level: int) -> nn.ModuleDict:
        return self.branches[level if len(self.branches) > 1 else 0]

    def pool_templates(self,
                       template_feats: Sequence[Tensor],
                       bboxes: Tensor,
                       image_index: Optional[Tensor] = None,
                       levels: Optional[Sequence[int]] = None
                       ) -> List[Tensor]:
        """RoIAlign each image's box on each level of its own feature maps.

        Args:
            template_feats (Sequence[Tensor]): (N, C, H_l, W_l) per level.
            bboxes (Tensor): (M, 4) boxes x1, y1, x2, y2 in input pixels.
            image_index (Tensor, optional): (M,) the image each box is on;
                None (the default) is one box per image, M = N.
            levels (Sequence[int], optional): Pool these levels only, in
                this order (candidate verification compares one); None
                (the default) pools every level.

        Returns:
            list[Tensor]: (M, C, k, k) per pooled level, k =
            ``template_size``.
        """
        self._check_levels(template_feats)
        if levels is None:
            levels = range(self.num_levels)
        strides = [self.strides[level] for level in levels]
        template_feats = self._maybe_normalize(
            [template_feats[level] for level in levels])
        index = torch.arange(
            bboxes.size(0), device=bboxes.device, dtype=bboxes.dtype
        ) if image_index is None else image_index.to(bboxes.dtype)
        size = (self.template_size, self.template_size)
        if self.template_pooling == 'box':
            rois = torch.cat([index[:, None], bboxes], dim=1)
            return [
                roi_align(feat, rois, size, 1.0 / stride)
                for feat, stride in zip(template_feats, strides)
            ]
        templates = []
        centre = (bboxes[:, :2] + bboxes[:, 2:]) / 2
        for feat, stride in zip(template_feats, strides):
            half = self.template_size * stride / 2
            window = torch.cat([centre - half, centre + half], dim=1)
            rois = torch.cat([index[:, None], window], dim=1)
            pooled = roi_align(feat, rois, size, 1.0 / stride)
            weight = self._box_cover(window, bboxes, stride)
            templates.append(pooled * weight[:, None].to(pooled.dtype))
        return templates

    def _box_cover(self, windows: Tensor, bboxes: Tensor,
                   stride: int) -> Tensor:
        """(N, k, k) share of each native-scale template cell inside its
        box, normalised to sum one per template."""
        steps = torch.arange(
            self.template_size, device=bboxes.device, dtype=bboxes.dtype)
        starts = windows[:, None, :2] + steps[None, :, None] * stride
        low = torch.maximum(starts, bboxes[:, None, :2])
        high = torch.minimum(starts + stride, bboxes[:, None, 2:])
        cover = (high - low).clamp(min=0) / stride  # (N, k, 2): x, y
        weight = cover[:, :, 1, None] * cover[:, None, :, 0]
        # A box inside one cell still covers it, so the sum is positive.
        return weight / weight.sum(dim=(1, 2), keepdim=True).clamp(min=1e-6)

    def forward(self, templates: Sequence[Tensor],
                search_feats: Sequence[Tensor]
                ) -> Tuple[List[Tensor], List[Tensor]]:
        """Score maps and distance maps of every level.

        Args:
            templates (Sequence[Tensor]): (N, C, k, k) per level, from
                :meth:`pool_templates`.
            search_feats (Sequence[Tensor]): (N, C, H_l, W_l) per level.

        Returns:
            tuple[list[Tensor], list[Tensor]]: logits (N, 1, H_l, W_l) and
            distances in pixels (N, 4, H_l, W_l) per level.
        """
        return self.decode(self.encode(templates, search_feats))

    def encode(self, templates: Sequence[Tensor],
               search_feats: Sequence[Tensor]) -> List[Tensor]:
        """The tower's features of every level: the search features
        correlated with the template, which both the score and the distance
        layers read.

        Args:
            templates (Sequence[Tensor]): (N, C, k, k) per level.
            search_feats (Sequence[Tensor]): (N, C, H_l, W_l) per level.

        Returns:
            list[Tensor]: (N, feat_channels, H_l, W_l) per level.
        """
        self._check_levels(search_feats)
        search_feats = self._maybe_normalize(search_feats)
        feats = []
        for level, (template, search) in enumerate(
                zip(templates, search_feats)):
            branch = self._branch(level)
            feats.append(branch['tower'](branch['corr'](template, search)))
        return feats

    def decode(self, feats: Sequence[Tensor]
               ) -> Tuple[List[Tensor], List[Tensor]]:
        """Score and distance maps from :meth:`encode`'s features.

        Args:
            feats (Sequence[Tensor]): (N, feat_channels, H_l, W_l) per level.

        Returns:
            tuple[list[Tensor], list[Tensor]]: See :meth:`forward`.
        """
        distances = []
        for level, feat in enumerate(feats):
            reg = self._branch(level)['reg'](feat)
            distances.append(self.scales[level](reg).float() *
                             self.strides[level])
        return self.score_maps(feats), distances

    def score_maps(self, feats: Sequence[Tensor]) -> List[Tensor]:
        """The score logits (N, 1, H_l, W_l) of :meth:`encode`'s features."""
        return [
            self._branch(level)['cls'](feat)
            for level, feat in enumerate(feats)
        ]

    def _maybe_normalize(self, feats: Sequence[Tensor]) -> List[Tensor]:
        if not self.normalize_feats:
            return list(feats)
        return [F.normalize(feat, dim=1) for feat in feats]

    def _check_levels(self, feats: Sequence[Tensor]) -> None:
        if len(feats) != self.num_levels:
            raise ValueError(f'the head was built for {self.num_levels} '
                             f'levels (strides {self.strides}) but got '
                             f'{len(feats)} feature maps')

    def predict(self,
                templates: Sequence[Tensor],
                search_feats: Sequence[Tensor],
                valid_size: Optional[Tuple[int, int]] = None
                ) -> InstanceData:
        """Top candidates over the whole frame, NMS'd across levels.

        Args:
            templates (Sequence[Tensor]): (1, C, k, k) per level.
            search_feats (Sequence[Tensor]): (1, C, H_l, W_l) per level.
            valid_size (tuple[int, int], optional): (height, width) of the
                real image inside a padded input; points in the padding are
                candidates only when no real point is left.

        Returns:
            InstanceData: ``bboxes`` (K, 4) x1, y1, x2, y2 in search-input
            pixels, ``scores`` (K,) probabilities, ``levels`` (K,), sorted by
            score, 1 <= K <= ``max_candidates``.
        """
        cls_scores, distances = self(templates, search_feats)
        return self.predict_by_feat(cls_scores, distances, valid_size)

    def predict_by_feat(self,
                        cls_scores: Sequence[Tensor],
                        distances: Sequence[Tensor],
                        valid_size: Optional[Tuple[int, int]] = None
                        ) -> InstanceData:
        """Decode, keep the ``pre_nms_top_k`` best points per level, NMS.

        Args:
            cls_scores (Sequence[Tensor]): (1, 1, H_l, W_l) per level.
            distances (Sequence[Tensor]): (1, 4, H_l, W_l) per level.
            valid_size (tuple[int, int], optional): See :meth:`predict`.

        Returns:
            InstanceData: See :meth:`predict`.
        """
        if cls_scores[0].size(0) != 1:
            raise ValueError('predict takes one image at a time, got '
                             f'{cls_scores[0].size(0)}')
        boxes, scores, levels = [], [], []
        for level, (score, dist, stride) in enumerate(
                zip(cls_scores, distances, self.strides)):
            points = self._level_points(score, stride)
            prob = score.float().sigmoid().flatten()
            if valid_size is not None:
                outside = (points[:, 0] >= valid_size[1]) | (
                    points[:, 1] >= valid_size[0])
                # -1 ranks padding last; it is dropped after NMS unless
                # nothing real is left.
                prob = prob.masked_fill(outside, -1.0)
            top = prob.topk(min(self.test_cfg['pre_nms_top_k'], prob.numel()))
            dist = dist[0].flatten(1).t()[top.indices]
            boxes.append(decode_points(points[top.indices], dist))
            scores.append(top.values)
            levels.append(torch.full_like(top.indices, level))
        boxes, scores = torch.cat(boxes), torch.cat(scores)
        levels = torch.cat(levels)
        keep = nms(boxes, scores, self.test_cfg['nms_iou_thr'])
        real = keep[scores[keep] >= 0]
        keep = real if len(real) else keep[:1]
        keep = keep[:self.test_cfg['max_candidates']]
        scores = scores.clamp(min=0)
        kept_boxes = boxes[keep]
        if self.test_cfg['box_voting_iou_thr'] is not None:
            kept_boxes = vote_boxes(kept_boxes, boxes, scores,
                                    self.test_cfg['box_voting_iou_thr'])
        return InstanceData(
            bboxes=kept_boxes, scores=scores[keep], levels=levels[keep])
