# The CPU default global-search tracker: a shallow high-resolution backbone
# (strides 4 and 8), an FPN that gives both levels the deep level's context,
# and the point head with deep supervision on both levels.
# GroupNorm, not BatchNorm: training sees batches of 96/160 px windows and
# tracking sees one whole frame, so BN's running statistics do not carry over
# (on held-out whole-frame pairs, 800 iterations: 37% point hits with GN(8)
# against 22% with BN, focal loss, session 4 probe).
_base_ = ['./global-search_test-options.py']
norm_cfg = dict(type='GN', num_groups=4, requires_grad=True)
model = dict(
    type='GlobalSearchTracker',
    data_preprocessor=dict(
        type='TrackDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='HighResShallowNet',
        num_stages=2,
        num_blocks=2,
        base_channels=32,
        out_indices=(0, 1),
        norm_cfg=norm_cfg),
    neck=dict(
        type='mmdet.FPN', in_channels=[32, 64], out_channels=32, num_outs=2),
    head=dict(
        type='PointGlobalSearchHead',
        in_channels=32,
        strides=[4, 8],
        feat_channels=32,
        num_convs=2,
        corr_type='DC',
        template_size=7,
        num_reg_points=9,
        # The score maps learn the central half of a box whose central
        # half spans more than 2 cells of the level: a big box's corners are
        # background or another object, which the max-point loss (and the
        # first-frame adaptation) would otherwise promote (session 8).
        centre_sampling=dict(ratio=0.5, min_cells=2),
        norm_cfg=norm_cfg,
        loss_cls=dict(type='HardMaxPointLoss', num_points=16, margin=0.5),
        loss_bbox=dict(type='mmdet.GIoULoss', loss_weight=1.0)),
    # The scale-free test-time options come from the base file.
    test_cfg=dict(
        short_side=240,
        max_long_side=1333,
        size_divisor=32,
        # A first box under 48 px (at short side 240) has the whole video
        # searched at a larger scale, up to twice (session 8).
        small_target_zoom=dict(target_size=48.0, max_zoom=2.0)))
