# The global-search tracker at benchmark size: DLA-34 + FPN, 4 supervised
# levels, trained on whole-frame pairs from the GOT-10k, LaSOT and TrackingNet
# train sets on 8 GPUs x 16 pairs for 20 epochs. Inherited by the
# `_test-<benchmark>.py` configs, which add the test data and metric.
#
# Mixed precision: `mim train mmtrack CONFIG --amp` (or `tools/train.py
# CONFIG --amp`) turns this OptimWrapper into an AmpOptimWrapper with a dynamic
# loss scale; the head already decodes boxes and scores in float32.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/global-search_dla34-fpn.py',
]
custom_imports = dict(imports=['mmtrack_smallobj'], allow_failed_imports=False)
default_scope = 'mmtrack'
randomness = dict(seed=1, deterministic=False)

data_root = 'data/'
# Whole-frame pairs as in `../_base_/datasets/synthetic_lasot_global_search_
# train.py`: a template and a search frame of one video, both with the target
# visible (the max-point loss needs it in the search frame, hence
# pos_prob=1.0), the same random scale around a short side of 512 px (the
# test scale; long side at most 1333) and the same flip for both.
train_pipeline = [
    dict(
        type='VisiblePairSampling',
        frame_range=100,
        pos_prob=1.0,
        filter_template_img=False),
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadTrackAnnotations', with_instance_id=False),
            dict(
                type='RandomResize',
                scale=(1333, 512),
                ratio_range=(0.75, 1.25),
                keep_ratio=True),
            dict(type='RandomFlip', prob=0.5, direction='horizontal'),
        ]),
    dict(type='SeqColorAug', prob=[1.0, 1.0]),
    dict(type='SeqBlurAug', prob=[0.0, 0.2]),
    dict(type='PackTrackInputs', ref_prefix='search', num_template_frames=1)
]

# The three train sets drawn with equal probability; GOT-10k's `train_vot`
# split as in mmtrack's STARK configs. Index files: mmtrack's
# tools/dataset_converters/{got10k,lasot,trackingnet}.
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='QuotaSampler', samples_per_epoch=600000),
    dataset=dict(
        type='RandomSampleConcatDataset',
        dataset_sampling_weights=[1, 1, 1],
        datasets=[
            dict(
                type='GOT10kDataset',
                data_root=data_root,
                ann_file='GOT10k/annotations/got10k_train_vot_infos.txt',
                data_prefix=dict(img_path='GOT10k'),
                pipeline=train_pipeline,
                test_mode=False),
            dict(
                type='LaSOTDataset',
                data_root=data_root,
                ann_file='LaSOT_full/annotations/lasot_train_infos.txt',
                data_prefix=dict(img_path='LaSOT_full/LaSOTBenchmark'),
                pipeline=train_pipeline,
                test_mode=False),
            dict(
                type='TrackingNetDataset',
                data_root=data_root,
                ann_file='TrackingNet/annotations/trackingnet_train_infos.txt',
                data_prefix=dict(img_path='TrackingNet'),
                pipeline=train_pipeline,
                test_mode=False)
        ]))

# runner loop: no validation during training; `mim test` evaluates.
max_epochs = 20
train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_begin=max_epochs + 1)

# AdamW, linear warm-up, then cosine decay to 1%. Not tuned. With a pretrained
# backbone, consider paramwise_cfg=dict(custom_keys=dict(
# backbone=dict(lr_mult=0.1))) as mmtrack's STARK does.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=10.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=1000),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        eta_min_ratio=0.01,
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True)
]
# `--auto-scale-lr` rescales lr from the 8 x 16 pairs it was set for.
auto_scale_lr = dict(enable=False, base_batch_size=128)

default_hooks = dict(
    checkpoint=dict(
        type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3))
