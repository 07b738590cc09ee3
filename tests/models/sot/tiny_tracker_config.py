"""The tiny GlobalSearchTracker config that the sot tests build (4 channels,
two levels, 64 px test scale). Not a test module."""
MAX_CANDIDATES = 5
TINY = dict(
    type='GlobalSearchTracker',
    data_preprocessor=dict(
        type='TrackDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(type='HighResShallowNet', num_stages=2, base_channels=4),
    neck=dict(
        type='mmdet.FPN', in_channels=[4, 8], out_channels=4, num_outs=2),
    head=dict(
        type='PointGlobalSearchHead',
        in_channels=4,
        strides=[4, 8],
        feat_channels=4,
        test_cfg=dict(max_candidates=MAX_CANDIDATES)),
    test_cfg=dict(short_side=64))
