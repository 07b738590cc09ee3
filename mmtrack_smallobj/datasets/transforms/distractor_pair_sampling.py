"""Distractor-aware pair sampling of DaSiamRPN (Zhu et al., ECCV 2018).

SiamRPN's negative pairs put an arbitrary other video's frame behind the
template, which teaches the network objectness ("is there an object?") more
than identity ("is it *this* object?"). DaSiamRPN adds *semantic* negatives:
the search frame shows another instance of the template's category, the
distractor a tracker of small objects most often jumps to.

mmtrack's SOT datasets hand the first pipeline step only two random videos
(``BaseSOTDataset.prepare_train_data``), so this sampler keeps its own index of
candidate search videos by category, read from ``distractor_datasets``: the
training set itself (LaSOT layout: the category is the folder prefix,
``airplane/airplane-3`` -> ``airplane``) and optionally detection image sets
(``SOTCocoDataset``: the annotation's category name).
"""
import copy
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmtrack.registry import DATASETS, TRANSFORMS

from ...utils.config_checks import check_number
from .pair_sampling import VisiblePairSampling, visible_frame_indices

_INSTANCE_SUFFIX = re.compile(r'-\d+$')


def video_category(video_path: str) -> str:
    """The category of a video named in LaSOT's ``<cls>/<cls>-<k>`` layout.

    Args:
        video_path (str): The video's folder, e.g. ``airplane/airplane-3/img``
            or an absolute path ending so; a trailing ``img`` is skipped.

    Returns:
        str: The folder name without its ``-<k>`` instance suffix
        (``airplane``); a name without such a suffix (GOT-10k's
        ``GOT-10k_Train_000001``) is its own category.
    """
    parts = [p for p in re.split(r'[\\/]+', osp.normpath(video_path)) if p]
    if len(parts) > 1 and parts[-1] == 'img':
        parts = parts[:-1]
    return _INSTANCE_SUFFIX.sub('', parts[-1]) if parts else ''


def _video_key(path: str) -> str:
    """A comparable form of a video folder path."""
    return osp.normcase(osp.normpath(path))


class _CategoryIndex:
    """Candidate search videos of some SOT datasets, grouped by category.

    Args:
        datasets (list): Built (lazily initialised) mmtrack SOT datasets.
    """

    def __init__(self, datasets: list) -> None:
        self.datasets = datasets
        # (dataset index, video index, category, video key or None)
        self.entries: List[Tuple[int, int, str, Optional[str]]] = []
        self.by_category: Dict[str, List[int]] = {}
        self.key_category: Dict[str, str] = {}
        for ds_idx, dataset in enumerate(datasets):
            dataset.full_init()
            for vid_idx in range(len(dataset)):
                category, key = self._describe(dataset, vid_idx)
                if category is None:
                    continue
                self.by_category.setdefault(category, []).append(
                    len(self.entries))
                self.entries.append((ds_idx, vid_idx, category, key))
                if key is not None:
                    self.key_category[key] = category

    @staticmethod
    def _describe(dataset,
                  vid_idx: int) -> Tuple[Optional[str], Optional[str]]:
        """(category, video key) of one video; category None if unknown."""
        info = dataset.get_data_info(vid_idx)
        coco = getattr(dataset, 'coco', None)
        if coco is not None and 'ann_id' in info:
            ann = coco.anns[info['ann_id']]
            return coco.cats[ann['category_id']]['name'], None
        if 'video_path' in info:
            path = osp.join(dataset.data_prefix.get('img_path', ''),
                            info['video_path'])
            return video_category(info['video_path']), _video_key(path)
        return None, None

    def category_of(self, video_info: dict) -> Tuple[str, str]:
        """(category, video key) of a video as the dataset passes it."""
        key = _video_key(osp.dirname(video_info['img_paths'][0]))
        return self.key_category.get(key, video_category(key)), key

    def draw(self, category: str, key: str, same: bool) -> Optional[dict]:
        """A random video of ``category`` other than the video ``key``
        (``same``) or of another category; None when there is none."""
        if same:
            candidates = [
                i for i in self.by_category.get(category, [])
                if self.entries[i][3] != key
            ]
            if not candidates:
                return None
            entry = self.entries[int(np.random.choice(candidates))]
        else:
            if not set(self.by_category) - {category}:
                return None
            # Rejection sampling: a list of all other-category entries would
            # cost a pass over a detection set's annotations every draw.
            entry = self.entries[np.random.randint(len(self.entries))]
            while entry[2] == category:
                entry = self.entries[np.random.randint(len(self.entries))]
        ds_idx, vid_idx, _, _ = entry
        dataset = self.datasets[ds_idx]
        return dict(
            **dataset.get_img_infos_from_video(vid_idx),
            **dataset.get_ann_infos_from_video(vid_idx))


@TRANSFORMS.register_module()
class DistractorAwarePairSampling(VisiblePairSampling):
    """Positive, semantic-negative and random-negative template/search pairs.

    With probability ``pos_prob`` a positive pair from one video (as
    ``VisiblePairSampling``); with ``semantic_neg_prob`` a semantic negative,
    the search frame from another video of the template's category found in
    ``distractor_datasets``; otherwise a random negative, the search frame
    from the second video the dataset passes, or, when that one has the
    template's category, from a video of another category. A semantic draw
    without a same-category video falls back to a random negative. Negative
    pairs carry ``bbox_label`` 0 (``is_positive_pairs=False``), which
    ``SiameseRPNHead`` trains as all-background. Only visible frames are
    drawn. Randomness comes from ``np.random`` (seeded by mmengine).

    Args:
        distractor_datasets (list[dict]): Configs of mmtrack SOT datasets
            (``LaSOTDataset``, ``SOTCocoDataset``, ...) indexed by category
            for the negatives, usually the training set itself. Built
            without a pipeline; their annotations are read lazily, in each
            data worker.
        frame_range (int | list[int]): Search-frame range around the template
            frame for positive pairs. Defaults to 5.
        pos_prob (float): Probability of a positive pair. Defaults to 0.8.
        semantic_neg_prob (float): Probability of a semantic negative pair;
            ``pos_prob + semantic_neg_prob <= 1``. Defaults to 0.1.
        filter_template_img (bool): Exclude the template frame from the
            search candidates of positive pairs. Defaults to False.
    """

    def __init__(self,
                 distractor_datasets: Sequence[dict],
                 frame_range: int = 5,
                 pos_prob: float = 0.8,
                 semantic_neg_prob: float = 0.1,
                 filter_template_img: bool = False) -> None:
        super().__init__(
            frame_range=frame_range,
            pos_prob=pos_prob,
            filter_template_img=filter_template_img)
        # Rounded so that e.g. 0.9 + 0.1 passes although 1 - 0.9 < 0.1 in
        # floating point.
        check_number('semantic_neg_prob (at most 1 - pos_prob)',
                     semantic_neg_prob, 0, round(1 - pos_prob, 9))
        if not distractor_datasets:
            raise ValueError('distractor_datasets must name at least one '
                             'dataset to draw negatives from')
        self.semantic_neg_prob = semantic_neg_prob
        # Positive pairs are VisiblePairSampling's; a sampler that always
        # draws them avoids restating its frame logic.
        self._positive = VisiblePairSampling(
            frame_range=frame_range,
            pos_prob=1.0,
            filter_template_img=filter_template_img)
        datasets = []
        for cfg in distractor_datasets:
            cfg = copy.deepcopy(dict(cfg))  # the caller's config stays intact
            if cfg.get('pipeline'):
                raise ValueError(
                    'distractor_datasets are read for annotations only; '
                    f"drop the pipeline of {cfg['type']}")
            cfg['pipeline'] = []
            cfg.setdefault('lazy_init', True)
            datasets.append(DATASETS.build(cfg))
        self._datasets = datasets
        self._index: Optional[_CategoryIndex] = None

    @property
    def index(self) -> _CategoryIndex:
        """The category index, built on first use (in the data worker)."""
        if self._index is None:
            self._index = _CategoryIndex(self._datasets)
        return self._index

    def transform(self, pair_video_infos: List[dict]) -> Dict[str, list]:
        """Sample a positive, a semantic negative or a random negative pair.

        Args:
            pair_video_infos (list[dict]): The template's video and another
                one, the random negative unless it shares the template's
                category (from mmtrack's ``prepare_train_data``).

        Returns:
            dict[str, list]: Both frames in ``PairSampling``'s format.
        """
        video_info, video_info_another = pair_video_infos
        draw = np.random.random()
        if draw < self.pos_prob:
            return self._positive.transform([video_info, video_info])
        template = int(np.random.choice(visible_frame_indices(video_info)))
        category, key = self.index.category_of(video_info)
        negative = None
        if draw < self.pos_prob + self.semantic_neg_prob:
            negative = self.index.draw(category, key, same=True)
        if negative is None:
            negative = video_info_another
            other_category, other_key = self.index.category_of(negative)
            if other_category == category or other_key == key:
                negative = self.index.draw(
                    category, key, same=False) or video_info_another
        return self.negative_pair(video_info, template, negative)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(frame_range={self.frame_range}, '
                f'pos_prob={self.pos_prob}, '
                f'semantic_neg_prob={self.semantic_neg_prob}, '
                f'filter_template_img={self.filter_template_img}, '
                f'distractor_datasets={len(self._datasets)})')
