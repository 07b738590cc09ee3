# mmtrack's SiamRPN++ LaSOT benchmark with the focal loss (Lu et al., TPAMI
# 2020, Table 2 'SiamRPN++_fl'; the adapter is explained in the loss base).
_base_ = [
    'mmtrack::sot/siamese_rpn/'
    'siamese-rpn_r50_8xb28-20e_imagenetvid-imagenetdet-coco_test-lasot.py',
    '../_base_/models/siamese-rpn_loss-focal.py'
]
custom_imports = dict(imports=['mmtrack_smallobj'], allow_failed_imports=False)
default_scope = 'mmtrack'
model = dict(head=dict(loss_cls=dict(_delete_=True, **_base_.loss_cls_focal)))
