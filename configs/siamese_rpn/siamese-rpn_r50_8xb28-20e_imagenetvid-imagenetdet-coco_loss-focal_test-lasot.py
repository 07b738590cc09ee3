# mmtrack's SiamRPN++ LaSOT benchmark with the focal loss (Lu et al., TPAMI
# 2020, Table 2 'SiamRPN++_fl'). See
# siamese-rpn_r18-tiny_1xb8-4e_synthetic-lasot_loss-focal.py for the adapter.
_base_ = [
    'mmtrack::sot/siamese_rpn/'
    'siamese-rpn_r50_8xb28-20e_imagenetvid-imagenetdet-coco_test-lasot.py'
]
custom_imports = dict(imports=['mmtrack_smallobj'], allow_failed_imports=False)
default_scope = 'mmtrack'

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
