"""Balancing of the detection and re-id losses of a joint model.

Detection and identity classification have losses of different scales that
change differently during training; a hand-set ratio is fragile. JDE
("Towards Real-Time Multi-Object Tracking", 2020, after Kendall et al.)
learns one log-variance per task instead:
``0.5 * (exp(-s_det) * L_det + exp(-s_id) * L_id + s_det + s_id)``.
:class:`FixedLossWeighting` is the configured-weight alternative with the
same interface.
"""
from typing import Dict, List, Union

import torch
from mmdet.utils import OptMultiConfig
from mmengine.model import BaseModule
from mmtrack.registry import MODELS
from torch import Tensor, nn

LossDict = Dict[str, Union[Tensor, List[Tensor]]]


def task_total(losses: LossDict) -> Tensor:
    """Sum of the entries whose key contains 'loss', reduced as mmengine's
    ``BaseModel.parse_losses`` does (mean of a tensor, sum of the means of
    a list).

    Args:
        losses (dict): One task's loss dict; must hold at least one loss.

    Returns:
        Tensor: Scalar total.
    """
    terms = []
    for key, value in losses.items():
        if 'loss' not in key:
            continue
        if isinstance(value, Tensor):
            terms.append(value.mean())
        else:
            terms.extend(item.mean() for item in value)
    if not terms:
        raise ValueError(f'no loss entries among {sorted(losses)}')
    return torch.stack(terms).sum()


@MODELS.register_module()
class UncertaintyLossWeighting(BaseModule):
    """JDE's learnable task-uncertainty weighting of two loss dicts.

    Returns ``loss_det = 0.5 * exp(-s_det) * L_det``, ``loss_id = 0.5 *
    exp(-s_id) * L_id`` and ``loss_uncertainty = 0.5 * (s_det + s_id)``,
    whose sum (what mmengine optimises) is JDE's loss, plus the detached
    ``s_det`` and ``s_id`` for the log (no 'loss' in their names, so not
    summed). A task with an empty dict in a batch (SOT pairs carry no
    identities) drops its whole term, regulariser included: alone,
    ``0.5 * s`` would drive its ``s`` down for nothing.

    Args:
        init_s_det (float): Initial ``s_det``. Defaults to -1.85
            (FairMOT's).
        init_s_id (float): Initial ``s_id``. Defaults to -1.05 (FairMOT's).
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    def __init__(self,
                 init_s_det: float = -1.85,
                 init_s_id: float = -1.05,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.s_det = nn.Parameter(torch.tensor(float(init_s_det)))
        self.s_id = nn.Parameter(torch.tensor(float(init_s_id)))

    def forward(self, det_losses: LossDict,
                id_losses: LossDict) -> Dict[str, Tensor]:
        """Weight the two tasks' losses.

        Args:
            det_losses (dict): Detection losses (keys with 'loss' summed).
            id_losses (dict): Re-id losses, e.g. ``loss_reid``.

        Returns:
            dict[str, Tensor]: ``loss_det``, ``loss_id``,
            ``loss_uncertainty``, ``s_det`` and ``s_id``.
        """
        # `* 0` keeps both parameters in the graph when a task is absent.
        out = dict(loss_uncertainty=(self.s_det + self.s_id) * 0)
        for name, s, losses in (('det', self.s_det, det_losses),
                                ('id', self.s_id, id_losses)):
            if not losses:
                continue
            out[f'loss_{name}'] = 0.5 * torch.exp(-s) * task_total(losses)
            out['loss_uncertainty'] = out['loss_uncertainty'] + 0.5 * s
        out['s_det'] = self.s_det.detach()
        out['s_id'] = self.s_id.detach()
        return out


@MODELS.register_module()
class FixedLossWeighting(nn.Module):
    """Configured weights for the two tasks, with the interface of
    :class:`UncertaintyLossWeighting`.

    Args:
        det_weight (float): Weight of the detection total. Defaults to 1.
        id_weight (float): Weight of the re-id total. Defaults to 1.
    """

    def __init__(self,
                 det_weight: float = 1.0,
                 id_weight: float = 1.0) -> None:
        super().__init__()
        self.det_weight = det_weight
        self.id_weight = id_weight

    def forward(self, det_losses: LossDict,
                id_losses: LossDict) -> Dict[str, Tensor]:
        """``loss_det`` and ``loss_id``, each its weight times its total;
        an empty dict gives no entry."""
        out = {}
        if det_losses:
            out['loss_det'] = self.det_weight * task_total(det_losses)
        if id_losses:
            out['loss_id'] = self.id_weight * task_total(id_losses)
        return out
