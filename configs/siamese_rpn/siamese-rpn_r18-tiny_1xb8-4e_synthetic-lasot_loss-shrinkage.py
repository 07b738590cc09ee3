# The tiny CPU SiamRPN++ with the classification shrinkage loss of Lu et al.
# (TPAMI 2020, Table 2 'SiamRPN++_sl'): cross-entropy re-weighted by
# exp(p_t) / (1 + exp(a (p_t - c))), a=10, c=0.6, and by class-ratio weights.
# The head's (background, target) softmax is the binary form on l_1 - l_0, so
# ShrinkageBCELoss reads the two logits directly (use_sigmoid=False).
_base_ = ['./siamese-rpn_r18-tiny_1xb8-4e_synthetic-lasot_test-synthetic-lasot.py']

model = dict(
    head=dict(
        loss_cls=dict(
            _delete_=True,
            type='ShrinkageBCELoss',
            a=10.0,
            c=0.6,
            use_sigmoid=False,
            class_balance=True,
            reduction='sum',
            loss_weight=1.0)))
