"""Training (and a motion-only evaluation) of GSTP's motion model.

:class:`MotionHeatmapNet` is trained apart from the detector, on samples of
``TrajectoryHeatmapSampling``: a frame, the heatmaps of the target's last K
positions and a Gaussian at its current one. :class:`MotionHeatmapTracker`
is the mmengine model that ``mim train mmtrack`` runs for it; tested on
videos it tracks with the motion model alone (the heatmap's peak, the box
size kept from the first frame), a diagnostic of how much the motion model
knows without the detector. Its checkpoint is what ``SiamRCNN``'s
``motion_checkpoint`` loads.
"""
import copy
from typing import Dict

import numpy as np
import torch
from mmengine.structures import InstanceData
from mmtrack.models.sot.base import BaseSingleObjectTracker
from mmtrack.registry import MODELS
from mmtrack.utils import (ConfigType, InstanceList, OptConfigType,
                           OptMultiConfig, OptSampleList, SampleList)
from torch import Tensor

from ...utils.config_checks import merge_cfg_defaults
from ..motion import init_history, push_history
from .whole_frame_utils import (WholeFrameTrackerMixin, clip_to_image,
                               single_frames)

DEFAULT_TEST_CFG = dict(test_mode='OPE')


def _stacked(data_samples: SampleList, key: str, like: Tensor) -> Tensor:
    """The samples' ``key`` metainfo arrays stacked on ``like``'s device."""
    arrays = []
    for sample in data_samples:
        if key not in sample.metainfo:
            raise KeyError(
                f'data sample has no {key!r}: pack it with '
                f"PackTrackInputs(meta_keys=('past_heatmaps', "
                f"'target_heatmap')) after TrajectoryHeatmapSampling")
        arrays.append(np.asarray(sample.metainfo[key], dtype=np.float32))
    return torch.from_numpy(np.stack(arrays)).to(like)


@MODELS.register_module()
class MotionHeatmapTracker(WholeFrameTrackerMixin, BaseSingleObjectTracker):
    """The motion model as a trainable and testable mmtrack model.

    Args:
        motion_net (dict): :class:`MotionHeatmapNet` config.
        test_cfg (dict, optional): ``test_mode`` ('OPE' or 'VOT').
        data_preprocessor (dict, optional): ``TrackDataPreprocessor``; use
            the same normalisation as the ``SiamRCNN`` it will serve.
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    def __init__(self,
                 motion_net: ConfigType,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(data_preprocessor, init_cfg)
        self.test_cfg = merge_cfg_defaults('MotionHeatmapTracker', test_cfg,
                                           DEFAULT_TEST_CFG)
        self.motion_net = MODELS.build(copy.deepcopy(motion_net))

    def loss(self, inputs: Dict[str, Tensor], data_samples: SampleList,
             **kwargs) -> Dict[str, Tensor]:
        """Heatmap loss of a batch.

        Args:
            inputs (dict[str, Tensor]): ``img`` (N, 1, 3, H, W) frames at
                the network's ``input_size``.
            data_samples (list[TrackDataSample]): ``past_heatmaps`` (K, H,
                W) and ``target_heatmap`` (1, H / s, W / s) in metainfo.

        Returns:
            dict[str, Tensor]: ``loss_heatmap``.
        """
        img, = single_frames(inputs, 'img')
        past = _stacked(data_samples, 'past_heatmaps', img)
        target = _stacked(data_samples, 'target_heatmap', img)
        if past.shape[-2:] != img.shape[-2:]:
            raise ValueError(f'past heatmaps {tuple(past.shape[-2:])} do not '
                             f'cover the frame {tuple(img.shape[-2:])}')
        return self.motion_net.loss(img, past, target)

    def init(self, img: Tensor) -> None:
        """Start the track at ``self.memo.bbox`` (cx, cy, w, h).

        Raises:
            ValueError: for a first box without positive size, not finite
                or outside the image.
        """
        box = self._first_box(img)
        self.memo.size = box[2:] - box[:2]
        self.memo.past_centres, self.memo.past_valid = init_history(
            (box[:2] + box[2:]) / 2, self.motion_net.num_past)

    def track(self,
              img: Tensor,
              data_samples: OptSampleList = None) -> InstanceList:
        """Follow the heatmap's peak.

        Args:
            img (Tensor): (1, 3, H, W) current frame.
            data_samples (list[TrackDataSample], optional): Unused.

        Returns:
            list[InstanceData]: ``bboxes`` (1, 4), the first box's size
            centred on the peak, clipped to the image, and ``scores`` (1,),
            the peak's value.
        """
        height, width = img.shape[-2:]
        heatmap = self.motion_net.predict(img, self.memo.past_centres,
                                          self.memo.past_valid)
        centre, value = self.motion_net.peak(heatmap, (height, width))
        half = self.memo.size.to(centre) / 2
        box = clip_to_image(torch.cat([centre - half, centre + half]), height,
                            width)
        self.memo.past_centres, self.memo.past_valid = push_history(
            self.memo.past_centres, self.memo.past_valid, centre, True)
        return [
            InstanceData(
                bboxes=box[None].to(img.dtype),
                scores=value.view(1).to(img.dtype))
        ]
