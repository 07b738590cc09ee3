"""Training samples for GSTP's motion model from ordinary SOT videos.

The motion model (``MotionHeatmapNet``) sees a frame and Gaussian heatmaps
of the target's last K positions and predicts a heatmap of its current
position. :class:`TrajectoryHeatmapSampling` makes such a sample from one
video of any mmtrack SOT dataset (LaSOT layout, GOT-10k, ...): it draws the
current frame among those where the target is visible, takes the K frames
``frame_stride`` apart before it, loads and resizes the current frame to a
fixed ``input_size`` and draws the heatmaps there.

Positions are continuous pixel coordinates; a heatmap cell (i, j) of stride
s stands for the point ((j + 0.5) s, (i + 0.5) s).
"""
import copy
from typing import Dict, List, Optional, Tuple, Union

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmtrack.registry import TRANSFORMS

from ...utils.config_checks import check_number
from .pair_sampling import visible_frame_indices


def gaussian_heatmaps(centres: np.ndarray,
                      valid: np.ndarray,
                      height: int,
                      width: int,
                      sigma: float,
                      stride: int = 1) -> np.ndarray:
    """Unnormalised Gaussians (peak 1) at ``centres``; zero where invalid.

    Args:
        centres (np.ndarray): (K, 2) x, y in input pixels.
        valid (np.ndarray): (K,) bool; an invalid position gives a zero map.
        height (int): Map height in cells.
        width (int): Map width in cells.
        sigma (float): Standard deviation in input pixels.
        stride (int): Input pixels per cell. Defaults to 1.

    Returns:
        np.ndarray: (K, height, width) float32 maps.
    """
    centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    ys = (np.arange(height) + 0.5) * stride
    xs = (np.arange(width) + 0.5) * stride
    dx = (xs[None, :] - centres[:, 0, None])**2
    dy = (ys[None, :] - centres[:, 1, None])**2
    maps = np.exp(-(dy[:, :, None] + dx[:, None, :]) / (2 * sigma**2))
    maps *= np.asarray(valid, dtype=bool).reshape(-1)[:, None, None]
    return maps.astype(np.float32)


@TRANSFORMS.register_module()
class TrajectoryHeatmapSampling(BaseTransform):
    """Sample a frame and its K predecessors; draw the motion heatmaps.

    Past frames before the video's start repeat its first frame (as the
    tracker's history starts as K copies of the first box); a past frame
    whose target is absent or has no valid box gets an all-zero heatmap and
    ``past_visible`` False.

    Outputs (for ``PackTrackInputs(pack_single_img=True, meta_keys=(
    'past_heatmaps', 'target_heatmap', 'past_visible'))``): ``img`` (the
    current frame resized to ``input_size``), ``img_path``, ``img_shape``,
    ``ori_shape``, ``scale_factor``, ``frame_id``, ``video_id``,
    ``gt_bboxes`` (1, 4) and ``gt_bboxes_labels`` (1,) of the current
    frame, ``past_heatmaps`` (K, H, W), ``past_visible`` (K,), and
    ``target_heatmap`` (1, H / heatmap_stride, W / heatmap_stride), zero
    when the current target is absent (only with ``visible_only=False``).

    Args:
        num_past (int): K. Defaults to 4.
        frame_stride (int): Frames between consecutive positions.
            Defaults to 1.
        input_size (tuple[int, int]): (width, height) of the network input.
            Defaults to (160, 128).
        sigma (float): Sigma of the past heatmaps, input pixels. Defaults
            to 3.0.
        target_sigma (float, optional): Sigma of the target heatmap, input
            pixels; None uses ``sigma``.
        heatmap_stride (int): Stride of the network's output. Defaults to 4.
        visible_only (bool): Draw the current frame only where the target
            is visible. Defaults to True.
        loader (dict, optional): Image loading transform; defaults to
            ``LoadImageFromFile``.
    """

    def __init__(self,
                 num_past: int = 4,
                 frame_stride: int = 1,
                 input_size: Tuple[int, int] = (160, 128),
                 sigma: float = 3.0,
                 target_sigma: Optional[float] = None,
                 heatmap_stride: int = 4,
                 visible_only: bool = True,
                 loader: Optional[dict] = None) -> None:
        # Integers: they index frames and divide the heatmap's shape.
        for name, value in (('num_past', num_past),
                            ('frame_stride', frame_stride), ('heatmap_stride',
                                                             heatmap_stride)):
            check_number(name, value, 1, integer=True)
        target_sigma = sigma if target_sigma is None else target_sigma
        check_number('sigma', sigma, 0, low_open=True)
        check_number('target_sigma', target_sigma, 0, low_open=True)
        width, height = input_size
        if width % heatmap_stride or height % heatmap_stride:
            raise ValueError(f'input_size {tuple(input_size)} must be a '
                             f'multiple of heatmap_stride {heatmap_stride}')
        self.num_past = num_past
        self.frame_stride = frame_stride
        self.input_size = (int(width), int(height))
        self.sigma = float(sigma)
        self.target_sigma = float(target_sigma)
        self.heatmap_stride = heatmap_stride
        self.visible_only = visible_only
        self.loader = TRANSFORMS.build(
            copy.deepcopy(loader or dict(type='LoadImageFromFile')))

    def sample_frames(self, video_info: dict) -> np.ndarray:
        """K + 1 frame indices, the past oldest first, the current last.

        Args:
            video_info (dict): One video from an mmtrack SOT dataset.

        Returns:
            np.ndarray: (K + 1,) indices into the video.
        """
        if self.visible_only:
            candidates = visible_frame_indices(video_info)
        else:
            candidates = np.arange(len(video_info['bboxes']))
        # np.random so that mmengine's seeding governs it.
        current = int(np.random.choice(candidates))
        offsets = np.arange(self.num_past, -1, -1) * self.frame_stride
        return np.maximum(current - offsets, 0)

    def transform(
        self, video_infos: Union[dict, List[dict]]
    ) -> Dict[str, Union[np.ndarray, str, int, tuple]]:
        """Make one sample.

        Args:
            video_infos (dict | list[dict]): A video's information, or the
                list that mmtrack's ``BaseSOTDataset.prepare_train_data``
                passes (its first video is used).

        Returns:
            dict: See the class description.
        """
        video = video_infos[0] if isinstance(video_infos,
                                             (list, tuple)) else video_infos
        indices = self.sample_frames(video)
        visible = np.asarray(video['visible'], dtype=bool)
        if 'bboxes_isvalid' in video:
            visible = visible & np.asarray(video['bboxes_isvalid'], bool)
        current = int(indices[-1])
        loaded = self.loader(dict(img_path=video['img_paths'][current]))
        img = loaded['img']
        ori_h, ori_w = img.shape[:2]
        width, height = self.input_size
        img, w_scale, h_scale = mmcv.imresize(
            img, (width, height), return_scale=True)
        scale = np.array([w_scale, h_scale, w_scale, h_scale], np.float32)
        bboxes = np.asarray(video['bboxes'], np.float32)[indices] * scale
        centres = (bboxes[:, :2] + bboxes[:, 2:]) / 2
        flags = visible[indices]
        stride = self.heatmap_stride
        return dict(
            img=img,
            img_path=video['img_paths'][current],
            img_shape=(height, width),
            ori_shape=(ori_h, ori_w),
            scale_factor=(float(w_scale), float(h_scale)),
            frame_id=current,
            video_id=video.get('video_id'),
            gt_bboxes=bboxes[-1:].copy(),
            gt_bboxes_labels=np.zeros(1, dtype=np.int64),
            past_heatmaps=gaussian_heatmaps(centres[:-1], flags[:-1], height,
                                            width, self.sigma),
            past_visible=flags[:-1].copy(),
            target_heatmap=gaussian_heatmaps(centres[-1:], flags[-1:],
                                             height // stride, width // stride,
                                             self.target_sigma, stride))

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_past={self.num_past}, '
                f'frame_stride={self.frame_stride}, '
                f'input_size={self.input_size}, sigma={self.sigma}, '
                f'target_sigma={self.target_sigma}, '
                f'heatmap_stride={self.heatmap_stride}, '
                f'visible_only={self.visible_only})')
