# The tiny CPU SiamRPN++ with the focal loss (Lu et al., TPAMI 2020, Table 2
# 'SiamRPN++_fl'; the adapter is explained in the loss base).
_base_ = [
    './siamese-rpn_r18-tiny_1xb8-4e_synthetic-lasot_test-synthetic-lasot.py',
    '../_base_/models/siamese-rpn_loss-focal.py'
]
model = dict(head=dict(loss_cls=dict(_delete_=True, **_base_.loss_cls_focal)))
