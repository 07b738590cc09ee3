# GSTP's global tracker (SiamRCNN) at CPU size, trained from scratch on the
# synthetic LaSOT-layout set: the global-search tracker's training pairs
# (random target-holding windows of a template and a search frame, see the
# dataset base) and its AdamW schedule. Inherited by the `_test-*.py`
# configs, which add the test data and metric.
_base_ = [
    '../_base_/models/siam-rcnn_r18-tiny.py',
    '../_base_/datasets/synthetic_lasot_global_search_train.py',
    '../_base_/schedules/adamw_cpu.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmtrack_smallobj'], allow_failed_imports=False)
default_scope = 'mmtrack'
randomness = dict(seed=1, deterministic=False)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=1))
