# GSTP's motion model, trained on its own on the synthetic LaSOT-layout set:
# each sample is a frame resized to the network's input size, heatmaps of the
# target's 4 previous positions and a Gaussian at its current one (sigma
# 6 px on the stride-4 output, 1.5 cells, so that the target is not a single
# cell). Tested on the held-out videos it tracks with the motion model alone
# (heatmap peak, first box's size): a diagnostic, not a tracker. Its
# checkpoint is SiamRCNN's `motion_checkpoint`.
_base_ = [
    '../_base_/models/gstp-motion_hr2-tiny.py',
    '../_base_/datasets/synthetic_lasot.py',
    '../_base_/schedules/adamw_cpu.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmtrack_smallobj'], allow_failed_imports=False)
default_scope = 'mmtrack'
randomness = dict(seed=1, deterministic=False)

model = dict(
    type='MotionHeatmapTracker',
    # The normalisation of the SiamRCNN configs, whose frames it will see.
    data_preprocessor=dict(
        type='TrackDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    motion_net={{_base_.motion_net}})

train_pipeline = [
    dict(
        type='TrajectoryHeatmapSampling',
        num_past={{_base_.motion_num_past}},
        frame_stride=1,
        input_size={{_base_.motion_input_size}},
        sigma={{_base_.motion_sigma}},
        target_sigma=6.0,
        heatmap_stride={{_base_.motion_stride}}),
    dict(
        type='PackTrackInputs',
        pack_single_img=True,
        meta_keys=('past_heatmaps', 'target_heatmap', 'past_visible'))
]
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='QuotaSampler', samples_per_epoch=1600),
    dataset=dict(
        type='LaSOTDataset',
        data_root='data/synthetic/lasot_train/',
        ann_file='lasot_train_infos.txt',
        data_prefix=dict(img_path=''),
        pipeline=train_pipeline,
        test_mode=False))
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=1))
