_base_ = [
    'mmtrack::_base_/datasets/trackingnet.py',
    './global-search_dla34-fpn_8xb16-20e_got10k-lasot-trackingnet_base.py'
]

# evaluator
val_evaluator = dict(outfile_prefix='results/global_search_dla34_trackingnet')
test_evaluator = val_evaluator
