"""Utilities that register nothing: entry-point glue for mmtrack's tools and
the checks shared by config options (:mod:`.config_checks`)."""
from .mmtrack_tools import (install_mim_test_shim, mmtrack_tool_path,
                            normalise_tool_argv, run_mmtrack_tool)

__all__ = [
    'install_mim_test_shim', 'mmtrack_tool_path', 'normalise_tool_argv',
    'run_mmtrack_tool'
]
