# The study's second run: the baseline's data, model and budget (8 epochs of
# 1600 pairs), with the pairs drawn by SizeRebalanceDataset and rescaled by
# SizeBinRescale so that every size bin of the test range gets its share.
_base_ = ['./global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot-imbalanced.py']

# The baseline's pipeline, step by step from the CPU default's dataset base,
# with SizeBinRescale after the frames are loaded and resized and before the
# target windows (so that a window holds the rescaled target). The wrapper
# draws the frames itself and runs the pipeline without its first step, whose
# frame_range / pos_prob it applies.
train_pipeline = [
    {{_base_.pair_sampling}},
    {{_base_.pair_frames}},
    # min_size 3: the balanced test set's targets start at about 3 px.
    dict(type='SizeBinRescale', scale_range=(0.125, 2.0), min_size=3.0),
    {{_base_.target_windows}},
    {{_base_.color_jitter}},
    {{_base_.blur_jitter}},
    {{_base_.pack_pair}},
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
