# Ablation of the CPU default: one level, stride 4 only. The backbone stops
# after its stride-4 stage (the stride-8 stage is what the default adds), so
# the FPN has a single input and nothing from a coarser level.
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
model = dict(
    backbone=dict(num_stages=1, out_indices=(0, )),
    neck=dict(in_channels=[32], num_outs=1),
    head=dict(strides=[4]))
