_base_ = [
    '../_base_/datasets/synthetic_lasot.py',
    './dasiamrpn_r18-tiny_1xb8-4e_synthetic-lasot_base.py'
]
