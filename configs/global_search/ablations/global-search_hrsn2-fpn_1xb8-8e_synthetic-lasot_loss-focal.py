# Ablation of the CPU default: focal loss on every point instead of the hard
# max-point loss (scores start at 0.01, as for focal loss in detection).
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
model = dict(
    head=dict(
        cls_prior_prob=0.01,
        loss_cls=dict(
            _delete_=True,
            type='mmdet.FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0)))
