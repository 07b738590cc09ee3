"""LaSOT-layout videos with GOT-10k cover levels, where a video has them.

LaSOT marks a frame only as visible or not (``full_occlusion.txt``,
``out_of_view.txt``). GOT-10k also says how much of the target shows
(``cover.label``, levels 0..8), and mmtrack's ``GOT10kDataset`` hands it to
the pipeline as ``visible_ratio`` (level / 8). The synthetic generator writes
``cover.label`` into its LaSOT-layout videos too; this dataset reads it the
same way, so that a pair sampler can draw partly hidden frames
(``VisiblePairSampling(partly_hidden_prob=...)``) on either layout. A video
without the file is read exactly as ``LaSOTDataset`` reads it.
"""
import os.path as osp

from mmtrack.datasets import LaSOTDataset
from mmtrack.registry import DATASETS

from ..evaluation.functional import MAX_COVER_LEVEL, read_cover_levels


@DATASETS.register_module()
class LaSOTCoverDataset(LaSOTDataset):
    """``LaSOTDataset`` that adds ``visible_ratio`` from ``cover.label``.

    Takes ``LaSOTDataset``'s arguments. Per video, when
    ``<video>/cover.label`` exists, the visibility information gains
    ``visible_ratio`` (cover level / 8, as mmtrack's ``GOT10kDataset``
    gives it) and a frame with level 0 is not visible even if the LaSOT
    flags say so.

    Raises:
        EvaluationInputError: A ``cover.label`` with a level outside 0..8,
            a value that is not an integer, or a line count that differs
            from the video's frames (the file and line named).
    """

    def get_visibility_from_video(self, video_idx: int) -> dict:
        """LaSOT's visibility flags, plus ``visible_ratio`` if the video
        has cover levels.

        Args:
            video_idx (int): The index of the video.

        Returns:
            dict: ``visible`` (N,) bool and, with ``cover.label``,
            ``visible_ratio`` (N,) float in [0, 1].
        """
        info = super().get_visibility_from_video(video_idx)
        video_dir = osp.join(
            self.data_prefix['img_path'],
            osp.dirname(self.get_data_info(video_idx)['video_path']))
        cover = read_cover_levels(video_dir, len(info['visible']))
        if cover is not None:
            info['visible'] = info['visible'] & (cover > 0)
            info['visible_ratio'] = cover / MAX_COVER_LEVEL
        return info
