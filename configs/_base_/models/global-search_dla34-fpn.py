# The GPU-sized global-search tracker for real benchmarks: DLA-34 at strides
# 4, 8, 16 and 32, an FPN that brings every level to 128 channels with the
# deeper levels' context, and the point head with deep supervision on all four
# levels (dynamic-convolution correlation, DMTrack's choice). Each frame is
# searched in full at a short side of 512 px (DMTrack tests at 735x512).
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
        loss_bbox=dict(type='mmdet.GIoULoss', loss_weight=1.0),
        # 30 candidates for the verification below to rank, each box voted
        # from the boxes overlapping it, as in the CPU default.
        test_cfg=dict(
            pre_nms_top_k=100,
            nms_iou_thr=0.5,
            max_candidates=30,
            box_voting_iou_thr=0.5)),
    # The CPU default's test-time options, which do not depend on the test
    # scale (first-frame adaptation of the score layers, size calibration,
    # candidate verification, box smoothing). Each was chosen on the CPU
    # default's synthetic validation sets (configs/global_search/README.md);
    # this model has not been measured with or without them. Its
    # small-target zoom is left out: its target size is in pixels at the
    # CPU default's short side of 240.
    test_cfg=dict(
        short_side=512,
        max_long_side=1333,
        size_divisor=32,
        first_frame_adaptation=dict(steps=20, lr=5e-3),
        size_calibration=dict(max_ratio=2.0),
        verification=dict(
            feature_weight=0.3, colour_weight=0.2, confidence='ranking'),
        box_smoothing=dict(size_lr=0.5, aspect_prior=0.5)))
