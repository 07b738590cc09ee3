# GSTP's global tracker (SiamRCNN) at benchmark size: the CPU model
# (`../_base_/models/siam-rcnn_r18-tiny.py`) with ResNet-50 up to stage 4
# (conv4, stride 16, 1024 channels) mapped to 256 channels, mmdet's RPN with 15
# anchors a cell (16-256 px) and Faster R-CNN's sample and proposal counts.
# Data and schedule are the global-search tracker's benchmark setting
# (whole-frame pairs from GOT-10k, LaSOT and TrackingNet at a 512 px short
# side, 8 GPUs x 16 pairs, AdamW, 20 epochs), so that the two trackers train
# on the same pairs. Inherited by the `_test-<benchmark>.py` configs.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/siam-rcnn_r18-tiny.py',
    '../_base_/datasets/got10k-lasot-trackingnet_whole_frame_train.py',
    '../_base_/schedules/adamw_8xb16-20e.py',
]
custom_imports = dict(imports=['mmtrack_smallobj'], allow_failed_imports=False)
default_scope = 'mmtrack'
randomness = dict(seed=1, deterministic=False)

channels = 256
model = dict(
    # From scratch by default (no weight can be downloaded here); GSTP and
    # GlobalTrack start from ImageNet: set init_cfg=dict(type='Pretrained',
    # checkpoint='torchvision://resnet50') where it can be fetched.
    backbone=dict(
        _delete_=True,
        type='mmdet.ResNet',
        depth=50,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(2, ),
        frozen_stages=-1,
        norm_eval=False,
        init_cfg=None),
    neck=dict(
        type='mmdet.ChannelMapper',
        in_channels=[1024],
        out_channels=channels,
        kernel_size=1,
        act_cfg=None),
    head=dict(
        in_channels=channels,
        rpn_head=dict(
            in_channels=channels,
            feat_channels=channels,
            anchor_generator=dict(scales=[1.0, 2.0, 4.0, 8.0, 16.0])),
        roi_head=dict(
            bbox_roi_extractor=dict(
                roi_layer=dict(sampling_ratio=0), out_channels=channels),
            bbox_head=dict(in_channels=channels)),
        train_cfg=dict(
            rpn=dict(sampler=dict(num=256)),
            rpn_proposal=dict(nms_pre=2000, max_per_img=1000),
            rcnn=dict(sampler=dict(num=512))),
        test_cfg=dict(
            rpn=dict(nms_pre=1000, max_per_img=300),
            rcnn=dict(max_per_img=20))),
    test_cfg=dict(short_side=512))

default_hooks = dict(
    checkpoint=dict(
        type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3))
