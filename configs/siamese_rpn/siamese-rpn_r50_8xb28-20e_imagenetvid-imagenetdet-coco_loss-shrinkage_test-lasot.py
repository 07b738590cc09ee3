# mmtrack's SiamRPN++ LaSOT benchmark with the classification shrinkage loss
# (Lu et al., TPAMI 2020, Table 2 'SiamRPN++_sl'; a=10, c=0.6). See
# siamese-rpn_r18-tiny_1xb8-4e_synthetic-lasot_loss-shrinkage.py for the loss.
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
            type='ShrinkageBCELoss',
            a=10.0,
            c=0.6,
            use_sigmoid=False,
            class_balance=True,
            reduction='sum',
            loss_weight=1.0)))
