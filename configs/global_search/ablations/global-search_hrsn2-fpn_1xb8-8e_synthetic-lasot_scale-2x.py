# Ablation of the CPU default: training frames resized by 0.75 to 2 times
# instead of 0.75 to 1.25, so the network also learns the up-sampled (blurred)
# targets that the small-target zoom searches at up to twice the scale
# (session 20).
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
frame_resize = dict(_base_.frame_resize, ratio_range=(0.75, 2.0))
pair_frames = dict(
    _base_.pair_frames,
    transforms=[
        _base_.load_frame, _base_.load_annotations, frame_resize,
        _base_.frame_flip
    ])
train_pipeline = [
    {{_base_.pair_sampling}},
    pair_frames,
    {{_base_.target_windows}},
    {{_base_.color_jitter}},
    {{_base_.blur_jitter}},
    {{_base_.pack_pair}},
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
