# The CPU default: trains from scratch on the synthetic LaSOT-layout set in
# minutes on 2 cores and tests on its held-out videos (`make demo`).
_base_ = [
    '../_base_/models/global-search_hrsn-fpn.py',
    '../_base_/datasets/synthetic_lasot_global_search_train.py',
    '../_base_/datasets/synthetic_lasot.py',
    '../_base_/schedules/adamw_cpu.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmtrack_smallobj'], allow_failed_imports=False)
default_scope = 'mmtrack'
randomness = dict(seed=1, deterministic=False)
val_evaluator = dict(convention='lasot')
test_evaluator = val_evaluator
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(
        type='AtomicCheckpointHook', interval=1, max_keep_ckpts=1))
