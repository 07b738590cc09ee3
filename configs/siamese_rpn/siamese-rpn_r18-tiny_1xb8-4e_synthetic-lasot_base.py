# SiamRPN++ from mmtrack, shrunk to train from scratch on 2 CPU cores in minutes: the
# CPU default of `make demo` until the global-search tracker lands. Everything not
# overridden here (pipeline, assigner, test-time penalties) is mmtrack's own.
_base_ = [
    'mmtrack::sot/siamese_rpn/'
    'siamese-rpn_r50_8xb28-20e_imagenetvid-imagenetdet-coco_base.py'
]
custom_imports = dict(imports=['mmtrack_smallobj'], allow_failed_imports=False)
default_scope = 'mmtrack'

randomness = dict(seed=1, deterministic=False)
exemplar_size = 127
search_size = 255
crop_size = 511

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmdet.ResNet',
        depth=18,
        base_channels=16,
        num_stages=4,
        out_indices=(1, 2, 3),
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 4),
        frozen_stages=-1,
        norm_eval=False,
        init_cfg=None),
    neck=dict(in_channels=[32, 64, 128], out_channels=32),
    head=dict(in_channels=[32, 32, 32]))

train_pipeline = [
    dict(
        type='VisiblePairSampling',
        frame_range=100,
        pos_prob=0.8,
        filter_template_img=False),
    dict(
        type='TransformBroadcaster',
        share_random_params=False,
        transforms=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadTrackAnnotations', with_instance_id=False),
            dict(
                type='CropLikeSiamFC',
                context_amount=0.5,
                exemplar_size=exemplar_size,
                crop_size=crop_size)
        ]),
    dict(
        type='SeqShiftScaleAug',
        target_size=[exemplar_size, search_size],
        shift=[4, 64],
        scale=[0.05, 0.18]),
    dict(type='SeqColorAug', prob=[1.0, 1.0]),
    dict(type='SeqBlurAug', prob=[0.0, 0.2]),
    dict(type='PackTrackInputs', ref_prefix='search', num_template_frames=1)
]

train_dataloader = dict(
    _delete_=True,
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='QuotaSampler', samples_per_epoch=960),
    dataset=dict(
        type='LaSOTDataset',
        data_root='data/synthetic/lasot_train/',
        ann_file='lasot_train_infos.txt',
        data_prefix=dict(img_path=''),
        pipeline=train_pipeline,
        test_mode=False))

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=4, val_begin=5, val_interval=1)

param_scheduler = [
    dict(
        type='SiamRPNExpLR',
        start_factor=0.2,
        end_factor=1.0,
        by_epoch=True,
        begin=0,
        end=1,
        endpoint=False),
    dict(
        type='SiamRPNExpLR',
        start_factor=1.0,
        end_factor=0.1,
        by_epoch=True,
        begin=1,
        end=4,
        endpoint=True)
]

# From scratch the backbone trains from the start at full rate, so mmtrack's
# backbone unfreeze hook and lr multiplier are dropped.
optim_wrapper = dict(
    optimizer=dict(lr=0.01),
    paramwise_cfg=dict(_delete_=True, custom_keys=dict()))
custom_hooks = []
# As in ../_base_/default_runtime.py, which mmtrack's SiamRPN base cannot
# also inherit (both define default_hooks).
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(type='AtomicCheckpointHook'),
    epoch_seed=dict(type='EpochReseedHook'))
