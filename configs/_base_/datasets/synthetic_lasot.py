# Synthetic small-object long-term data in LaSOT layout, made by
#   python tools/make_synthetic.py data/synthetic/lasot_train --format lasot --split train
#   python tools/make_synthetic.py data/synthetic/lasot_test --format lasot --split test
# and read by mmtrack's own LaSOTDataset, unchanged.
train_data_root = 'data/synthetic/lasot_train/'
test_data_root = 'data/synthetic/lasot_test/'

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadTrackAnnotations', with_instance_id=False),
    dict(type='PackTrackInputs', pack_single_img=True)
]

val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='VideoSampler'),
    dataset=dict(
        type='LaSOTDataset',
        data_root=test_data_root,
        ann_file='lasot_test_infos.txt',
        data_prefix=dict(img_path=''),
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(type='SmallObjectSOTMetric', convention='mmtrack')
test_evaluator = val_evaluator

val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
