# The study's second run: the baseline's data, model and budget (8 epochs of
# 1600 pairs), with the pairs drawn by SizeRebalanceDataset and rescaled by
# SizeBinRescale so that every size bin of the test range gets its share.
_base_ = ['./global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot-imbalanced.py']

# The baseline's pipeline (keep the two in step) with SizeBinRescale after
# the frames are loaded and resized. The wrapper draws the frames itself and runs the pipeline without
# its first step, whose frame_range / pos_prob it applies.
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
                scale=(320, 240),
                ratio_range=(0.75, 1.25),
                keep_ratio=True),
            dict(type='RandomFlip', prob=0.5, direction='horizontal'),
        ]),
    # min_size 3: the balanced test set's targets start at about 3 px.
    dict(type='SizeBinRescale', scale_range=(0.125, 2.0), min_size=3.0),
    # The base pipeline's target windows, after the rescale so that the
    # window holds the rescaled target.
    dict(type='SeqTargetCrop', crop_sizes=(96, 160), margins=(32, 8)),
    dict(type='SeqColorAug', prob=[1.0, 1.0]),
    dict(type='SeqBlurAug', prob=[0.0, 0.2]),
    dict(type='PackTrackInputs', ref_prefix='search', num_template_frames=1)
]

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='SizeRebalanceDataset',
        dataset=dict(
            type='LaSOTDataset',
            data_root='data/synthetic/lasot_train_imbalanced/',
            ann_file='lasot_train_infos.txt',
            data_prefix=dict(img_path=''),
            pipeline=train_pipeline,
            test_mode=False),
        # The evaluation toolkit's bins (<8, 8-16, 16-32, 32-64, 64-128,
        # >=128 px): equal shares for the five the test set covers (its
        # targets stay under 128 px), none for >=128.
        weights=[0.2, 0.2, 0.2, 0.2, 0.2, 0.0],
        scale=(320, 240),
        # QuotaSampler draws 1600 indices an epoch from these; each index is
        # one fixed pair, so many indices keep the pairs varied.
        num_samples=100000,
        # seed=None: drawn from numpy's RNG, which randomness.seed sets.
        seed=None))
