"""Template/search crop pairs and the loss step that the SiamRPN++-family
tests train on. Not a test module."""
from typing import Dict, Sequence

import torch
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from torch import Tensor

from mmtrack.structures import TrackDataSample


def crop_pairs(labels: Sequence[int], box: Sequence[float]) -> dict:
    """Random 127 px template and 255 px search crops, one pair a label.

    Args:
        labels (Sequence[int]): 1 for a positive pair, 0 for a negative
            one (its search crop does not show the target).
        box (Sequence[float]): x1, y1, x2, y2 of the target in both crops.

    Returns:
        dict: ``inputs`` (``img`` (N, 1, 3, 127, 127) and ``search_img``
        (N, 1, 3, 255, 255) in 0-255) and ``data_samples``, what the data
        preprocessor takes.
    """
    samples = []
    for label in labels:
        sample = TrackDataSample()
        for key in ('gt_instances', 'search_gt_instances'):
            sample.set_field(
                InstanceData(
                    bboxes=torch.tensor([list(box)]),
                    labels=torch.tensor([label])), key)
        samples.append(sample)
    num = len(samples)
    inputs = dict(
        img=torch.rand(num, 1, 3, 127, 127) * 255,
        search_img=torch.rand(num, 1, 3, 255, 255) * 255)
    return dict(inputs=inputs, data_samples=samples)


def rpn_loss_step(model: BaseModel, labels: Sequence[int],
                  box: Sequence[float]) -> Dict[str, Tensor]:
    """Check one training step of a SiamRPN++-family model on crop pairs:
    exactly the two RPN losses, both finite and positive, and their sum
    backpropagated.

    Args:
        model (BaseModel): The model, in train mode.
        labels (Sequence[int]): One pair a label, see :func:`crop_pairs`.
        box (Sequence[float]): The target's box in both crops.

    Returns:
        dict[str, Tensor]: ``loss_rpn_cls`` and ``loss_rpn_bbox``.
    """
    data = model.data_preprocessor(crop_pairs(labels, box), True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert set(losses) == {'loss_rpn_cls', 'loss_rpn_bbox'}
    for name, value in losses.items():
        assert torch.isfinite(value), name
        assert value.item() > 0, name
    sum(losses.values()).backward()
    return losses
