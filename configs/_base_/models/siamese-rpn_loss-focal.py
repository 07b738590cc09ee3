# SiamRPN++'s classification loss replaced by the focal loss (Lu et al.,
# TPAMI 2020, Table 2 'SiamRPN++_fl'). mmdet's FocalLoss is sigmoid-only, so
# TwoLogitSigmoidLoss feeds it the head's score logit l_1 - l_0
# (softmax(l)[1] = sigmoid(l_1 - l_0), the probability the head ranks anchors
# by) with a one-hot target. A variable, not `model`: the configs that use it
# also inherit a model, and mmengine rejects a key that two bases define.
loss_cls_focal = dict(
    type='TwoLogitSigmoidLoss',
    loss=dict(type='mmdet.FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25),
    reduction='sum',
    loss_weight=1.0)
