"""Template/search pair sampling that only draws frames showing the target.

mmtrack's ``PairSampling`` draws any frame of a video. Its training sets
(ImageNet VID, COCO) annotate only frames that show the object, but
long-term data (LaSOT, GOT-10k, our synthetic videos) marks absent frames
with a ``0,0,0,0`` box, and a crop around an empty box divides by zero in
``CropLikeSiamFC``. This sampler draws only frames with ``visible`` set
(mmtrack's dataset already folds the ``bbox_min_size`` check into it).
"""
from typing import Dict, List, Tuple

import numpy as np
from mmtrack.datasets.transforms import PairSampling
from mmtrack.registry import TRANSFORMS

from ...utils.config_checks import check_number


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
        visible = visible & np.asarray(video_info['bboxes_isvalid'],
                                       dtype=bool)
    indices = np.flatnonzero(visible)
    if len(indices) == 0:
        raise ValueError(
            f"video {video_info.get('video_id')} has no frame where the "
            'target is visible with a valid box; remove it from the training '
            'set or fix its annotations')
    return indices


def split_by_visible_ratio(video_info: dict, frames: np.ndarray
                           ) -> Tuple[np.ndarray, np.ndarray]:
    """The frames that show the whole target and those that show part of it.

    Args:
        video_info (dict): One video's information; ``visible_ratio`` (N,)
            in [0, 1] where the dataset gives it.
        frames (np.ndarray): Frame indices to split (the visible ones).

    Returns:
        tuple[np.ndarray, np.ndarray]: ``frames`` with a ratio of 1, and
        with a ratio strictly between 0 and 1; both empty without
        ``visible_ratio``.
    """
    if video_info.get('visible_ratio') is None:
        empty = np.zeros(0, np.int64)
        return empty, empty
    ratio = np.asarray(video_info['visible_ratio'], np.float64)[frames]
    return frames[ratio >= 1], frames[(ratio > 0) & (ratio < 1)]


@TRANSFORMS.register_module()
class VisiblePairSampling(PairSampling):
    """``PairSampling`` restricted to frames where the target is visible.

    Positive pairs take the template and the search frame from one video, the
    search frame within ``frame_range`` of the template; negative pairs take
    the search frame from the other video. Both frames are always visible. When
    ``filter_template_img`` leaves no other visible frame in range, the
    template frame itself is the search frame.

    Where the video info has ``visible_ratio`` (GOT-10k's cover level / 8:
    mmtrack's ``GOT10kDataset``, or ``LaSOTCoverDataset`` on the synthetic
    videos), two options use it. ``whole_template`` draws the template among
    the frames that show the whole target, as the first frame of a test
    video does. ``partly_hidden_prob`` draws the search frame of a positive
    pair, with that probability, among the frames that show part of the
    target, anywhere in the video (they are few; a frame range would leave
    most pairs without one). A video without such frames, or without
    ``visible_ratio``, is sampled as if both were off.

    Args:
        frame_range (int | list[int]): Search-frame range around the template
            frame, as ``[-r, r]`` or ``[lo, hi]``. Defaults to 5.
        pos_prob (float): Probability of a positive pair. Defaults to 0.8.
        filter_template_img (bool): Exclude the template frame from the
            search candidates. Defaults to False.
        partly_hidden_prob (float): Probability that a positive pair's search
            frame is a partly hidden one. Defaults to 0 (off).
        whole_template (bool): Draw the template among the frames that show
            the whole target. Defaults to False.
    """

    def __init__(self,
                 frame_range: int = 5,
                 pos_prob: float = 0.8,
                 filter_template_img: bool = False,
                 partly_hidden_prob: float = 0.0,
                 whole_template: bool = False) -> None:
        super().__init__(
            frame_range=frame_range,
            pos_prob=pos_prob,
            filter_template_img=filter_template_img)
        self.partly_hidden_prob = check_number('partly_hidden_prob',
                                               partly_hidden_prob, 0, 1)
        self.whole_template = bool(whole_template)

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
        whole = partly_hidden = valid[:0]
        if self.whole_template or self.partly_hidden_prob > 0:
            whole, partly_hidden = split_by_visible_ratio(video_info, valid)
        # np.random (not a private generator) so that mmengine's seeding and
        # worker_init_fn govern it, as they do mmtrack's samplers.
        template = int(
            np.random.choice(whole if self.whole_template
                             and len(whole) else valid))
        if self.pos_prob > np.random.random():
            search = self.positive_search_frame(template, valid, partly_hidden)
            return self.prepare_data(
                video_info, [template, search], is_positive_pairs=True)
        return self.negative_pair(video_info, template, video_info_another)

    def positive_search_frame(self, template: int, valid: np.ndarray,
                              partly_hidden: np.ndarray) -> int:
        """The search frame of a positive pair.

        Args:
            template (int): The template's frame index.
            valid (np.ndarray): The video's visible frames.
            partly_hidden (np.ndarray): Those that show part of the target.

        Returns:
            int: A partly hidden frame with probability
            ``partly_hidden_prob`` (if there is one), else a visible frame
            in ``frame_range`` of the template (the template itself if
            there is none).
        """
        # Only a video with partly hidden frames draws here, so that with
        # the option off the random stream is the one it always was.
        if (self.partly_hidden_prob > 0 and len(partly_hidden)
                and np.random.random() < self.partly_hidden_prob):
            return int(np.random.choice(partly_hidden))
        low = template + self.frame_range[0]
        high = template + self.frame_range[1]
        candidates = valid[(valid >= low) & (valid < high)]
        if self.filter_template_img:
            candidates = candidates[candidates != template]
        return (int(np.random.choice(candidates))
                if len(candidates) else template)

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
