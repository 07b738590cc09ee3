"""mmtrack_smallobj: long-term, global-search tracking of small objects.

An MMTracking 1.x plugin. Importing this package registers every component into
mmtrack's registries, so configs only need::

    custom_imports = dict(imports=['mmtrack_smallobj'], allow_failed_imports=False)
    default_scope = 'mmtrack'
"""
from .version import __version__
from . import datasets, engine, evaluation, models, utils  # noqa: F401,E402

__all__ = ['__version__']
