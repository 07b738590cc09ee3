# Ablation of the CPU default: 'DW' correlation, the depthwise
# cross-correlation of SiamRPN++ with the pooled k x k template, instead of
# dynamic convolution ('DC').
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
model = dict(head=dict(corr_type='DW'))
