# Baseline of the size-rebalancing study (README.md): the CPU default trained
# on a size-imbalanced synthetic set, 90 % of its targets above 64 px, and
# tested on a balanced one (log-uniform 4-100 px). Make the data with
#   python tools/make_synthetic.py data/synthetic/lasot_train_imbalanced \
#       --format lasot --split train --videos 60 --frames 200 --seed 0 \
#       --size-bins "4-64:0.1,64-100:0.9" --distractors 0
#   python tools/make_synthetic.py data/synthetic/lasot_test_balanced \
#       --format lasot --split test --videos 48 --frames 120 --seed 1000 \
#       --distractors 0
_base_ = [
    '../global_search/global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py'
]
train_dataloader = dict(
    dataset=dict(data_root='data/synthetic/lasot_train_imbalanced/'))
val_dataloader = dict(
    dataset=dict(data_root='data/synthetic/lasot_test_balanced/'))
test_dataloader = val_dataloader
