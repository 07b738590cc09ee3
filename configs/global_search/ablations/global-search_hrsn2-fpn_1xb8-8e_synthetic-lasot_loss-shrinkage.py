# Ablation of the CPU default: the shrinkage-weighted cross-entropy on every
# point instead of the hard max-point loss (scores start at 0.01).
# class_balance=False: the head already divides dense losses by the number of
# positives, as for focal loss; the class-ratio weights on top of that would
# scale loss_cls by points / positives (about 3000 against a box loss of 0.6
# on 320x240 frames with a 10 px target).
_base_ = ['../global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py']
model = dict(
    head=dict(
        cls_prior_prob=0.01,
        loss_cls=dict(
            _delete_=True,
            type='ShrinkageBCELoss',
            a=10.0,
            c=0.6,
            use_sigmoid=True,
            class_balance=False,
            loss_weight=1.0)))
