"""The re-id parts of :class:`GlobalSearchTracker`: the 'reid' target
strategy at test time and the identity loss in training.

DMTrack tells the target from look-alike distractors by tracking every
candidate and keeping the target's identity by appearance. The tracker
delegates here so that its own module stays the detector: what the
embeddings are read from (the stride-4 level, boxes at the test scale), how
the association is started and fed, where identities come from in a
training sample, and how the two tasks' losses are combined.
"""
import copy
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.structures import InstanceData
from mmtrack.registry import MODELS
from mmtrack.utils import SampleList
from torch import Tensor, nn

from ..trackers.reid_association_tracker import (ReIDAssociationTracker,
                                                 TargetState)

LossDict = Dict[str, Tensor]


def check_reid_parts(strategy: str, reid_head: Optional[dict],
                     association: Optional[dict],
                     loss_weighting: Optional[dict]) -> None:
    """Refuse configs whose re-id parts do not fit together.

    Args:
        strategy (str): ``test_cfg.strategy``.
        reid_head (dict, optional): ``ReIDEmbeddingHead`` config.
        association (dict, optional): ``ReIDAssociationTracker`` config.
        loss_weighting (dict, optional): Loss weighting config.

    Raises:
        ValueError: 'reid' without a re-id head or an association, an
            association or a weighting without a re-id head.
    """
    if strategy == 'reid':
        missing = [
            f'model.{name}=dict(type={kind!r}, ...)'
            for name, kind, cfg in (
                ('reid_head', 'ReIDEmbeddingHead', reid_head),
                ('association', 'ReIDAssociationTracker', association))
            if cfg is None
        ]
        if missing:
            raise ValueError(
                "test_cfg.strategy='reid' picks the target by re-id "
                'association and needs a re-id head and an association; '
                f"set {' and '.join(missing)}, or use strategy 'top1' or "
                "'position'")
    for name, cfg in (('association', association),
                      ('loss_weighting', loss_weighting)):
        if cfg is not None and reid_head is None:
            raise ValueError(f'model.{name} is set but model.reid_head is '
                             'not: it has no embeddings to work on')


def build_reid_head(cfg: dict, strides: Tuple[int, ...]) -> nn.Module:
    """Build the re-id head and check that it reads the first level.

    Args:
        cfg (dict): ``ReIDEmbeddingHead`` config (not modified).
        strides (tuple[int]): Strides of the detection head's levels; the
            first level of ``extract_feat`` is the one embedded.

    Returns:
        nn.Module: The head.
    """
    head = MODELS.build(copy.deepcopy(cfg))
    if head.stride != strides[0]:
        raise ValueError(
            f'the re-id head embeds the first feature level, whose stride is '
            f'{strides[0]} (head.strides={list(strides)}), but it was built '
            f'with stride={head.stride}')
    return head


def build_association(cfg: dict) -> ReIDAssociationTracker:
    """A fresh association (it keeps per-video state) from a copy of
    ``cfg``."""
    return MODELS.build(copy.deepcopy(cfg))


def init_association(cfg: dict, reid_head: nn.Module, feat: Tensor,
                     box_scaled: Tensor, box: Tensor,
                     frame_id: int) -> ReIDAssociationTracker:
    """Start the association of a video on the first-frame box.

    Args:
        cfg (dict): ``ReIDAssociationTracker`` config.
        reid_head (nn.Module): The re-id head.
        feat (Tensor): (1, C, H, W) first level of the test-scale frame.
        box_scaled (Tensor): (4,) the box at the test scale (network input
            pixels), where the embedding is read.
        box (Tensor): (4,) the box in image pixels, the association's
            coordinates.
        frame_id (int): Index of the first frame.

    Returns:
        ReIDAssociationTracker: Started on the target.
    """
    association = build_association(cfg)
    embedding = reid_head.embed_boxes(feat, box_scaled.view(1, 4))[0]
    association.init(box, embedding, frame_id)
    return association


def associate(association: ReIDAssociationTracker, reid_head: nn.Module,
              feat: Tensor, boxes_scaled: Tensor, candidates: InstanceData,
              frame_id: int) -> TargetState:
    """Embed one frame's candidates and associate them.

    Args:
        association (ReIDAssociationTracker): The video's association.
        reid_head (nn.Module): The re-id head.
        feat (Tensor): (1, C, H, W) first level of the test-scale frame.
        boxes_scaled (Tensor): (K, 4) candidates at the test scale.
        candidates (InstanceData): The same candidates with ``bboxes`` in
            image pixels and ``scores``.
        frame_id (int): Index of this frame.

    Returns:
        TargetState: The target's box (image pixels), score and absence,
        and all tracklets.
    """
    embeddings = reid_head.embed_boxes(feat, boxes_scaled)
    return association.update(candidates.bboxes, candidates.scores,
                              embeddings, frame_id)


def search_identities(
        data_samples: SampleList
) -> Optional[Tuple[List[Tensor], List[Tensor]]]:
    """All boxes and identities of each sample's search frame.

    Samples from MOT data (``MOTIdentityPairSampling``) carry
    ``search_gt_instances.instances_id``; SOT pairs do not, and give no
    boxes here.

    Args:
        data_samples (list[TrackDataSample]): A training batch.

    Returns:
        tuple[list[Tensor], list[Tensor]], optional: Per sample, (K_i, 4)
        boxes and (K_i,) identities; None when no sample has identities.
    """
    boxes, ids, found = [], [], False
    for sample in data_samples:
        search = sample.search_gt_instances
        sample_boxes = search.bboxes
        if 'instances_id' in search:
            found = True
            boxes.append(sample_boxes.float().reshape(-1, 4))
            ids.append(search.instances_id.long().reshape(-1))
        else:
            boxes.append(sample_boxes.new_zeros((0, 4)).float())
            ids.append(
                torch.zeros(0, dtype=torch.long, device=sample_boxes.device))
    return (boxes, ids) if found else None


def reid_losses(reid_head: nn.Module, feat: Tensor,
                data_samples: SampleList) -> LossDict:
    """The identity loss of the search frames that have identities.

    Args:
        reid_head (nn.Module): The re-id head.
        feat (Tensor): (N, C, H, W) first level of the search frames.
        data_samples (list[TrackDataSample]): The batch.

    Returns:
        dict[str, Tensor]: ``loss_reid``, or empty when no sample has
        identities (an SOT-only batch).
    """
    targets = search_identities(data_samples)
    if targets is None:
        return {}
    return reid_head.loss(feat, *targets)


def combine_losses(det_losses: LossDict, id_losses: LossDict,
                   weighting: Optional[nn.Module]) -> LossDict:
    """Detection and re-id losses as mmengine sums them.

    Args:
        det_losses (dict): The detection head's losses.
        id_losses (dict): ``loss_reid`` or empty.
        weighting (nn.Module, optional): ``UncertaintyLossWeighting`` or
            ``FixedLossWeighting``; None keeps both dicts as they are (a
            plain sum).

    Returns:
        dict[str, Tensor]: The losses to optimise.
    """
    if weighting is None:
        return {**det_losses, **id_losses}
    return weighting(det_losses, id_losses)
