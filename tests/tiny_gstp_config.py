"""The tiny SiamRCNN and motion-model configs that the GSTP tests build: the
shipped model bases (configs/_base_/models) with channels, anchors, sample
counts and sizes shrunk, so that the tests check the settings that ship.
Not a test module."""
import os.path as osp

from mmengine.config import Config
from tiny_configs import ROOT

MODEL_BASES = osp.join(ROOT, 'configs', '_base_', 'models')
MAX_CANDIDATES = 5


def shrunk_model_base(name: str, key: str, overrides: dict) -> dict:
    """A model config of a shipped model base with some values replaced.

    Args:
        name (str): File name under configs/_base_/models.
        key (str): The variable of that file that holds the model config.
        overrides (dict): Merged into it as mmengine merges a child config
            into its base: nested dicts key by key, other values replaced.

    Returns:
        dict: A plain dict config, the caller's to change.
    """
    cfg = Config.fromfile(osp.join(MODEL_BASES, name))
    cfg.merge_from_dict({key: overrides})
    return cfg.to_dict()[key]


# 1-channel stem, 4-channel stride-16 features (ResNet-18 stopped after its
# third stage), 16 and 32 px anchors, 64 px test scale.
TINY = shrunk_model_base(
    'siam-rcnn_r18-tiny.py', 'model',
    dict(
        backbone=dict(base_channels=1),
        head=dict(
            in_channels=4,
            rpn_head=dict(
                in_channels=4,
                feat_channels=4,
                anchor_generator=dict(scales=[1, 2])),
            roi_head=dict(
                bbox_roi_extractor=dict(out_channels=4),
                bbox_head=dict(in_channels=4)),
            train_cfg=dict(
                rpn=dict(sampler=dict(num=32)),
                rpn_proposal=dict(nms_pre=100, max_per_img=16),
                rcnn=dict(sampler=dict(num=16))),
            test_cfg=dict(
                rpn=dict(nms_pre=100, max_per_img=16),
                rcnn=dict(max_per_img=MAX_CANDIDATES))),
        test_cfg=dict(short_side=64)))

# Three input heatmaps (K = 3) on 32 x 32 frames, two HRNet branches of 2
# and 4 channels, one block each.
_TWO_BRANCHES = dict(num_blocks=(1, 1), num_channels=(2, 4))
TINY_MOTION = shrunk_model_base(
    'gstp-motion_hr2-tiny.py', 'motion_net',
    dict(
        num_past=3,
        input_size=(32, 32),
        in_channels=[2, 4],
        head_channels=2,
        backbone=dict(
            extra=dict(
                stage1=dict(num_blocks=(1, ), num_channels=(1, )),
                stage2=_TWO_BRANCHES,
                stage3=_TWO_BRANCHES,
                stage4=_TWO_BRANCHES))))
