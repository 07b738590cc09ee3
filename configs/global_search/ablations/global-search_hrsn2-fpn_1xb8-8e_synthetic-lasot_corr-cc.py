# Ablation of the CPU default: 'CC' correlation, SiamFC's cross-correlation
# summed over channels, instead of dynamic convolution ('DC').
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
model = dict(head=dict(corr_type='CC'))
