# DMTrack's Table 1, row 'top1': the re-id model's checkpoint with the
# target picked by test_cfg.strategy='top1' (see GlobalSearchTracker).
_base_ = ['./global-search-reid_hrsn2-fpn_1xb8-8e_synthetic-mot.py']
model = dict(test_cfg=dict(strategy='top1'))
