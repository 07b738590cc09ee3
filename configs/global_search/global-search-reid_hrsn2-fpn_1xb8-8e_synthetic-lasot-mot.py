# The re-id model trained on a mix: SOT pairs from the synthetic LaSOT-layout
# set (detection losses only) and MOT pairs with identities (detection and
# re-id), each sample drawn from either set with equal probability by
# mmtrack's RandomSampleConcatDataset. Data: both train sets of the two base
# configs (data/synthetic/lasot_train, data/synthetic/mot_train).
_base_ = ['./global-search-reid_hrsn2-fpn_1xb8-8e_synthetic-mot.py']

sot_train_dataset = dict(
    type='LaSOTDataset',
    data_root='data/synthetic/lasot_train/',
    ann_file='lasot_train_infos.txt',
    data_prefix=dict(img_path=''),
    # mmengine's ConcatDataset wants the same metainfo in every set; an SOT
    # set has no classes of its own, so it takes the MOT set's one.
    metainfo=dict(CLASSES=('pedestrian', )),
    pipeline={{_base_.train_pipeline}},
    test_mode=False)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='RandomSampleConcatDataset',
        dataset_sampling_weights=[1, 1],
        datasets=[sot_train_dataset, {{_base_.mot_train_dataset}}]))
# A batch of SOT pairs only leaves the re-id head out of the graph; DDP must
# not wait for its gradients.
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel', find_unused_parameters=True)
