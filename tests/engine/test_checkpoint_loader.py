import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, load_checkpoint

import mmtrack_smallobj  # noqa: F401  (registers the loader)
from mmtrack_smallobj.engine import load_from_local


def test_runner_style_checkpoint_loads(tmp_path):
    # What mmengine's runner writes: weights plus message-hub history buffers,
    # which torch >= 2.6's weights_only default refuses.
    buffer = HistoryBuffer()
    buffer.update(np.float64(0.5))
    model = torch.nn.Linear(2, 1)
    path = tmp_path / 'epoch_1.pth'
    torch.save(
        dict(state_dict=model.state_dict(),
             message_hub=dict(log_scalars={'train/loss': buffer})), path)
    loaded = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert loaded['message_hub']['log_scalars']['train/loss'].current() == 0.5
    target = torch.nn.Linear(2, 1)
    load_checkpoint(target, str(path), map_location='cpu')
    assert torch.equal(target.weight, model.weight)


def test_missing_checkpoint_names_the_file(tmp_path):
    missing = tmp_path / 'nope.pth'
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        load_from_local(str(missing))


def test_local_paths_dispatch_to_our_loader_named_local():
    # mmengine logs the backend as the loader's name past 'load_from_'.
    from mmengine.runner.checkpoint import CheckpointLoader
    loader = CheckpointLoader._get_checkpoint_loader('work_dirs/x/epoch_1.pth')
    assert loader is load_from_local
    assert loader.__name__[len('load_from_'):] == 'local'
