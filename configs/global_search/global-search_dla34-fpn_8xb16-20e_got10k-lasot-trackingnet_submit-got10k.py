_base_ = ['./global-search_dla34-fpn_8xb16-20e_got10k-lasot-trackingnet_test-got10k.py']
# our metric instead of SOTMetric: measured times, the file always kept
val_evaluator = dict(_delete_=True, type='SmallObjectSOTMetric', format_only=True, benchmark='got10k')
test_evaluator = val_evaluator
