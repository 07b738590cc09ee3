"""Shipped configs tests build, the CPU default shrunk to 4 channels, and
that tiny tracker written out as the config and checkpoint files a tool
reads.

Imported as ``tiny_configs``: pytest's ``pythonpath`` (pyproject.toml) puts
this folder on ``sys.path`` for every test folder."""
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.config import Config

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


def tiny_config_text(base: str = CONFIG,
                     model_extra: Optional[dict] = None,
                     extra: str = '') -> str:
    """A config file's text: ``base`` with :data:`TINY`'s shrinking (and
    ``model_extra``'s keys added to the model dict, e.g. a re-id head),
    then ``extra`` (more top-level keys)."""
    shrunk = Config()
    shrunk.merge_from_dict(TINY)
    model = shrunk.to_dict()['model']
    model.update(model_extra or {})
    return f'_base_ = [{base!r}]\nmodel = {model!r}\n' + extra


def save_checkpoint(model: torch.nn.Module, path: str) -> str:
    """Save ``model``'s weights as an mmengine checkpoint; returns ``path``."""
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def save_tiny_tracker(folder: str,
                      name: str = 'tiny',
                      base: str = CONFIG,
                      model_extra: Optional[dict] = None) -> Dict[str, str]:
    """Write a tiny tracker's config (:func:`tiny_config_text`) and the
    random weights it builds with torch seed 0 to
    ``folder/name.py`` and ``folder/name.pth``.

    Returns:
        dict[str, str]: ``config`` and ``checkpoint`` paths.
    """
    from mmtrack_smallobj.apis import init_tracker
    config = osp.join(str(folder), f'{name}.py')
    with open(config, 'w') as f:
        f.write(tiny_config_text(base, model_extra))
    torch.manual_seed(0)
    model, _ = init_tracker(config, None, 'cpu')
    checkpoint = save_checkpoint(model, osp.join(str(folder), f'{name}.pth'))
    return dict(config=config, checkpoint=checkpoint)


def write_tiny_lasot(root: str) -> str:
    """A 2-video, 3-frame synthetic LaSOT-layout test set at ``root``."""
    from mmtrack_smallobj.datasets.synthetic import generate_dataset
    generate_dataset(root, fmt='lasot', num_videos=2, num_frames=3, seed=0,
                     split='test', progress=False)
    return root
