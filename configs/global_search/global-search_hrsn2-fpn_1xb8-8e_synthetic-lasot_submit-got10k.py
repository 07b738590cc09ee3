_base_ = ['./global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
# GOT-10k-format zip of the synthetic test set, measured times included
val_evaluator = dict(format_only=True, benchmark='got10k')
test_evaluator = val_evaluator
