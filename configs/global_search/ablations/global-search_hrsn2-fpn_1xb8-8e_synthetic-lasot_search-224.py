# Ablation of the CPU default: 224 px search windows instead of 160, so the
# max-point loss's hardest negative is drawn from more of the frame around
# the target (session 17). An iteration costs about 1.6x the default's.
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
target_windows = dict(
    type='SeqTargetCrop', crop_sizes=(96, 224), margins=(32, 8))
train_pipeline = [
    {{_base_.pair_sampling}},
    {{_base_.pair_frames}},
    target_windows,
    {{_base_.color_jitter}},
    {{_base_.blur_jitter}},
    {{_base_.pack_pair}},
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
