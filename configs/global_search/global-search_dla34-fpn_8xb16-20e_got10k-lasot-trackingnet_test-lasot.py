_base_ = [
    'mmtrack::_base_/datasets/lasot.py',
    './global-search_dla34-fpn_8xb16-20e_got10k-lasot-trackingnet_base.py'
]
