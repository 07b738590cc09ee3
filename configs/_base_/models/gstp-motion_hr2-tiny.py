# GSTP's motion model at CPU size: mmdet's HRNet with two branches (strides
# 4 and 8, 16 and 32 channels) on the frame resized to 160 x 128 plus K = 4
# heatmaps of the target's last positions (sigma 3 px), and a head that
# fuses both branches into one stride-4 heatmap. Shared by the motion
# model's training config and by SiamRCNN configs that use it; the sampling
# transform takes the same K, sigma, input size and stride from here.
motion_num_past = 4
motion_sigma = 3.0
motion_input_size = (160, 128)
motion_stride = 4
motion_net = dict(
    type='MotionHeatmapNet',
    num_past=motion_num_past,
    sigma=motion_sigma,
    input_size=motion_input_size,
    stride=motion_stride,
    in_channels=[16, 32],
    head_channels=16,
    loss_heatmap=dict(type='mmdet.MSELoss', loss_weight=1.0),
    backbone=dict(
        type='mmdet.HRNet',
        norm_eval=False,
        extra=dict(
            stage1=dict(
                num_modules=1,
                num_branches=1,
                block='BOTTLENECK',
                num_blocks=(2, ),
                num_channels=(16, )),
            stage2=dict(
                num_modules=1,
                num_branches=2,
                block='BASIC',
                num_blocks=(2, 2),
                num_channels=(16, 32)),
            stage3=dict(
                num_modules=1,
                num_branches=2,
                block='BASIC',
                num_blocks=(2, 2),
                num_channels=(16, 32)),
            stage4=dict(
                num_modules=1,
                num_branches=2,
                block='BASIC',
                num_blocks=(2, 2),
                num_channels=(16, 32)))))
