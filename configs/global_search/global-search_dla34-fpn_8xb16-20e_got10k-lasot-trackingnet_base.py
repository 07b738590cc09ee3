# The global-search tracker at benchmark size: DLA-34 + FPN, 4 supervised
# levels, trained on whole-frame pairs from the GOT-10k, LaSOT and TrackingNet
# train sets on 8 GPUs x 16 pairs for 20 epochs. Inherited by the
# `_test-<benchmark>.py` configs, which add the test data and metric.
#
# Mixed precision: `mim train mmtrack CONFIG --amp` (or `tools/train.py
# CONFIG --amp`) turns this OptimWrapper into an AmpOptimWrapper with a dynamic
# loss scale. Only the backbone and neck then run in float16; the tracker keeps
# its head in float32, where float16 overflowed (docs/gpu.md).
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/global-search_dla34-fpn.py',
    '../_base_/datasets/got10k-lasot-trackingnet_whole_frame_train.py',
    '../_base_/schedules/adamw_8xb16-20e.py',
]
custom_imports = dict(imports=['mmtrack_smallobj'], allow_failed_imports=False)
default_scope = 'mmtrack'
randomness = dict(seed=1, deterministic=False)

default_hooks = dict(
    checkpoint=dict(
        type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3))
