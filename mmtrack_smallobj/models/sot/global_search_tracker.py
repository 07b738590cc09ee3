"""A single-object tracker that searches the whole frame every frame.

Local-window trackers lose a target for good once it leaves their window
(occlusion, out of view, a fast jump). :class:`GlobalSearchTracker` never
crops: the template is pooled from the first frame's features on the given
box, and every later frame is searched in full at a fixed test scale, so the
target is re-found wherever it reappears. With a re-id head and an
association (DMTrack's MOT philosophy) it tracks every candidate and keeps
the target's identity by appearance (:mod:`.reid_strategy`).
"""
import copy
from typing import Dict, List, Optional, Sequence

import torch
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.structures import InstanceData
from mmtrack.models.sot.base import BaseSingleObjectTracker
from mmtrack.registry import MODELS
from mmtrack.utils import (InstanceList, OptConfigType, OptMultiConfig,
                           SampleList)
from torch import Tensor

from ...utils.config_checks import (check_choice, check_number,
                                    merge_cfg_defaults)
from . import reid_strategy as reid
from .box_smoothing import (check_box_smoothing_cfg, log_size_and_aspect,
                            smooth_box)
from .candidate_verification import (check_verification_cfg, mean_colours,
                                     rank_candidates)
from .first_frame_adaptation import (adapt_head, check_adaptation_cfg,
                                     check_size_calibration_cfg,
                                     check_small_target_zoom_cfg,
                                     size_calibration, zoomed_short_side)
from .whole_frame_utils import (WholeFrameTrackerMixin, check_test_scale,
                                clip_to_image, feature_precision,
                                head_in_float32, other_object_boxes,
                                resize_to_test_scale, single_frames,
                                visible_target_boxes)
from .whole_frame_utils import test_scale_shape  # noqa: F401 (re-exported)

DEFAULT_TEST_CFG = dict(
    test_mode='OPE',
    short_side=512,
    max_long_side=1333,
    size_divisor=32,
    strategy='top1',
    position_top_k=5,
    absent_score_thr=None,
    first_frame_adaptation=None,
    size_calibration=None,
    small_target_zoom=None,
    verification=None,
    box_smoothing=None)
STRATEGIES = ('top1', 'position', 'reid')
DEFAULT_TRAIN_CFG = dict(other_objects='ignore', hidden_part='ignore')
OTHER_OBJECTS = ('ignore', 'negative')
HIDDEN_PARTS = ('ignore', 'target')


@MODELS.register_module()
class GlobalSearchTracker(WholeFrameTrackerMixin, BaseSingleObjectTracker):
    """Whole-frame single-object tracker (DMTrack's detector stage).

    ``loss`` takes template/search pairs of whole frames; ``init`` pools the
    template from the first frame on its box; ``track`` resizes each frame
    so its short side is ``test_cfg.short_side`` (long side capped at
    ``max_long_side``), searches all of it and returns the best candidate
    box and its score. All candidates of the last frame (in input pixels)
    are kept in ``self.memo.candidates`` for association and display.

    With ``reid_head`` the model also learns identity embeddings on the
    first (stride-4) level, from the search frames of samples that carry
    identities (``search_gt_instances.instances_id``, from
    ``MOTIdentityPairSampling``); SOT pairs train detection only. Without
    ``reid_head``, ``association`` and ``loss_weighting`` (all None by
    default) the model is the plain detector. With the 'reid' strategy the
    video's association is ``self.memo.association`` and its tracklets (in
    input pixels) ``self.memo.tracklets``.

    Args:
        backbone (dict): Backbone config, e.g. ``HighResShallowNet`` or
            ``DLA``.
        neck (dict, optional): Neck config; its outputs (or the backbone's)
            must be the head's levels.
        head (dict): :class:`PointGlobalSearchHead` config.
        reid_head (dict, optional): :class:`ReIDEmbeddingHead` config; its
            ``stride`` must be the first level's and its ``in_channels``
            that level's channels.
        association (dict, optional): :class:`ReIDAssociationTracker`
            config; a fresh one is built for every video.
        loss_weighting (dict, optional): ``UncertaintyLossWeighting`` or
            ``FixedLossWeighting`` config balancing the detection and re-id
            losses; None sums them.
        frozen_modules (str | Sequence[str], optional): Modules to freeze.
        train_cfg (dict, optional): ``other_objects``: what the score maps
            learn at the other objects of a search frame (MOT-style data,
            where every object follows the target's box): 'ignore' (the
            default) leaves their points out of the classification loss,
            as DMTrack's detector finds every look-alike and leaves telling
            them apart to re-id; 'negative' makes them background. SOT
            pairs carry the target alone, so it changes nothing there.
            ``hidden_part``: where a search frame's packed
            ``target_visible_bbox`` (from ``SeqTargetOcclusion``) shows
            part of the box hidden: 'ignore' (the default) puts the score
            maps' target points on the visible part and ignores the hidden
            rest; 'target' trains the whole box as if nothing hid it.
            Frames without it train on the whole box either way.
        test_cfg (dict, optional): ``short_side`` (default 512),
            ``max_long_side`` (1333, None for no cap), ``size_divisor``
            (32), ``test_mode`` ('OPE' or 'VOT'); ``strategy``, how the
            target is picked among the candidates (DMTrack's Table 1):
            'top1' (the highest score, default), 'position' (the one
            nearest the last prediction among the ``position_top_k``
            best) or 'reid' (the ``association`` of every candidate by
            motion and re-id, which also reports the target absent; needs
            ``reid_head`` and ``association``); ``absent_score_thr``:
            below it the target is reported absent (None, the default,
            never does); ``first_frame_adaptation`` (e.g.
            ``dict(steps=20, lr=5e-3)``), ``size_calibration``
            (``dict(max_ratio=2.0)``) and ``small_target_zoom``
            (``dict(target_size=48, max_zoom=2.0)``), each None by
            default: a per-video copy of the score layers adapted to the
            first frame, later boxes rescaled by the head's error on the
            first box, and a larger short side for a small first box
            (:mod:`.first_frame_adaptation`);
            ``verification``: None (the default) or
            ``dict(feature_weight=0.3, colour_weight=0.2)``, which ranks
            the candidates by score plus their likeness to the first box
            before the strategy picks one and, with
            ``confidence='ranking'``, reports the chosen one's rank score
            (:mod:`.candidate_verification`);
            ``box_smoothing``: None (the default) or ``dict(size_lr=0.5,
            aspect_prior=0.5)``, which blends the reported box's size into
            the last one's and its aspect ratio towards the first box's
            (:mod:`.box_smoothing`).
        data_preprocessor (dict, optional): ``TrackDataPreprocessor``.
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: OptConfigType = None,
                 reid_head: OptConfigType = None,
                 association: OptConfigType = None,
                 loss_weighting: OptConfigType = None,
                 frozen_modules: Optional[Sequence[str]] = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(data_preprocessor, init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.head = MODELS.build(head)
        self.test_cfg = merge_cfg_defaults('GlobalSearchTracker', test_cfg,
                                           DEFAULT_TEST_CFG)
        check_choice('test_cfg.strategy', self.test_cfg['strategy'],
                     STRATEGIES)
        reid.check_reid_parts(self.test_cfg['strategy'], reid_head,
                              association, loss_weighting)
        self.reid_head = (None if reid_head is None else
                          reid.build_reid_head(reid_head, self.head.strides))
        self.association_cfg = copy.deepcopy(association)
        if association is not None:
            # Built once now so that a bad config fails here, not on the
            # first video.
            reid.build_association(association)
        self.loss_weighting = (None if loss_weighting is None else
                               MODELS.build(copy.deepcopy(loss_weighting)))
        # An integer: it slices the sorted candidates.
        check_number('test_cfg.position_top_k',
                     self.test_cfg['position_top_k'], 1, integer=True)
        check_test_scale(self.test_cfg)
        self.adaptation_cfg = check_adaptation_cfg(
            self.test_cfg['first_frame_adaptation'])
        self.size_calibration_cfg = check_size_calibration_cfg(
            self.test_cfg['size_calibration'])
        self.zoom_cfg = check_small_target_zoom_cfg(
            self.test_cfg['small_target_zoom'])
        self.verification_cfg = check_verification_cfg(
            self.test_cfg['verification'], len(self.head.strides))
        self.box_smoothing_cfg = check_box_smoothing_cfg(
            self.test_cfg['box_smoothing'])
        self.train_cfg = merge_cfg_defaults('GlobalSearchTracker', train_cfg,
                                            DEFAULT_TRAIN_CFG, 'train_cfg')
        for key, choices in (('other_objects', OTHER_OBJECTS),
                             ('hidden_part', HIDDEN_PARTS)):
            check_choice(f'train_cfg.{key}', self.train_cfg[key], choices)
        if frozen_modules is not None:
            self.freeze_module(frozen_modules)

    def extract_feat(self, img: Tensor) -> List[Tensor]:
        """Backbone (and neck) features of a batch of frames, float32 (see
        :func:`head_in_float32`)."""
        with feature_precision(self, img.device.type):
            feats = self.backbone(img)
            if self.with_neck:
                feats = self.neck(feats)
        return [feat.float() for feat in feats]

    @head_in_float32
    def loss(self, inputs: Dict[str, Tensor], data_samples: SampleList,
             **kwargs) -> Dict[str, Tensor]:
        """Losses of a batch of whole-frame template/search pairs.

        Args:
            inputs (dict[str, Tensor]): ``img`` (N, 1, C, H, W) template
                frames and ``search_img`` (N, 1, C, H', W') search frames.
            data_samples (list[TrackDataSample]): With ``gt_instances``
                (template box, label 1 for a positive pair) and
                ``search_gt_instances`` (the target's box first; from MOT
                data, every object of the search frame follows, with
                ``instances_id``); ``search_target_visible_bbox`` in the
                metainfo, from ``SeqTargetOcclusion``: see ``train_cfg``.

        Returns:
            dict[str, Tensor]: Per-level losses of the head; with a re-id
            head, ``loss_reid`` too when a sample has identities, both
            passed through ``loss_weighting`` when it is set.
        """
        template_img, search_img = single_frames(inputs, 'img', 'search_img')
        template_boxes, search_boxes = [], []
        for sample in data_samples:
            labels = sample.gt_instances.get('labels')
            if labels is not None and not bool(labels[0]):
                raise ValueError(
                    'GlobalSearchTracker trains on positive pairs only (the '
                    'max-point loss needs the target in the search frame); '
                    'set pos_prob=1.0 in the pair sampling transform')
            template_boxes.append(sample.gt_instances.bboxes[0])
            search_boxes.append(sample.search_gt_instances.bboxes[0])
        template_boxes = torch.stack(template_boxes).float()
        search_boxes = torch.stack(search_boxes).float()
        ignore_boxes = None
        if self.train_cfg['other_objects'] == 'ignore':
            ignore_boxes = other_object_boxes(data_samples)
        if template_img.shape == search_img.shape:
            # One backbone pass over both halves is faster than two.
            feats = self.extract_feat(torch.cat([template_img, search_img]))
            num = template_img.size(0)
            template_feats = [feat[:num] for feat in feats]
            search_feats = [feat[num:] for feat in feats]
        else:
            template_feats = self.extract_feat(template_img)
            search_feats = self.extract_feat(search_img)
        visible_boxes = None
        if self.train_cfg['hidden_part'] == 'ignore':
            visible_boxes = visible_target_boxes(data_samples, search_boxes)
        losses = self.head.loss(template_feats, search_feats,
                                template_boxes, search_boxes, ignore_boxes,
                                visible_boxes)
        if self.reid_head is None:
            return losses
        id_losses = reid.reid_losses(self.reid_head, search_feats[0],
                                     data_samples)
        return reid.combine_losses(losses, id_losses, self.loss_weighting)

    @head_in_float32
    def init(self, img: Tensor) -> None:
        """Pool the template from the first frame on ``self.memo.bbox``.

        Args:
            img (Tensor): (1, C, H, W) first frame.

        Raises:
            ValueError: if the box is not finite, has no positive size, or
                lies outside the image.
        """
        box = self._first_box(img)
        height, width = img.shape[-2:]
        # The scale every frame of this video is searched at.
        self.memo.scale_cfg = self.test_cfg
        if self.zoom_cfg is not None:
            self.memo.scale_cfg = dict(
                self.test_cfg,
                short_side=zoomed_short_side(box, height, width,
                                             self.test_cfg, self.zoom_cfg))
        scaled, factor, valid_size = resize_to_test_scale(
            img, self.memo.scale_cfg)
        feats = self.extract_feat(scaled)
        self.memo.templates = self.head.pool_templates(
            feats, (box * factor)[None])
        # The head that searches this video's frames.
        self.memo.head = self.head if self.adaptation_cfg is None else (
            adapt_head(self.head, self.memo.templates, feats, box * factor,
                       self.adaptation_cfg))
        self.memo.size_ratio = None
        if self.size_calibration_cfg is not None:
            first = self.memo.head.predict(self.memo.templates, feats,
                                           valid_size)
            self.memo.size_ratio = tuple(
                size_calibration(first.bboxes, box * factor,
                                 self.size_calibration_cfg['max_ratio'])
                .tolist())
        if self.verification_cfg is not None:
            self.memo.first_colour = mean_colours(
                img, box[None], self.verification_cfg['colour_ratio'])[0]
        self.memo.image_size = (height, width)
        self.memo.last_box = box
        if self.box_smoothing_cfg is not None:
            self.memo.log_size, self.memo.first_log_aspect = (
                log_size_and_aspect(box))
        self.memo.absent = False
        if self.test_cfg['strategy'] == 'reid':
            # Attribute assignment: addict's constructor would rebuild the
            # tracker's tuples.
            self.memo.association = reid.init_association(
                self.association_cfg, self.reid_head, feats[0], box * factor,
                box, self._frame_id())
            self.memo.tracklets = self.memo.association.tracklets

    def _frame_id(self) -> int:
        """This frame's index: mmtrack's ``memo.frame_id``, else one past
        the association's last frame (direct ``init``/``track`` calls)."""
        frame_id = self.memo.get('frame_id')
        if frame_id is not None:
            return int(frame_id)
        association = self.memo.get('association')
        last = None if association is None else association.frame_id
        return 0 if last is None else last + 1

    @head_in_float32
    def track(self, img: Tensor, data_samples: SampleList) -> InstanceList:
        """Search the whole frame for the target.

        Args:
            img (Tensor): (1, C, H, W) current frame.
            data_samples (list[TrackDataSample]): Unused beyond the API.

        Returns:
            list[InstanceData]: One result with ``bboxes`` (1, 4) x1, y1,
            x2, y2 in input pixels (clipped to the image; with
            ``box_smoothing``, resized about its centre), ``scores`` (1,),
            the chosen candidate's probability (its rank score with
            ``verification.confidence='ranking'``), and ``absent`` (1,)
            bool, True when the score is below
            ``test_cfg.absent_score_thr`` or, with the 'reid' strategy,
            when no candidate was the target (the box is then the
            association's motion prediction, the score 0).
            A frame where nothing scores well still returns its best
            candidate, with its low score.
        """
        height, width = img.shape[-2:]
        scaled, factor, valid_size = resize_to_test_scale(
            img, self.memo.scale_cfg)
        feats = self.extract_feat(scaled)
        candidates = self.memo.head.predict(self.memo.templates, feats,
                                            valid_size)
        boxes_scaled = candidates.bboxes
        if self.memo.get('size_ratio') is not None:
            # Widths and heights scaled about the centres.
            resized = HorizontalBoxes(boxes_scaled, clone=True)
            resized.resize_(self.memo.size_ratio)
            boxes_scaled = resized.tensor
        boxes = clip_to_image(boxes_scaled / factor, height, width)
        candidates.bboxes = boxes
        if self.verification_cfg is not None:
            candidates, boxes_scaled = rank_candidates(
                self.head, feats, self.memo.templates, img, candidates,
                boxes_scaled, self.memo.first_colour, self.verification_cfg)
            boxes = candidates.bboxes
        self.memo.candidates = candidates
        if self.test_cfg['strategy'] == 'reid':
            state = reid.associate(self.memo.association, self.reid_head,
                                   feats[0], boxes_scaled, candidates,
                                   self._frame_id())
            self.memo.tracklets = state.tracklets
            box = clip_to_image(boxes.new_tensor(state.box), height, width)
            score = boxes.new_tensor(state.score)
            absent = state.absent
        else:
            index = self._select(candidates)
            confidence = (self.verification_cfg or {}).get('confidence')
            scores = (candidates.ranking_scores if confidence == 'ranking'
                      else candidates.scores)
            box, score = boxes[index], scores[index]
            absent = False
        threshold = self.test_cfg['absent_score_thr']
        absent = absent or (threshold is not None
                            and float(score) < threshold)
        self.memo.absent = absent
        if not absent:
            if self.box_smoothing_cfg is not None:
                box, self.memo.log_size = smooth_box(
                    box, self.memo.log_size, self.memo.first_log_aspect,
                    (height, width), self.box_smoothing_cfg)
            # An absent frame's box is a guess: the position strategy
            # keeps following the last box that was believed.
            self.memo.last_box = box
        result = InstanceData(
            bboxes=box[None].to(img.dtype),
            scores=score[None].to(img.dtype),
            absent=torch.tensor([absent], device=img.device))
        return [result]

    def _select(self, candidates: InstanceData) -> int:
        """Index of the candidate the ``strategy`` picks (scores sorted)."""
        if self.test_cfg['strategy'] == 'top1' or len(candidates) == 1:
            return 0
        top = candidates.bboxes[:self.test_cfg['position_top_k']]
        last = self.memo.last_box.to(top)
        centres = (top[:, :2] + top[:, 2:]) / 2
        distance = (centres - (last[:2] + last[2:]) / 2).norm(dim=1)
        return int(distance.argmin())
