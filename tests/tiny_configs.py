"""Shipped configs tests build, and the CPU default shrunk to 4 channels.

Imported as ``tiny_configs``: pytest's ``pythonpath`` (pyproject.toml) puts
this folder on ``sys.path`` for every test folder."""
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'configs', 'global_search',
                  'global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py')
DLA34_CONFIG = osp.join(
    ROOT, 'configs', 'global_search',
    'global-search_dla34-fpn_8xb16-20e_got10k-lasot-trackingnet_base.py')
SEARCH_224_CONFIG = osp.join(
    ROOT, 'configs', 'global_search', 'ablations',
    'global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot_search-224.py')
SIAMRPN_CONFIG = osp.join(
    ROOT, 'configs', 'siamese_rpn',
    'siamese-rpn_r18-tiny_1xb8-4e_synthetic-lasot_test-synthetic-lasot.py')
# The CPU default with 4-channel layers and a 64-pixel test scale.
TINY = {
    'model.backbone.base_channels': 4,
    'model.neck.in_channels': [4, 8],
    'model.neck.out_channels': 4,
    'model.head.in_channels': 4,
    'model.head.feat_channels': 4,
    'model.test_cfg.short_side': 64,
}
