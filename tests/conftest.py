"""Puts ``tests/`` on ``sys.path``: helpers shared by several test folders
(``tiny_configs``) are imported by name, as each folder's own are."""
import os.path as osp
import sys

TESTS = osp.dirname(osp.abspath(__file__))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
