"""Shared by the tools' tests: load a script as a module (tools/ is no
package) and write the comma-separated files the toolkit reads."""
import importlib.util
import os.path as osp

import numpy as np
import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _load_tool(relative_path: str):
    """The module of ``ROOT/relative_path``, executed once per call."""
    name = osp.splitext(relative_path)[0].replace('/', '_').replace('.', '_')
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, relative_path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_rows(path, rows, fmt='%g'):
    """``rows`` as comma-separated lines at ``path`` (a pathlib.Path),
    its folders made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savetxt(path, np.asarray(rows), fmt=fmt, delimiter=',')


@pytest.fixture(scope='session')
def load_tool():
    """``load_tool('tools/x.py')`` -> the script's module."""
    return _load_tool


@pytest.fixture(scope='session')
def write_rows():
    """``write_rows(path, rows, fmt='%g')``."""
    return _write_rows
