"""Shared fixtures of the engine tests."""
import itertools

import pytest
from mmengine.registry import DefaultScope

_restore_ids = itertools.count()


@pytest.fixture(autouse=True)
def restore_default_scope():
    """Give later tests back the default scope they had.

    An mmengine ``Runner`` built here with ``default_scope='mmengine'``
    becomes the process's current scope, and registry lookups of later
    tests (``METRICS.build(dict(type='SmallObjectSOTMetric'))``) would then
    search mmengine's registries instead of mmtrack's.
    """
    before = DefaultScope.get_current_instance()
    scope = None if before is None else before.scope_name
    yield
    after = DefaultScope.get_current_instance()
    if scope is not None and (after is None or after.scope_name != scope):
        DefaultScope.get_instance(
            f'restored_by_engine_tests_{next(_restore_ids)}', scope_name=scope)
