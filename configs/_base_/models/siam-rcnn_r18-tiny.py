# GSTP's global tracker at CPU size: a from-scratch ResNet-18 of width 16
# stopped after its third stage (conv4, stride 16, 64 channels), the template
# box pooled 7x7, depthwise correlation plus two 1x1 convolutions, then
# mmdet's RPN (12 anchors a cell, 8-64 px) and RoI head (7x7 RoIAlign, global
# average pooling, 2-way softmax, class-agnostic box refinement). Whole
# frames are searched at their native 240 px short side.
# The RPN and RoI head are mmdet modules built in mmdet's scope (`_scope_`),
# as mmtrack's own Faster R-CNN base does, so their nested parts (assigners,
# IoU calculators) resolve there.
model = dict(
    type='SiamRCNN',
    data_preprocessor=dict(
        type='TrackDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='mmdet.ResNet',
        depth=18,
        base_channels=16,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(2, ),
        frozen_stages=-1,
        norm_eval=False,
        init_cfg=None),
    head=dict(
        type='SiamRCNNHead',
        in_channels=64,
        stride=16,
        template_size=7,
        # lambda: weight of the RPN and RoI box losses against the two
        # classification losses.
        reg_weight=1.0,
        rpn_head=dict(
            type='RPNHead',
            _scope_='mmdet',
            in_channels=64,
            feat_channels=64,
            anchor_generator=dict(
                type='AnchorGenerator',
                scales=[0.5, 1.0, 2.0, 4.0],
                ratios=[0.5, 1.0, 2.0],
                strides=[16]),
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder',
                target_means=[0.0, 0.0, 0.0, 0.0],
                target_stds=[1.0, 1.0, 1.0, 1.0]),
            loss_cls=dict(
                type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
            loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
        roi_head=dict(
            type='StandardRoIHead',
            _scope_='mmdet',
            bbox_roi_extractor=dict(
                type='SingleRoIExtractor',
                roi_layer=dict(
                    type='RoIAlign', output_size=7, sampling_ratio=2),
                out_channels=64,
                featmap_strides=[16]),
            bbox_head=dict(
                type='BBoxHead',
                with_avg_pool=True,
                roi_feat_size=7,
                in_channels=64,
                num_classes=1,
                reg_class_agnostic=True,
                bbox_coder=dict(
                    type='DeltaXYWHBBoxCoder',
                    target_means=[0.0, 0.0, 0.0, 0.0],
                    target_stds=[0.1, 0.1, 0.2, 0.2]),
                loss_cls=dict(
                    type='CrossEntropyLoss',
                    use_sigmoid=False,
                    loss_weight=1.0),
                loss_bbox=dict(type='L1Loss', loss_weight=1.0))),
        train_cfg=dict(
            rpn=dict(
                assigner=dict(
                    type='MaxIoUAssigner',
                    pos_iou_thr=0.7,
                    neg_iou_thr=0.3,
                    min_pos_iou=0.3,
                    match_low_quality=True,
                    ignore_iof_thr=-1),
                sampler=dict(
                    type='RandomSampler',
                    num=64,
                    pos_fraction=0.5,
                    neg_pos_ub=-1,
                    add_gt_as_proposals=False),
                allowed_border=-1,
                pos_weight=-1,
                debug=False),
            rpn_proposal=dict(
                nms_pre=600,
                max_per_img=64,
                nms=dict(type='nms', iou_threshold=0.7),
                min_bbox_size=0),
            rcnn=dict(
                assigner=dict(
                    type='MaxIoUAssigner',
                    pos_iou_thr=0.5,
                    neg_iou_thr=0.5,
                    min_pos_iou=0.5,
                    match_low_quality=False,
                    ignore_iof_thr=-1),
                sampler=dict(
                    type='RandomSampler',
                    num=64,
                    pos_fraction=0.25,
                    neg_pos_ub=-1,
                    add_gt_as_proposals=True),
                pos_weight=-1,
                debug=False)),
        test_cfg=dict(
            rpn=dict(
                nms_pre=600,
                max_per_img=64,
                nms=dict(type='nms', iou_threshold=0.7),
                min_bbox_size=0),
            # The candidates: every refined box above score_thr after NMS,
            # at most max_per_img (what the motion model re-scores).
            rcnn=dict(
                score_thr=0.0,
                nms=dict(type='nms', iou_threshold=0.5),
                max_per_img=10))),
    test_cfg=dict(short_side=240, max_long_side=1333, size_divisor=32))
