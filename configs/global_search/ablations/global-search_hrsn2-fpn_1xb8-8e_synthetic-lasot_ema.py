# Ablation of the CPU default: the checkpoint holds an exponential moving
# average of the weights from the 4th of 8 epochs on (mmengine's EMAHook;
# the last ~250 iterations weigh most). Session 19, two seeds: no
# gain, since the cosine schedule already ends at 1% of the learning rate
# (configs/global_search/README.md).
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
custom_hooks = [
    dict(
        type='EMAHook',
        ema_type='ExponentialMovingAverage',
        momentum=0.004,
        begin_epoch=4,
        priority=49)
]
