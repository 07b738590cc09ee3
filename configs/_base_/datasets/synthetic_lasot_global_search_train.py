# Training pairs from the synthetic LaSOT-layout set: a template and a search
# frame of the same video (both with the target visible), the same random
# scale and flip for both, then a random window of each that holds the target
# (96 px around the template box, 160 px for the search frame), colour and
# blur jitter. The windows make an iteration about 4x cheaper than whole
# frames on a CPU; the network is fully convolutional and still searches
# whole frames at test time.
# Each step is named so that configs that insert a step (the size-rebalancing
# study) reuse the others as {{_base_.<name>}} instead of copying them.
pair_sampling = dict(
    type='VisiblePairSampling',
    frame_range=100,
    pos_prob=1.0,
    filter_template_img=False)
load_frame = dict(type='LoadImageFromFile')
load_annotations = dict(type='LoadTrackAnnotations', with_instance_id=False)
frame_resize = dict(
    type='RandomResize',
    scale=(320, 240),
    ratio_range=(0.75, 1.25),
    keep_ratio=True)
frame_flip = dict(type='RandomFlip', prob=0.5, direction='horizontal')
pair_frames = dict(
    type='TransformBroadcaster',
    share_random_params=True,
    transforms=[load_frame, load_annotations, frame_resize, frame_flip])
target_windows = dict(
    type='SeqTargetCrop', crop_sizes=(96, 160), margins=(32, 8))
color_jitter = dict(type='SeqColorAug', prob=[1.0, 1.0])
blur_jitter = dict(type='SeqBlurAug', prob=[0.0, 0.2])
# target_visible_bbox: the part of the box SeqTargetOcclusion leaves
# showing, where a pipeline has it (GlobalSearchTracker's hidden_part).
pack_pair = dict(
    type='PackTrackInputs',
    ref_prefix='search',
    num_template_frames=1,
    meta_keys=('target_visible_bbox', ))
train_pipeline = [
    pair_sampling, pair_frames, target_windows, color_jitter, blur_jitter,
    pack_pair
]

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    # Workers restarted (and reseeded) every epoch: a resumed run then draws
    # the same augmentations as an uninterrupted one (EpochReseedHook).
    persistent_workers=False,
    sampler=dict(type='QuotaSampler', samples_per_epoch=1600),
    dataset=dict(
        type='LaSOTDataset',
        data_root='data/synthetic/lasot_train/',
        ann_file='lasot_train_infos.txt',
        data_prefix=dict(img_path=''),
        pipeline=train_pipeline,
        test_mode=False))
