# The GPU-sized global-search tracker for real benchmarks: DLA-34 at strides
# 4, 8, 16 and 32, an FPN that brings every level to 128 channels with the
# deeper levels' context, and the point head with deep supervision on all four
# levels (dynamic-convolution correlation, DMTrack's choice). Each frame is
# searched in full at a short side of 512 px (DMTrack tests at 735x512).
_base_ = ['./global-search_test-options.py']
model = dict(
    type='GlobalSearchTracker',
    data_preprocessor=dict(
        type='TrackDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='DLA',
        depth=34,
        out_indices=(2, 3, 4, 5),
        frozen_stages=-1,
        norm_eval=False,
        # From scratch by default (no weight can be downloaded here). To start
        # from the public ImageNet dla34 checkpoint, give its path:
        #   init_cfg=dict(type='Pretrained', checkpoint='/path/to/dla34.pth')
        # or take the backbone out of a CenterNet/DMTrack checkpoint:
        #   init_cfg=dict(type='Pretrained', prefix='base.',
        #                 checkpoint='/path/to/centernet_dla34.pth')
        init_cfg=None),
    neck=dict(
        type='mmdet.FPN',
        in_channels=[64, 128, 256, 512],
        out_channels=128,
        num_outs=4),
    head=dict(
        type='PointGlobalSearchHead',
        in_channels=128,
        strides=[4, 8, 16, 32],
        feat_channels=128,
        num_convs=2,
        corr_type='DC',
        template_size=7,
        share_levels=True,
        num_reg_points=9,
        loss_cls=dict(type='HardMaxPointLoss', num_points=1, margin=0.5),
        loss_bbox=dict(type='mmdet.GIoULoss', loss_weight=1.0)),
    # The CPU default's scale-free test-time options come from the base
    # file. Its small-target zoom is left out: its target size is in pixels
    # at the CPU default's short side of 240.
    test_cfg=dict(short_side=512, max_long_side=1333, size_divisor=32))
