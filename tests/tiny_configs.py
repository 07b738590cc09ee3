"""Shipped configs tests build, the CPU default shrunk to 4 channels, and
that tiny tracker written out as the config and checkpoint files a tool
reads.

Imported as ``tiny_configs``: pytest's ``pythonpath`` (pyproject.toml) puts
this folder on ``sys.path`` for every test folder."""
import os.path as osp
from typing import Dict

import torch

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
# The same shrinking as the body of a config file that inherits a shipped
# one; {model_extra} adds keys of the model dict (a re-id head).
TINY_MODEL_TEXT = """model = dict(
    backbone=dict(base_channels=4),
    neck=dict(in_channels=[4, 8], out_channels=4),
    head=dict(in_channels=4, feat_channels=4),{model_extra}
    test_cfg=dict(short_side=64))
"""


def tiny_config_text(base: str = CONFIG, model_extra: str = '',
                     extra: str = '') -> str:
    """A config file's text: ``base`` with :data:`TINY`'s shrinking, then
    ``extra`` (more top-level keys)."""
    return (f'_base_ = [{base!r}]\n' +
            TINY_MODEL_TEXT.format(model_extra=model_extra) + extra)


def save_checkpoint(model: torch.nn.Module, path: str) -> str:
    """Save ``model``'s weights as an mmengine checkpoint; returns ``path``."""
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def save_tiny_tracker(folder: str, name: str = 'tiny', base: str = CONFIG,
                      model_extra: str = '', seed: int = 0) -> Dict[str, str]:
    """Write a tiny tracker's config (:func:`tiny_config_text`) and the
    random weights it builds with torch seed ``seed`` to
    ``folder/name.py`` and ``folder/name.pth``.

    Returns:
        dict[str, str]: ``config`` and ``checkpoint`` paths.
    """
    from mmtrack_smallobj.apis import init_tracker
    config = osp.join(str(folder), f'{name}.py')
    with open(config, 'w') as f:
        f.write(tiny_config_text(base, model_extra))
    torch.manual_seed(seed)
    model, _ = init_tracker(config, None, 'cpu')
    checkpoint = save_checkpoint(model, osp.join(str(folder), f'{name}.pth'))
    return dict(config=config, checkpoint=checkpoint)


def write_tiny_lasot(root: str) -> str:
    """A 2-video, 3-frame synthetic LaSOT-layout test set at ``root``."""
    from mmtrack_smallobj.datasets.synthetic import generate_dataset
    generate_dataset(root, fmt='lasot', num_videos=2, num_frames=3, seed=0,
                     split='test', progress=False)
    return root
