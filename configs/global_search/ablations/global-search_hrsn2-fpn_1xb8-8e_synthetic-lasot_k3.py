# Ablation of the CPU default: the max-point loss trains the 3 highest
# points inside and the 3 highest outside the box (default: 16 each).
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
model = dict(head=dict(loss_cls=dict(num_points=3)))
