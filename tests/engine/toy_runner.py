"""The smallest mmengine training the hook tests run: a one-layer model on
four fixed samples, SGD, in mmengine's scope. Not a test module."""
from typing import List, Optional, Union

import torch
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn
from torch.utils.data import Dataset

TOY_SAMPLES = 4


class ToyModel(BaseModel):
    """One linear layer; the loss drives its weights towards zero."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(torch.stack(inputs))
        return dict(loss=out.pow(2).mean()) if mode == 'loss' else out


class ToyDataset(Dataset):
    """``TOY_SAMPLES`` fixed two-value inputs."""

    def __len__(self) -> int:
        return TOY_SAMPLES

    def __getitem__(self, idx: int) -> dict:
        return dict(inputs=torch.tensor([float(idx), 1.0]))


def toy_runner(work_dir: str,
               name: str,
               batch_size: int,
               checkpoint: Union[Hook, dict],
               train_cfg: Optional[dict] = None,
               sampler: str = 'DefaultSampler',
               custom_hooks: Optional[List[Hook]] = None,
               resume: bool = False) -> Runner:
    """A runner that trains :class:`ToyModel` on :class:`ToyDataset`.

    Args:
        work_dir (str): The runner's work_dir.
        name (str): Its experiment name.
        batch_size (int): Samples per iteration.
        checkpoint (Hook | dict): The checkpoint hook (``default_hooks``).
        train_cfg (dict, optional): The loop; None trains 3 epochs.
        sampler (str): Sampler type, not shuffled. Defaults to
            'DefaultSampler'.
        custom_hooks (list[Hook], optional): More hooks.
        resume (bool): Resume from work_dir's last checkpoint. Defaults to
            False.

    Returns:
        Runner: Built, not yet trained.
    """
    return Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        experiment_name=name,
        train_dataloader=dict(
            dataset=ToyDataset(),
            sampler=dict(type=sampler, shuffle=False),
            batch_size=batch_size,
            num_workers=0),
        train_cfg=train_cfg or dict(by_epoch=True, max_epochs=3),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        default_hooks=dict(checkpoint=checkpoint),
        custom_hooks=custom_hooks,
        default_scope='mmengine',
        resume=resume)
