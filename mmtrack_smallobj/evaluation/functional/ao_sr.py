"""GOT-10k style average overlap (AO) and success rates (SR@0.5, SR@0.75).

The got10k toolkit pools the frames of all videos (a long video weighs
more); pytracking averages per-video means (every video weighs the same).
Both are offered and a convention picks one, see ``AO_POOLED``.
"""
from typing import Dict, Optional, Sequence

import numpy as np

__all__ = ['AO_POOLED', 'average_overlap']

# Whether a convention pools frames over videos (True) or averages per-video
# means (False). mmtrack has no AO of its own; it gets pytracking's rule.
AO_POOLED: Dict[str, bool] = dict(mmtrack=False, got10k=True, lasot=False)


def _ao_sr(ious: np.ndarray) -> np.ndarray:
    """(AO, SR@0.5, SR@0.75) of one set of IoUs, as fractions."""
    return np.array([
        np.mean(ious),
        np.mean(ious > 0.5),
        np.mean(ious > 0.75),
    ])


def average_overlap(ious: Sequence[np.ndarray],
                    masks: Sequence[np.ndarray],
                    pooled: bool,
                    extra_masks: Optional[Sequence[np.ndarray]] = None
                    ) -> Dict[str, float]:
    """AO and SR in percent over the masked frames.

    Args:
        ious (Sequence[np.ndarray]): Per video, per-frame IoU without NaN.
        masks (Sequence[np.ndarray]): Per video, frames AO is defined on.
        pooled (bool): Pool frames over videos (got10k) or average
            per-video values (pytracking).
        extra_masks (Sequence[np.ndarray], optional): Per video, a further
            restriction (e.g. a size bin). Defaults to None.

    Returns:
        dict: ``ao``, ``sr50``, ``sr75`` in percent (NaN if no frame), and
        ``num_frames``.
    """
    selected = []
    for i, (iou, mask) in enumerate(zip(ious, masks)):
        if extra_masks is not None:
            mask = mask & extra_masks[i]
        selected.append(np.asarray(iou, np.float64)[mask])
    num_frames = int(sum(len(s) for s in selected))
    if num_frames == 0:
        nan = float('nan')
        return dict(ao=nan, sr50=nan, sr75=nan, num_frames=0)
    if pooled:
        values = _ao_sr(np.concatenate(selected))
    else:
        values = np.mean([_ao_sr(s) for s in selected if len(s)], axis=0)
    return dict(
        ao=100.0 * float(values[0]),
        sr50=100.0 * float(values[1]),
        sr75=100.0 * float(values[2]),
        num_frames=num_frames)
