"""Fixtures of the bad-input suite: a tiny tracker and its files, and
tiny LaSOT-layout videos."""
from typing import Callable

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from robust_inputs import CHECKED_TEST_PIPELINE, TINY_CONFIG_TEXT
from tiny_configs import CONFIG, TINY, save_checkpoint

from mmtrack_smallobj.apis import init_tracker
from mmtrack_smallobj.datasets.synthetic import generate_dataset


@pytest.fixture(scope='session')
def tiny_cfg() -> Config:
    """The tiny tracker's config, parsed once (init_tracker copies it)."""
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(TINY)
    return cfg


@pytest.fixture(scope='session')
def tiny_tracker(tiny_cfg) -> dict:
    """A random tiny GlobalSearchTracker, mmcv's test pipeline and the
    same pipeline starting with ``LoadImageFromFileChecked``."""
    torch.manual_seed(0)
    model, pipeline = init_tracker(tiny_cfg, None, 'cpu')
    checked = Compose([dict(t) for t in CHECKED_TEST_PIPELINE])
    return dict(model=model, pipeline=pipeline, checked_pipeline=checked)


@pytest.fixture(scope='session')
def tiny_files(tmp_path_factory, tiny_tracker) -> dict:
    """The tiny tracker as files: a config and a checkpoint of its weights."""
    tmp = tmp_path_factory.mktemp('tiny_files')
    config = tmp / 'tiny_global_search.py'
    config.write_text(TINY_CONFIG_TEXT)
    checkpoint = save_checkpoint(tiny_tracker['model'], str(tmp / 'tiny.pth'))
    return dict(config=str(config), checkpoint=checkpoint)


@pytest.fixture
def make_lasot(tmp_path) -> Callable[..., str]:
    """Write a synthetic LaSOT-layout test set; returns its root."""

    def make(name: str = 'lasot',
             videos: int = 1,
             frames: int = 3,
             frame_size=(64, 48)) -> str:
        root = str(tmp_path / name)
        generate_dataset(
            root, fmt='lasot', num_videos=videos, num_frames=frames, seed=0,
            frame_size=frame_size, size_range=(4.0, 12.0), split='test',
            progress=False)
        return root

    return make
