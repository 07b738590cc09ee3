_base_ = [
    '../_base_/datasets/synthetic_lasot.py',
    './siam-rcnn_r18-tiny_1xb8-8e_synthetic-lasot_base.py'
]
