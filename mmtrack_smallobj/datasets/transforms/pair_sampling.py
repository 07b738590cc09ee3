"""Template/search pair sampling that only draws frames where the target is seen.

mmtrack's ``PairSampling`` draws any frame of a video. Its training sets (ImageNet
VID, COCO) annotate only frames that show the object, but long-term data (LaSOT,
GOT-10k, our synthetic videos) marks absent frames with a ``0,0,0,0`` box, and a
crop around an empty box divides by zero in ``CropLikeSiamFC``. This sampler draws
only frames with ``visible`` set (mmtrack's dataset already folds the
``bbox_min_size`` check into it).
"""
from typing import Dict, List

import numpy as np
from mmtrack.datasets.transforms import PairSampling
from mmtrack.registry import TRANSFORMS


def visible_frame_indices(video_info: dict) -> np.ndarray:
    """Indices of the frames whose target is visible with a valid box.

    Args:
        video_info (dict): One video's information from an mmtrack SOT dataset
            (``visible`` and ``bboxes_isvalid`` arrays, ``video_id``).

    Returns:
        np.ndarray: Sorted frame indices.

    Raises:
        ValueError: If the video has no such frame (its ``video_id`` named).
    """
    visible = np.asarray(video_info['visible'], dtype=bool)
    if 'bboxes_isvalid' in video_info:
        visible = visible & np.asarray(video_info['bboxes_isvalid'], dtype=bool)
    indices = np.flatnonzero(visible)
    if len(indices) == 0:
        raise ValueError(
            f"video {video_info.get('video_id')} has no frame where the "
            'target is visible with a valid box; remove it from the training '
            'set or fix its annotations')
    return indices


@TRANSFORMS.register_module()
class VisiblePairSampling(PairSampling):
    """``PairSampling`` restricted to frames where the target is visible.

    Positive pairs take the template and the search frame from one video, the
    search frame within ``frame_range`` of the template; negative pairs take
    the search frame from the other video. Both frames are always visible. When
    ``filter_template_img`` leaves no other visible frame in range, the
    template frame itself is the search frame.

    Args:
        frame_range (int | list[int]): Search-frame range around the template
            frame, as ``[-r, r]`` or ``[lo, hi]``. Defaults to 5.
        pos_prob (float): Probability of a positive pair. Defaults to 0.8.
        filter_template_img (bool): Exclude the template frame from the
            search candidates. Defaults to False.
    """

    def __init__(self,
                 frame_range: int = 5,
                 pos_prob: float = 0.8,
                 filter_template_img: bool = False) -> None:
        super().__init__(
            frame_range=frame_range,
            pos_prob=pos_prob,
            filter_template_img=filter_template_img)

    def transform(self, pair_video_infos: List[dict]) -> Dict[str, list]:
        """Sample a template and a search frame.

        Args:
            pair_video_infos (list[dict]): Two videos' information, as
                mmtrack's ``BaseSOTDataset.prepare_train_data`` passes them.

        Returns:
            dict[str, list]: Sampled frames in ``PairSampling``'s format.
        """
        video_info, video_info_another = pair_video_infos
        valid = visible_frame_indices(video_info)
        # np.random (not a private generator) so that mmengine's seeding and
        # worker_init_fn govern it, as they do mmtrack's samplers.
        template = int(np.random.choice(valid))
        if self.pos_prob > np.random.random():
            low = template + self.frame_range[0]
            high = template + self.frame_range[1]
            candidates = valid[(valid >= low) & (valid < high)]
            if self.filter_template_img:
                candidates = candidates[candidates != template]
            search = (int(np.random.choice(candidates))
                      if len(candidates) else template)
            return self.prepare_data(
                video_info, [template, search], is_positive_pairs=True)
        return self.negative_pair(video_info, template, video_info_another)

    def negative_pair(self, video_info: dict, template: int,
                      negative: dict) -> Dict[str, list]:
        """A negative pair: a template frame and a random visible frame of
        another video as the search frame.

        Args:
            video_info (dict): The template's video information.
            template (int): The template frame's index in it.
            negative (dict): The search frame's video information.

        Returns:
            dict[str, list]: Both frames in ``PairSampling``'s format, with
            ``bbox_label`` 0.
        """
        search = int(np.random.choice(visible_frame_indices(negative)))
        results = self.prepare_data(
            video_info, [template], is_positive_pairs=False)
        return self.prepare_data(
            negative, [search], is_positive_pairs=False, results=results)
