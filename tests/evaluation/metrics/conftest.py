"""Shared fixtures of the metric tests."""
import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def mmtrack_scope():
    """Build metrics in mmtrack's scope, as mmtrack's configs do, whatever
    scope an earlier test (an mmengine Runner) left current."""
    with DefaultScope.overwrite_default_scope('mmtrack'):
        yield
