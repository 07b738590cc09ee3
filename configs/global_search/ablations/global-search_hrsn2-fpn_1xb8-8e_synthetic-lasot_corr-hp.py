# Ablation of the CPU default: 'HP' correlation, the Hadamard product of the
# search features with the pooled template vector, instead of dynamic
# convolution ('DC').
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
model = dict(head=dict(corr_type='HP'))
