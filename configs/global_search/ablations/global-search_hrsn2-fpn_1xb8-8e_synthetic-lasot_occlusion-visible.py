# The _occlusion ablation with the score maps' target points on the visible
# part of the box and the hidden rest ignored (the tracker's default).
_base_ = ['./global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot_occlusion.py']
model = dict(train_cfg=dict(hidden_part='ignore'))
