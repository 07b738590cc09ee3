# Ablation of the CPU default: the generator's own partly hidden frames
# (cover.label levels 1-7, read by LaSOTCoverDataset) are the search frame of
# half the pairs from videos that have them, and templates show the whole
# target, as a test video's first frame does (session 15).
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
pair_sampling = dict(
    type='VisiblePairSampling',
    frame_range=100,
    pos_prob=1.0,
    filter_template_img=False,
    partly_hidden_prob=0.5,
    whole_template=True)
train_pipeline = [
    pair_sampling,
    {{_base_.pair_frames}},
    {{_base_.target_windows}},
    {{_base_.color_jitter}},
    {{_base_.blur_jitter}},
    {{_base_.pack_pair}},
]
train_dataloader = dict(
    dataset=dict(type='LaSOTCoverDataset', pipeline=train_pipeline))
