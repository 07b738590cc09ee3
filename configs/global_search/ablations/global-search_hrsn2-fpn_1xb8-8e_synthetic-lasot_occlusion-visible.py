# The _occlusion ablation, with the part of the box left showing packed
# (meta key target_visible_bbox): the score maps' target points lie on the
# visible part only and the hidden rest of the box is ignored.
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
train_pipeline = [
    {{_base_.pair_sampling}},
    {{_base_.pair_frames}},
    {{_base_.target_windows}},
    dict(type='SeqTargetOcclusion', prob=(0.0, 0.3)),
    {{_base_.color_jitter}},
    {{_base_.blur_jitter}},
    dict(type='PackTrackInputs', ref_prefix='search', num_template_frames=1,
         meta_keys=('target_visible_bbox', )),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
