_base_ = [
    'mmtrack::_base_/datasets/lasot.py',
    './siam-rcnn_r50_8xb16-20e_got10k-lasot-trackingnet_base.py'
]
