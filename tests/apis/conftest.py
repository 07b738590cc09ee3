"""Fixtures of the api tests: a tiny tracker and its videos."""
import pytest
import torch
from tiny_configs import CONFIG, TINY

from mmtrack_smallobj.apis import init_tracker
from mmtrack_smallobj.datasets.synthetic import generate_dataset


@pytest.fixture(scope='package')
def setup(tmp_path_factory):
    """A 2-video 3-frame LaSOT set, a saved random tiny tracker, and the
    tracker loaded back from its checkpoint."""
    tmp = tmp_path_factory.mktemp('sot_inference')
    root = str(tmp / 'lasot')
    generate_dataset(root, fmt='lasot', num_videos=2, num_frames=3, seed=0,
                     split='test', progress=False)
    torch.manual_seed(0)
    fresh, _ = init_tracker(CONFIG, None, 'cpu', TINY)
    checkpoint = str(tmp / 'tiny.pth')
    torch.save({'state_dict': fresh.state_dict(), 'meta': {}}, checkpoint)
    torch.manual_seed(1)
    model, pipeline = init_tracker(CONFIG, checkpoint, 'cpu', TINY)
    return dict(root=root, fresh=fresh, checkpoint=checkpoint, model=model,
                pipeline=pipeline)
