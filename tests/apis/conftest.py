"""Fixtures of the api tests: a tiny tracker and its videos."""
import pytest
import torch
from tiny_configs import CONFIG, TINY, save_checkpoint, write_tiny_lasot

from mmtrack_smallobj.apis import init_tracker


@pytest.fixture(scope='package')
def setup(tmp_path_factory):
    """A 2-video 3-frame LaSOT set, a saved random tiny tracker, and the
    tracker loaded back from its checkpoint."""
    tmp = tmp_path_factory.mktemp('sot_inference')
    root = write_tiny_lasot(str(tmp / 'lasot'))
    torch.manual_seed(0)
    fresh, _ = init_tracker(CONFIG, None, 'cpu', TINY)
    checkpoint = save_checkpoint(fresh, str(tmp / 'tiny.pth'))
    torch.manual_seed(1)
    model, pipeline = init_tracker(CONFIG, checkpoint, 'cpu', TINY)
    return dict(root=root, fresh=fresh, checkpoint=checkpoint, model=model,
                pipeline=pipeline)
