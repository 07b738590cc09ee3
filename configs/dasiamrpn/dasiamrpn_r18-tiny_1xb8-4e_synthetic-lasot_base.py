# DaSiamRPN (Zhu et al., ECCV 2018) on the tiny CPU SiamRPN++: the same network,
# schedule and augmentation, trained on distractor-aware pairs (a fifth of them
# semantic negatives: another video of the template's category) and tested
# with local-to-global search (the search region grows while the target is
# lost, up to the whole frame).
_base_ = ['../siamese_rpn/siamese-rpn_r18-tiny_1xb8-4e_synthetic-lasot_base.py']

model = dict(
    type='DaSiamRPN',
    test_cfg=dict(
        local_to_global=dict(
            score_thr=0.3, growth=1.5, max_steps=3, max_search_size=511)))

# The videos negatives are drawn from, by category: the training set itself.
distractor_data = dict(
    type='LaSOTDataset',
    data_root='data/synthetic/lasot_train/',
    ann_file='lasot_train_infos.txt',
    data_prefix=dict(img_path=''),
    test_mode=False)

# The base's pipeline with DaSiamRPN's sampler in place of its first step
# (mmengine exposes the base's variables as `_base_`).
train_pipeline = [
    dict(
        type='DistractorAwarePairSampling',
        distractor_datasets=[distractor_data],
        frame_range=100,
        pos_prob=0.7,
        semantic_neg_prob=0.2,
        filter_template_img=False)
] + _base_.train_pipeline[1:]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
