# Ablation of the CPU default: binary cross-entropy on every point instead of
# the hard max-point loss (scores start at 0.01).
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
model = dict(
    head=dict(
        cls_prior_prob=0.01,
        loss_cls=dict(
            _delete_=True,
            type='mmdet.CrossEntropyLoss',
            use_sigmoid=True,
            loss_weight=1.0)))
