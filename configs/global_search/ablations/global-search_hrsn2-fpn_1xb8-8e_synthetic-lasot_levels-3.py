# Ablation of the CPU default: three levels, strides 4, 8 and 16, each with
# its own deep supervision (the default stops at stride 8).
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
model = dict(
    backbone=dict(num_stages=3, out_indices=(0, 1, 2)),
    neck=dict(in_channels=[32, 64, 128], num_outs=3),
    head=dict(strides=[4, 8, 16]))
