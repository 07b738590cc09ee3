"""GSTP's global tracker: a Siamese two-stage detector over whole frames.

GSTP (Li et al., 'Globally Spatial-Temporal Perception: A Long-Term Tracking
System') searches every frame in full with a template-guided RPN and RoI
head (:class:`SiamRCNNHead`), so a target lost to occlusion or a jump is
re-found wherever it reappears. Its spatial-temporal perception, a heatmap
network over the frame and the target's last positions
(:class:`MotionHeatmapNet`), re-scores the candidates so that a distractor
far from where the target should be loses to the target near it.
"""
import copy
from typing import Dict, Optional, Sequence

import addict
import torch
from mmdet.structures.bbox import bbox_xyxy_to_cxcywh
from mmengine.runner import load_checkpoint
from mmengine.structures import InstanceData
from mmtrack.models.sot.base import BaseSingleObjectTracker
from mmtrack.registry import MODELS
from mmtrack.utils import (ConfigType, InstanceList, OptConfigType,
                           OptMultiConfig, OptSampleList, SampleList)
from torch import Tensor

from ...utils.config_checks import check_number, merge_cfg_defaults
from ..motion import init_history, push_history
from .whole_frame_utils import (WholeFrameTrackerMixin, check_test_scale,
                                clip_to_image, resize_to_test_scale,
                                single_frames)

DEFAULT_TEST_CFG = dict(
    test_mode='OPE',
    short_side=512,
    max_long_side=1333,
    size_divisor=32,
    motion_weight=0.5)


@MODELS.register_module()
class SiamRCNN(WholeFrameTrackerMixin, BaseSingleObjectTracker):
    """Whole-frame two-stage tracker with optional motion re-scoring.

    ``loss`` takes template/search pairs (whole frames or target windows);
    ``init`` pools the template from the first frame on its box; ``track``
    resizes each frame to ``test_cfg.short_side`` (long side capped at
    ``max_long_side``), detects candidates in all of it and returns the best
    one. With a ``motion_model``, each candidate's score becomes
    ``(1 - w) * detection + w * heatmap at its centre`` (``w`` =
    ``test_cfg.motion_weight``), the heatmap predicted from the frame and
    the tracker's last K positions (``self.memo.past_centres``). All
    candidates of the last frame, in input pixels and by decreasing final
    score, are in ``self.memo.candidates`` (``bboxes``, ``scores``,
    ``det_scores`` and, with a motion model and a positive weight,
    ``motion_scores``).

    Args:
        backbone (dict): Backbone config with one stride-``head.stride``
            output, e.g. ``mmdet.ResNet`` stopped after stage 3 (conv4).
        head (dict): :class:`SiamRCNNHead` config.
        neck (dict, optional): Neck config (e.g. ``mmdet.ChannelMapper``)
            with one output.
        motion_model (dict, optional): :class:`MotionHeatmapNet` config.
            It is trained on its own (``MotionHeatmapTracker``) and frozen
            here.
        motion_checkpoint (str, optional): Checkpoint of the motion model
            (of a ``MotionHeatmapTracker`` or of the bare network), loaded
            when the first video starts, after the runner has loaded the
            tracker's own checkpoint; None keeps the weights that checkpoint
            gives.
        frozen_modules (str | Sequence[str], optional): Modules to freeze.
        test_cfg (dict, optional): ``short_side`` (default 512),
            ``max_long_side`` (1333, None for no cap), ``size_divisor``
            (32), ``test_mode`` ('OPE' or 'VOT') and ``motion_weight``
            (0.5; 0 ignores the motion model).
        data_preprocessor (dict, optional): ``TrackDataPreprocessor``.
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    def __init__(self,
                 backbone: ConfigType,
                 head: ConfigType,
                 neck: OptConfigType = None,
                 motion_model: OptConfigType = None,
                 motion_checkpoint: Optional[str] = None,
                 frozen_modules: Optional[Sequence[str]] = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(data_preprocessor, init_cfg)
        self.test_cfg = merge_cfg_defaults('SiamRCNN', test_cfg,
                                           DEFAULT_TEST_CFG)
        check_test_scale(self.test_cfg)
        check_number('test_cfg.motion_weight', self.test_cfg['motion_weight'],
                     0, 1)
        if motion_checkpoint is not None and motion_model is None:
            raise ValueError('motion_checkpoint given without motion_model')
        self.backbone = MODELS.build(copy.deepcopy(backbone))
        self.neck = (None if neck is None else MODELS.build(
            copy.deepcopy(neck)))
        self.head = MODELS.build(copy.deepcopy(head))
        self.motion_model = None
        if motion_model is not None:
            self.motion_model = MODELS.build(copy.deepcopy(motion_model))
            self.motion_model.requires_grad_(False)
        self.motion_checkpoint = motion_checkpoint
        self._motion_loaded = motion_checkpoint is None
        if frozen_modules is not None:
            self.freeze_module(frozen_modules)

    def train(self, mode: bool = True) -> 'SiamRCNN':
        """Set the mode; the motion model (trained apart) stays in eval."""
        super().train(mode)
        if self.motion_model is not None:
            self.motion_model.eval()
        return self

    def extract_feat(self, img: Tensor) -> Tensor:
        """The one feature map the head works on."""
        feats = self.backbone(img)
        if self.neck is not None:
            feats = self.neck(feats)
        if len(feats) != 1:
            raise ValueError(f'SiamRCNN needs one feature map (stride '
                             f'{self.head.stride}), got {len(feats)}')
        return feats[0]

    def loss(self, inputs: Dict[str, Tensor], data_samples: SampleList,
             **kwargs) -> Dict[str, Tensor]:
        """Losses of a batch of template/search pairs.

        Args:
            inputs (dict[str, Tensor]): ``img`` (N, 1, C, H, W) template
                frames and ``search_img`` (N, 1, C, H', W') search frames.
            data_samples (list[TrackDataSample]): ``gt_instances`` (template
                box; ``labels`` 0 marks a negative pair, whose search frame
                does not show the target) and ``search_gt_instances`` (the
                target's box first).

        Returns:
            dict[str, Tensor]: ``loss_rpn_cls``, ``loss_rpn_bbox``,
            ``loss_roi_cls``, ``loss_roi_bbox`` (box losses weighted by the
            head's ``reg_weight``) and ``acc_roi``.
        """
        template_img, search_img = single_frames(inputs, 'img', 'search_img')
        template_boxes, search_gts = [], []
        for sample in data_samples:
            template_boxes.append(sample.gt_instances.bboxes[0])
            boxes = sample.search_gt_instances.bboxes[:1]
            labels = sample.gt_instances.get('labels')
            if labels is not None and not bool(labels[0]):
                boxes = boxes[:0]
            search_gts.append(InstanceData(bboxes=boxes))
        template_boxes = torch.stack(template_boxes).float()
        if template_img.shape == search_img.shape:
            # One backbone pass over both halves is faster than two.
            feats = self.extract_feat(torch.cat([template_img, search_img]))
            template_feat, search_feat = feats.split(template_img.size(0))
        else:
            template_feat = self.extract_feat(template_img)
            search_feat = self.extract_feat(search_img)
        return self.head.loss(template_feat, search_feat, template_boxes,
                              search_gts, tuple(search_img.shape[-2:]))

    def load_motion_checkpoint(self) -> None:
        """Load ``motion_checkpoint`` into the motion model (once)."""
        if not self._motion_loaded:
            load_checkpoint(
                self.motion_model,
                self.motion_checkpoint,
                map_location='cpu',
                strict=True,
                revise_keys=[(r'^module\.', ''), (r'^motion_net\.', '')])
            self._motion_loaded = True

    def init(self, img: Tensor, bbox: Optional[Tensor] = None) -> None:
        """Pool the template from the first frame.

        Args:
            img (Tensor): (1, C, H, W) first frame.
            bbox (Tensor, optional): (4,) x1, y1, x2, y2 target box; starts
                a fresh ``self.memo``. None reads mmtrack's
                ``self.memo.bbox`` (cx, cy, w, h).

        Raises:
            ValueError: if the box is not finite, has no positive size, or
                lies outside the image.
        """
        if bbox is not None:
            self.memo = addict.Dict()
            self.memo.bbox = bbox_xyxy_to_cxcywh(bbox.float().view(1, 4))[0]
        box = self._first_box(img)
        scaled, factor, _ = resize_to_test_scale(img, self.test_cfg)
        self.memo.template = self.head.pool_template(
            self.extract_feat(scaled), (box * factor)[None])
        self.memo.last_box = box
        if self.motion_model is not None:
            self.load_motion_checkpoint()
            self.memo.past_centres, self.memo.past_valid = init_history(
                (box[:2] + box[2:]) / 2, self.motion_model.num_past)

    def track(self,
              img: Tensor,
              data_samples: OptSampleList = None) -> InstanceList:
        """Search the whole frame for the target.

        Args:
            img (Tensor): (1, C, H, W) current frame.
            data_samples (list[TrackDataSample], optional): Unused beyond
                mmtrack's API.

        Returns:
            list[InstanceData]: One result with ``bboxes`` (1, 4) x1, y1,
            x2, y2 in input pixels (clipped to the image) and ``scores``
            (1,), the chosen candidate's final score. A frame without any
            candidate gives the last box with score 0.
        """
        height, width = img.shape[-2:]
        scaled, factor, valid_size = resize_to_test_scale(img, self.test_cfg)
        candidates = self.head.predict(self.memo.template,
                                       self.extract_feat(scaled), valid_size)
        candidates.bboxes = clip_to_image(candidates.bboxes / factor, height,
                                          width)
        candidates.det_scores = candidates.scores
        if (self.motion_model is not None and len(candidates)
                and self.test_cfg['motion_weight'] > 0):
            candidates = self.rescore(img, candidates)
        self.memo.candidates = candidates
        found = len(candidates) > 0
        if found:
            box, score = candidates.bboxes[0], candidates.scores[0]
            self.memo.last_box = box
        else:
            box, score = self.memo.last_box.to(img), img.new_zeros(())
        if self.motion_model is not None:
            self.memo.past_centres, self.memo.past_valid = push_history(
                self.memo.past_centres, self.memo.past_valid,
                (box[:2] + box[2:]) / 2, found)
        return [
            InstanceData(
                bboxes=box[None].to(img.dtype),
                scores=score[None].to(img.dtype))
        ]

    def rescore(self, img: Tensor, candidates: InstanceData) -> InstanceData:
        """Mix each candidate's detection score with the motion heatmap at
        its centre and sort by the mixed score.

        Args:
            img (Tensor): (1, C, H, W) current frame.
            candidates (InstanceData): ``bboxes`` in input pixels and
                ``det_scores``.

        Returns:
            InstanceData: The candidates with ``motion_scores`` and the
            mixed ``scores``, by decreasing mixed score.
        """
        heatmap = self.motion_model.predict(img, self.memo.past_centres,
                                            self.memo.past_valid)
        boxes = candidates.bboxes
        motion = self.motion_model.predict_by_feat(
            heatmap, (boxes[:, :2] + boxes[:, 2:]) / 2, img.shape[-2:])
        weight = self.test_cfg['motion_weight']
        candidates.motion_scores = motion.to(candidates.det_scores)
        candidates.scores = ((1 - weight) * candidates.det_scores +
                             weight * candidates.motion_scores)
        return candidates[candidates.scores.argsort(descending=True)]
