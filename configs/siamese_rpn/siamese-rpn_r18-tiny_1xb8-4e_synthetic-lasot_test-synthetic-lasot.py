_base_ = [
    '../_base_/datasets/synthetic_lasot.py',
    './siamese-rpn_r18-tiny_1xb8-4e_synthetic-lasot_base.py'
]
