# The benchmark-size schedule of the whole-frame trackers: 20 epochs of AdamW
# for 8 GPUs x 16 pairs.
# runner loop: no validation during training; `mim test` evaluates.
max_epochs = 20
train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_begin=max_epochs + 1)

# AdamW, linear warm-up, then cosine decay to 1%. Not tuned. With a pretrained
# backbone, consider paramwise_cfg=dict(custom_keys=dict(
# backbone=dict(lr_mult=0.1))) as mmtrack's STARK does.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=10.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=1000),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        eta_min_ratio=0.01,
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True)
]
# `--auto-scale-lr` rescales lr from the 8 x 16 pairs it was set for.
auto_scale_lr = dict(enable=False, base_batch_size=128)
