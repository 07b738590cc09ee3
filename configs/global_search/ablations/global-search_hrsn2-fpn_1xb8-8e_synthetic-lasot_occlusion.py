# Ablation of the CPU default: 30 % of the search windows have a random share
# (30-90 %) of the target hidden from one side by a patch of the same frame
# (SeqTargetOcclusion); the box still covers the hidden part and is trained
# whole (hidden_part='target', as in session 11; see _occlusion-visible).
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
train_pipeline = [
    {{_base_.pair_sampling}},
    {{_base_.pair_frames}},
    {{_base_.target_windows}},
    dict(type='SeqTargetOcclusion', prob=(0.0, 0.3)),
    {{_base_.color_jitter}},
    {{_base_.blur_jitter}},
    {{_base_.pack_pair}},
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(train_cfg=dict(hidden_part='target'))
