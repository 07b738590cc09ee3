# mmtrack's runtime with checkpoints that survive a kill during saving and
# epochs whose random draws do not depend on whether the run was resumed
# (docs/distributed.md).
_base_ = 'mmtrack::_base_/default_runtime.py'
custom_imports = dict(imports=['mmtrack_smallobj'], allow_failed_imports=False)
default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook', interval=1),
    epoch_seed=dict(type='EpochReseedHook'))
