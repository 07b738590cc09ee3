# The tiny CPU SiamRPN++ with the focal loss (Lu et al., TPAMI 2020, Table 2
# 'SiamRPN++_fl'). mmdet's FocalLoss is sigmoid-only, so TwoLogitSigmoidLoss
# feeds it the head's score logit l_1 - l_0 (softmax(l)[1] = sigmoid(l_1 - l_0),
# the probability the head ranks anchors by) with a one-hot target.
_base_ = ['./siamese-rpn_r18-tiny_1xb8-4e_synthetic-lasot_test-synthetic-lasot.py']

model = dict(
    head=dict(
        loss_cls=dict(
            _delete_=True,
            type='TwoLogitSigmoidLoss',
            loss=dict(
                type='mmdet.FocalLoss', use_sigmoid=True, gamma=2.0,
                alpha=0.25),
            reduction='sum',
            loss_weight=1.0)))
