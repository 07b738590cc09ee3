"""DaSiamRPN (Zhu et al., ECCV 2018): SiamRPN++ with local-to-global search.

Training is SiamRPN++'s on distractor-aware pairs
(``DistractorAwarePairSampling``). At test time the tracker searches locally,
as SiamRPN++, while it is confident; when the best score falls below a
threshold it holds the last box and enlarges the search region step by step,
up to the whole frame, until the target is found again, then shrinks back to
the normal search region.

The region grows at the template's scale: the network input grows with it
(score maps get larger, anchors and windows are made for each size), so a
small target is not shrunk below the network's stride. Past
``max_search_size`` the input stops growing and the region is downscaled
into it.
"""
import math
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Tuple, Union

import torch
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from torch import Tensor

from mmtrack.models.sot import SiamRPN
from mmtrack.registry import MODELS
from mmtrack.utils import (InstanceList, OptConfigType, OptMultiConfig,
                           SampleList)

from ...utils.config_checks import check_number

# score_thr: below it the target counts as lost; growth: region multiplier per
# step; max_steps: steps before the region stops growing; max_search_size:
# largest network input (pixels).
LOCAL_TO_GLOBAL_DEFAULTS = dict(
    score_thr=0.3, growth=1.5, max_steps=4, max_search_size=767)


def check_local_to_global(cfg: Optional[dict], search_size: int) -> dict:
    """Validate ``test_cfg.local_to_global`` and fill in its defaults.

    Args:
        cfg (dict, optional): The user's settings (not modified); None for
            the defaults, :data:`LOCAL_TO_GLOBAL_DEFAULTS`.
        search_size (int): The normal network search input size.

    Returns:
        dict: A new dict with every key of the defaults.

    Raises:
        ValueError: On an unknown key or a value out of range.
    """
    cfg = dict(cfg or {})
    unknown = sorted(set(cfg) - set(LOCAL_TO_GLOBAL_DEFAULTS))
    if unknown:
        raise ValueError(f'unknown local_to_global keys {unknown}; known: '
                         f'{sorted(LOCAL_TO_GLOBAL_DEFAULTS)}')
    out = dict(LOCAL_TO_GLOBAL_DEFAULTS, **cfg)
    check_number('score_thr', out['score_thr'], 0, 1)
    check_number('growth', out['growth'], 1, low_open=True)
    check_number('max_steps', out['max_steps'], 0, integer=True)
    check_number('max_search_size (at least the normal search size)',
                 out['max_search_size'], search_size)
    return out


@MODELS.register_module()
class DaSiamRPN(SiamRPN):
    """SiamRPN++ with DaSiamRPN's local-to-global search at test time.

    Per-video state lives in ``self.memo``: ``search_step`` (0 for the normal
    region), ``search_region`` (side of the last search crop, in image
    pixels) and ``search_input`` (its network input size). Each result
    carries ``absent`` (1,) bool, True on frames where the target was not
    found; those frames keep the last box, with their (low) score.

    Args:
        backbone (dict): Backbone config.
        neck (dict, optional): Neck config.
        head (dict, optional): ``SiameseRPNHead`` config.
        train_cfg (dict, optional): As ``SiamRPN``'s (``rpn`` sub-dict).
        test_cfg (dict, optional): As ``SiamRPN``'s, plus an optional
            ``local_to_global`` dict with ``score_thr``, ``growth``,
            ``max_steps`` and ``max_search_size`` (see
            :data:`LOCAL_TO_GLOBAL_DEFAULTS`).
        frozen_modules (str | list[str], optional): Modules to freeze.
        data_preprocessor (dict, optional): ``TrackDataPreprocessor`` config.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 frozen_modules: Optional[Union[List[str], Tuple[str],
                                                str]] = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            frozen_modules=frozen_modules,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.local_to_global = check_local_to_global(
            test_cfg.get('local_to_global'), test_cfg['search_size'])
        self._priors: Dict[tuple, Tuple[Tensor, Tensor]] = {}

    def init(self, img: Tensor) -> None:
        """Check the first box, then initialise as SiamRPN and reset search.

        Args:
            img (Tensor): (1, C, H, W) first frame.

        Raises:
            ValueError: If the first box has a non-positive or non-finite
                size or lies outside the image.
        """
        cx, cy, w, h = (float(v) for v in self.memo.bbox)
        img_h, img_w = img.shape[-2:]
        if not all(map(math.isfinite, (cx, cy, w, h))) or w <= 0 or h <= 0:
            raise ValueError(
                f'DaSiamRPN needs a first-frame box with positive size, got '
                f'cx={cx}, cy={cy}, w={w}, h={h}')
        x1, y1, x2, y2 = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
        if x2 <= 0 or y2 <= 0 or x1 >= img_w or y1 >= img_h:
            raise ValueError(
                f'first-frame box ({x1:g}, {y1:g}, {x2:g}, {y2:g}) lies '
                f'outside the {img_w}x{img_h} image')
        super().init(img)
        self.memo.search_step = 0
        self.memo.search_region = None
        self.memo.search_input = self.test_cfg['search_size']

    def _search_window(
            self, z_size: Tensor, step: int,
            img_hw: Tuple[int, int]) -> Tuple[float, int, float, bool]:
        """Search crop of a step: (region side in image pixels, network input
        size, network pixels per image pixel, whether it covers the frame)."""
        search_size = self.test_cfg['search_size']
        scale = float(self.test_cfg['exemplar_size'] / z_size)
        base = float(torch.round(z_size * search_size /
                                 self.test_cfg['exemplar_size']))
        cx, cy = (float(v) for v in self.memo.bbox[:2])
        img_h, img_w = img_hw
        full = max(base, 2 * max(cx, img_w - cx, cy, img_h - cy))
        if step == 0:
            return base, search_size, scale, base >= full
        region = min(base * self.local_to_global['growth']**step, full)
        # Grow the input in steps of two strides so that the score map keeps
        # its parity and the anchors stay centred on the previous box.
        lattice = 2 * int(self.head.anchor_generator.strides[0][0])
        cap = search_size + lattice * (
            (self.local_to_global['max_search_size'] - search_size) //
            lattice)
        size = search_size + lattice * math.ceil(
            (region * scale - search_size) / lattice)
        if size > cap:
            size, scale = cap, cap / region
        else:
            region = size / scale
        return region, int(size), scale, region >= full

    @contextmanager
    def _head_priors(self, score_size: Tuple[int, int], flat_window: bool,
                     device: torch.device) -> Iterator[None]:
        """Give the head anchors and window for ``score_size`` while inside.

        ``SiameseRPNHead`` caches one anchor grid and window, made for the
        first score map it sees (training uses that cache too); they are
        swapped in for a search of another size and restored afterwards.
        While the region is enlarged the target's position is unknown, so the
        cosine window is flat.
        """
        key = (int(score_size[0]), int(score_size[1]), flat_window,
               str(device))
        if key not in self._priors:
            gen = self.head.anchor_generator
            feat_h, feat_w = key[:2]
            anchors = gen.grid_priors([(feat_h, feat_w)], device=device)[0]
            stride_w, stride_h = gen.strides[0]
            anchors[:, 0:4:2] -= (feat_w // 2) * stride_w
            anchors[:, 1:4:2] -= (feat_h // 2) * stride_h
            window = gen.gen_2d_hanning_windows([(feat_h, feat_w)], device)[0]
            if flat_window:
                window = torch.ones_like(window)
            self._priors[key] = (anchors, window)
        saved = {
            name: self.head.__dict__[name]
            for name in ('anchors', 'windows') if name in self.head.__dict__
        }
        self.head.anchors, self.head.windows = self._priors[key]
        try:
            yield
        finally:
            for name in ('anchors', 'windows'):
                if name in saved:
                    setattr(self.head, name, saved[name])
                else:
                    delattr(self.head, name)

    def track(self, img: Tensor, data_samples: SampleList) -> InstanceList:
        """Track the previous box into ``img``, enlarging the search while
        the target is lost.

        Args:
            img (Tensor): (1, C, H, W) current frame.
            data_samples (list[:obj:`TrackDataSample`]): The frame's data
                sample (``ori_shape`` in its metainfo).

        Returns:
            InstanceList: One result with ``bboxes`` (1, 4) xyxy, ``scores``
            (1,) and ``absent`` (1,) bool.
        """
        prev_bbox = self.memo.bbox
        step = self.memo.search_step
        context = self.test_cfg['context_amount'] * (prev_bbox[2] +
                                                    prev_bbox[3])
        z_size = torch.sqrt(
            (prev_bbox[2] + context) * (prev_bbox[3] + context))
        region, size, scale, covers = self._search_window(
            z_size, step, tuple(img.shape[-2:]))
        x_crop = self.get_cropped_img(img, prev_bbox[0:2], size,
                                      img.new_tensor(region),
                                      self.memo.avg_channel)
        x_feat = self.forward_search(x_crop)
        cls_score, bbox_pred = self.head(self.memo.z_feat, x_feat)
        img_metas = [sample.metainfo for sample in data_samples]
        with self._head_priors(cls_score.shape[2:], step > 0, img.device):
            results = self.head.predict_by_feat(
                cls_score,
                bbox_pred,
                prev_bbox=prev_bbox,
                scale_factor=scale,
                batch_img_metas=img_metas)
        result = results[0]
        self.memo.search_region = region
        self.memo.search_input = size
        found = float(result.scores.max()) >= self.local_to_global['score_thr']
        if found:
            self.memo.search_step = 0
        else:
            result.bboxes = bbox_cxcywh_to_xyxy(prev_bbox.clone())[None]
            if step < self.local_to_global['max_steps'] and not covers:
                self.memo.search_step = step + 1
        result.absent = torch.tensor([not found], device=img.device)
        return [result]
