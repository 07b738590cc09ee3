# SiamRPN++'s classification loss replaced by the shrinkage loss of Lu et al.
# (TPAMI 2020, Table 2 'SiamRPN++_sl'): cross-entropy re-weighted by
# exp(p_t) / (1 + exp(a (p_t - c))), a=10, c=0.6, and by class-ratio weights.
# The head's (background, target) softmax is the binary form on l_1 - l_0, so
# ShrinkageBCELoss reads the two logits directly (use_sigmoid=False). A
# variable, not `model`: the configs that use it also inherit a model, and
# mmengine rejects a key that two bases define.
loss_cls_shrinkage = dict(
    type='ShrinkageBCELoss',
    a=10.0,
    c=0.6,
    use_sigmoid=False,
    class_balance=True,
    reduction='sum',
    loss_weight=1.0)
