# Whole-frame training pairs from the GOT-10k, LaSOT and TrackingNet train sets
# at a 512 px short side, 16 pairs a GPU: the benchmark-size training data of the
# global-search tracker and of SiamRCNN, shared so that both train on the same
# pairs.
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
