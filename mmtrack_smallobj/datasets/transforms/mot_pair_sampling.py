"""Single-object training pairs from multi-object (MOTChallenge) videos.

The re-id branch learns identities from MOT-style data, where every object
keeps its identity; the detection head learns from template/search pairs of
one target. :class:`MOTIdentityPairSampling` makes one sample serve both: of
the two frames that mmtrack's ``MOTChallengeDataset`` (any
``BaseVideoDataset``) gives with ``ref_img_sampler=dict(num_ref_imgs=1,
...)``, it picks an identity visible in both as the SOT target and keeps every
object of the search frame with its identity.
"""
import json
from typing import Dict, List, Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmtrack.registry import TRANSFORMS

from ...utils.config_checks import check_number


def num_identities(ann_file: str) -> int:
    """Number of identities a re-id head must classify for a COCO-VID file.

    mmtrack's ``mot2coco.py`` and our synthetic MOT writer number the
    ``instance_id`` of a split from 0, so this is the largest one plus one:
    the ``num_ids`` of ``ReIDEmbeddingHead``.

    Args:
        ann_file (str): A COCO-VID json (e.g.
            ``annotations/train_cocoformat.json``).

    Returns:
        int: ``max(instance_id) + 1``; 0 when no annotation has an id.
    """
    with open(ann_file) as f:
        annotations = json.load(f)['annotations']
    ids = [ann['instance_id'] for ann in annotations
           if ann.get('instance_id') is not None]
    return max(ids) + 1 if ids else 0


def _pair_instance(instance: dict) -> dict:
    """One object as the SOT pipeline carries it, with its identity.

    ``bbox_label`` 1 is the positive-pair label of mmtrack's
    ``PairSampling`` (what ``GlobalSearchTracker.loss`` checks), not the
    category.
    """
    return dict(
        bbox=np.asarray(instance['bbox'], dtype=np.float32),
        bbox_label=np.array(1, dtype=np.int32),
        ignore_flag=int(instance.get('ignore_flag', 0)),
        instance_id=int(instance['instance_id']))


@TRANSFORMS.register_module()
class MOTIdentityPairSampling(BaseTransform):
    """Pick the SOT target of a MOT frame pair; keep all search identities.

    Input: a ``BaseVideoDataset`` sample with ``ref_img_sampler`` of one
    reference frame, i.e. a dict whose values are per-frame lists (the key
    frame, then the reference frame; the key frame alone when the video
    offered no reference). The key frame becomes the template frame, the
    reference frame the search frame.

    Output, in the layout of mmtrack's ``PairSampling`` (two-element lists
    of every key, ``instances`` with ``bbox`` and ``bbox_label`` 1):

    - template frame: the target only;
    - search frame: the target first, then every other object of the frame,
      each with its ``instance_id`` (and ``ignore_flag``, which
      ``PackTrackInputs`` uses to move crowd boxes aside).

    With ``LoadTrackAnnotations(with_instance_id=True)`` and
    ``PackTrackInputs(ref_prefix='search', num_template_frames=1)`` the
    target is ``search_gt_instances.bboxes[0]`` and all identities are in
    ``search_gt_instances.instances_id``.

    The target is drawn uniformly (numpy's RNG, which mmengine seeds) from
    the identities in both frames that are not ignored and whose
    ``visibility`` (1 where the dataset gives none) is at least
    ``min_visibility``, so that the template shows the object. A pair with
    none returns None, and mmengine's dataset then draws another sample.

    Args:
        min_visibility (float): Smallest visible fraction of the target in
            both frames. Defaults to 0.3.
    """

    def __init__(self, min_visibility: float = 0.3) -> None:
        check_number('min_visibility', min_visibility, 0, 1)
        self.min_visibility = min_visibility

    def _candidates(self, instances: List[dict]) -> Dict[int, dict]:
        """Instances that may be the target, by identity."""
        out = {}
        for instance in instances:
            if (instance.get('ignore_flag', 0)
                    or instance.get('instance_id', -1) < 0
                    or instance.get('visibility', 1.0) < self.min_visibility):
                continue
            out[int(instance['instance_id'])] = instance
        return out

    def transform(self, results: dict) -> Optional[dict]:
        """Make the SOT pair.

        Args:
            results (dict): Per-frame lists from ``BaseVideoDataset``.

        Returns:
            dict, optional: Per-frame lists of two frames, or None when no
            identity is a usable target in both frames.

        Raises:
            ValueError: If ``results`` is not one or two frames of a video
                data set.
        """
        frames = results.get('instances')
        if (not isinstance(frames, list) or not 1 <= len(frames) <= 2
                or not all(isinstance(f, list) for f in frames)):
            raise ValueError(
                'MOTIdentityPairSampling takes the per-frame lists of a video '
                'data set sampled with ref_img_sampler=dict(num_ref_imgs=1, '
                "...); got 'instances' of type "
                f'{type(frames).__name__}')
        lists = {key: list(value) for key, value in results.items()}
        if len(frames) == 1:
            # No reference frame in range: the key frame is both, as
            # VisiblePairSampling does when nothing else is visible.
            lists = {key: value * 2 for key, value in lists.items()}
            frames = lists['instances']
        template = self._candidates(frames[0])
        search = self._candidates(frames[1])
        shared = sorted(set(template) & set(search))
        if not shared:
            return None
        target = shared[np.random.randint(len(shared))]
        target_search = search[target]
        others = [
            _pair_instance(inst) for inst in frames[1]
            if inst is not target_search
        ]
        lists['instances'] = [[_pair_instance(template[target])],
                              [_pair_instance(target_search)] + others]
        return lists

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'min_visibility={self.min_visibility})')
