"""A dataset wrapper that draws SOT training pairs with a chosen mix of sizes.

How frames are chosen: mmtrack's ``BaseSOTDataset.prepare_train_data``
ignores its index and lets the pipeline's first transform (``PairSampling``
or our ``VisiblePairSampling``) pick frames with the global RNG. This wrapper
decides the pair from ``(seed, idx)`` alone, builds the pair's results with
that transform's own ``prepare_data`` and runs the rest of the pipeline
without it, so the transform's ``frame_range``, ``pos_prob`` and
``filter_template_img`` keep their meaning. The same index gives the same
frames in every process; DefaultSampler and QuotaSampler hand each rank
different indices, so ranks draw different pairs.
"""
import copy
import os.path as osp
import warnings
from typing import List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset, Compose, force_full_init
from mmengine.logging import print_log
from mmtrack.datasets.transforms import PairSampling
from mmtrack.registry import DATASETS

from mmtrack_smallobj.evaluation.functional.size_bins import (
    DEFAULT_SIZE_EDGES, check_size_edges, size_bin_labels)
from mmtrack_smallobj.utils.config_checks import check_number
from .size_index import FrameSizeIndex, load_or_scan, sot_datasets
from .transforms.size_rescale import (SIZE_RANGE_KEY, SIZE_TARGET_KEY,
                                      SizeBinRescale, check_size_weights)


class PairPlan(NamedTuple):
    """Which frames one index draws, and the size its search target gets."""
    dataset: int
    video: int
    frame: int
    template_video: int
    template_frame: int
    positive: bool
    size_bin: int
    size: float  # raw search-target size at the training scale
    target: float  # size the search target is rescaled to (== size if not)


def _draw(weights: np.ndarray, u: float) -> int:
    """Index drawn with (unnormalised) ``weights`` from a uniform ``u``;
    faster than ``Generator.choice`` for the few entries drawn here."""
    cdf = np.cumsum(weights)
    return int(min(np.searchsorted(cdf, u * cdf[-1], 'right'), len(cdf) - 1))


@DATASETS.register_module()
class SizeRebalanceDataset:
    """Draw SOT training pairs so that each object-size bin has its weight.

    A pair's size is its search frame's target size ``sqrt(w * h)`` at the
    training scale. ``__getitem__(idx)`` draws a bin with ``weights``, then
    a search frame in that bin (uniformly among the bin's frames; with
    several datasets, a dataset first, with the probabilities of
    ``RandomSampleConcatDataset``), then a template frame: positive pairs
    take a visible frame of the same video within the sampler's
    ``frame_range``, negative ones a visible frame of another video. Frames
    whose target is absent or degenerate are never drawn.

    When the pipeline holds a ``SizeBinRescale``, frames whose target
    rescaling within the transform's ``scale_range`` can bring into the bin
    are candidates too: by default, the search frame is drawn uniformly
    among all candidates, so a bin with few raw frames is mostly filled by
    rescaled ones and a bin with many mostly by raw ones; a frame outside
    the bin gets a size drawn log-uniformly in the reachable part of the
    bin. A bin that nothing can fill is reported once and its weight is
    shared among the other bins in proportion to theirs.

    Args:
        dataset (dict | list[dict] | BaseDataset): One SOT training dataset
            or its config, a list of them, or a ``RandomSampleConcatDataset``
            (or mmengine ``ConcatDataset``). Each pipeline must start with
            ``PairSampling`` or a subclass.
        size_edges (Sequence[float]): Inner bin edges in pixels. Defaults to
            the evaluation toolkit's ``DEFAULT_SIZE_EDGES``.
        weights (Sequence[float], optional): One weight per bin, summing to
            one; ``None`` is uniform.
        scale (tuple[int, int], optional): The training ``(w, h)`` scale
            frames are resized to with ``keep_ratio`` (RandomResize's
            ``scale``); sizes are measured there. ``None`` keeps raw pixels.
        rescale_prob (float, optional): Fixed probability of a rescaled
            draw in a bin that also has raw frames, instead of the uniform
            draw over candidates. Defaults to None.
        num_samples (int, optional): Length of the dataset, i.e. how many
            distinct indices (hence pairs) there are. Defaults to the number
            of drawable frames.
        seed (int, optional): Seed of the draws. ``None`` takes one from
            numpy's global RNG, which mmengine's ``randomness.seed`` sets.
        cache_file (str, optional): ``.npz`` file keeping the sizes across
            runs; rescanned when the data or ``scale`` differ.
        max_refetch (int): Redraws allowed when the pipeline returns None.
            Defaults to 10.
        lazy_init (bool): Defer scanning to ``full_init``. Defaults to False.
    """

    def __init__(self,
                 dataset: Union[dict, List[dict], BaseDataset],
                 size_edges: Sequence[float] = DEFAULT_SIZE_EDGES,
                 weights: Optional[Sequence[float]] = None,
                 scale: Optional[Tuple[int, int]] = None,
                 rescale_prob: Optional[float] = None,
                 num_samples: Optional[int] = None,
                 seed: Optional[int] = None,
                 cache_file: Optional[str] = None,
                 max_refetch: int = 10,
                 lazy_init: bool = False) -> None:
        self.size_edges = check_size_edges(size_edges)
        self.bin_lows = np.concatenate([[0.0], self.size_edges])
        self.bin_highs = np.concatenate([self.size_edges, [np.inf]])
        self.bin_labels = size_bin_labels(self.size_edges)
        self.weights = check_size_weights(weights, len(self.bin_lows),
                                          'SizeRebalanceDataset')
        if rescale_prob is not None:
            check_number('SizeRebalanceDataset: rescale_prob', rescale_prob,
                         0, 1)
        if num_samples is not None:
            # An integer: it is the dataset's len().
            check_number('SizeRebalanceDataset: num_samples', num_samples, 1,
                         integer=True)
        self.scale = tuple(scale) if scale is not None else None
        self.rescale_prob = rescale_prob
        self.seed = int(np.random.randint(2**31) if seed is None else seed)
        self.cache_file = cache_file
        self.max_refetch = max_refetch
        self._num_samples = num_samples
        # Arguments are checked above, before building (and maybe loading)
        # the datasets.
        if isinstance(dataset, (dict, list)):
            configs = dataset if isinstance(dataset, list) else [dataset]
            built = [DATASETS.build(copy.deepcopy(c)) for c in configs]
            dataset = built[0] if len(built) == 1 else built
        self.datasets, probs = sot_datasets(dataset)
        self.dataset_probs = np.asarray(probs, np.float64)
        self._samplers: List[PairSampling] = []
        self._pipelines: List[Compose] = []
        self._rescalers: List[Optional[SizeBinRescale]] = []
        for ds in self.datasets:
            self._split_pipeline(ds)
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    def _split_pipeline(self, ds: BaseDataset) -> None:
        """Keep the pair sampler apart from the rest of ``ds``'s pipeline."""
        name = type(ds).__name__
        if getattr(ds, 'test_mode', False):
            raise ValueError(f'SizeRebalanceDataset draws training pairs; '
                             f'{name} is in test_mode')
        transforms = list(getattr(ds.pipeline, 'transforms', []))
        if not transforms or not isinstance(transforms[0], PairSampling):
            first = type(transforms[0]).__name__ if transforms else 'nothing'
            raise ValueError(
                f"SizeRebalanceDataset: the pipeline of {name} must start "
                f"with PairSampling or VisiblePairSampling, found {first}")
        self._samplers.append(transforms[0])
        self._pipelines.append(Compose(transforms[1:]))
        rescalers = [t for t in transforms if isinstance(t, SizeBinRescale)]
        self._rescalers.append(rescalers[0] if rescalers else None)

    def full_init(self, progress: bool = False) -> None:
        """Scan the target sizes and index them by dataset and size.

        Args:
            progress (bool): Show a progress bar over the videos scanned.
        """
        if self._fully_initialized:
            return
        for ds in self.datasets:
            ds.full_init()
        scans = load_or_scan(self.datasets, self.scale, self.cache_file,
                             progress)
        for ds, scan in zip(self.datasets, scans):
            if len(scan['size']) == 0:
                raise ValueError(
                    f'SizeRebalanceDataset: {type(ds).__name__} (data_root='
                    f"{getattr(ds, 'data_root', None)!r}, ann_file="
                    f"{getattr(ds, 'ann_file', None)!r}) has no frame whose "
                    'target is visible with a valid box')
        self._index = FrameSizeIndex(scans)
        self._build_ranges()
        self._fully_initialized = True
        print_log(
            f'SizeRebalanceDataset: {len(self._index)} drawable frames in '
            f'{self._index.num_videos} videos; bin probabilities ' + ', '.join(
                f'{lab}: {p:.3f}'
                for lab, p in zip(self.bin_labels, self.bin_probs)),
            logger='current')

    def _build_ranges(self) -> None:
        """Per (dataset, bin): the size-order ranges of the frames in the
        bin and of those rescaling can bring into it, and the part of the
        bin rescaling reaches."""
        num_ds, num_bins = len(self.datasets), len(self.bin_lows)
        self._ranges = np.zeros((num_ds, num_bins, 2, 2), np.int64)
        self._reach = np.zeros((num_ds, num_bins, 2))
        for d in range(num_ds):
            rescaler = self._rescalers[d]
            smallest, largest = self._index.size_extent(d)
            for b, (low, high) in enumerate(zip(self.bin_lows,
                                                self.bin_highs)):
                self._ranges[d, b, 0] = self._index.size_range(d, low, high)
                if rescaler is None:
                    continue
                f_min, f_max = rescaler.scale_range
                low_eff = max(low, rescaler.min_size)
                if low_eff >= high:
                    continue
                self._ranges[d, b, 1] = self._index.size_range(
                    d, low_eff / f_max, high / f_min, low_side='right')
                self._reach[d, b] = (max(low_eff, smallest * f_min),
                                     min(high, largest * f_max))
        filled = (self._ranges[..., 1] > self._ranges[..., 0]).any(axis=(0, 2))
        probs = self.weights * filled
        empty = [
            f'{self.bin_labels[b]} (weight {self.weights[b]:.3g})'
            for b in np.flatnonzero((self.weights > 0) & ~filled)
        ]
        if empty:
            hint = ('' if any(self._rescalers) else
                    '; add SizeBinRescale to the pipeline to fill bins by '
                    'rescaling')
            warnings.warn(
                'SizeRebalanceDataset: no target, even rescaled, can fill '
                f"size bin(s) {', '.join(empty)}; their weight goes to the "
                f'other bins in proportion to theirs{hint}')
        if probs.sum() <= 0:  # every weighted bin is empty: share evenly
            probs = filled.astype(np.float64)
        self.bin_probs = probs / probs.sum()

    @force_full_init
    def __len__(self) -> int:
        """Number of distinct indices (``num_samples``)."""
        return self._num_samples or len(self._index)

    @property
    def metainfo(self) -> dict:
        """The first wrapped dataset's meta information."""
        return copy.deepcopy(self.datasets[0].metainfo)

    def target_sizes(self) -> np.ndarray:
        """Raw target sizes of every drawable frame, at the training scale."""
        self.full_init()
        return self._index.size.copy()

    @force_full_init
    def plan(self, idx: int, attempt: int = 0) -> PairPlan:
        """Decide the pair of index ``idx`` from ``(seed, idx, attempt)``.

        Args:
            idx (int): Sample index.
            attempt (int): Redraw number, when the pipeline gave None.

        Returns:
            PairPlan: Frames, bin and sizes of the pair.
        """
        rng = np.random.default_rng([self.seed, idx % len(self), attempt])
        u = rng.random(4)  # bin, raw or rescaled, dataset, positive
        b = _draw(self.bin_probs, u[0])
        d, row, rescale = self._pick_search(rng, b, u[1], u[2])
        target = None
        if rescale:
            row, target = self._rescaled_target(rng, d, b, row)
        index = self._index
        video, frame, size = (int(index.video[row]), int(index.frame[row]),
                              float(index.size[row]))
        target = size if target is None else target
        sampler = self._samplers[d]
        positive = bool(u[3] < sampler.pos_prob)
        template_video = video
        if positive:
            frames = index.video_frames(d, video)
            # PairSampling puts the search frame in [t + r0, t + r1) around
            # the template t, so t lies in (s - r1, s - r0].
            r0, r1 = sampler.frame_range
            near = frames[(frames > frame - r1) & (frames <= frame - r0)]
            if sampler.filter_template_img and (near != frame).any():
                near = near[near != frame]
            template_frame = int(near[rng.integers(len(near))]) if len(
                near) else frame
        else:
            videos = index.dataset_videos(d)
            others = videos[videos != video]
            if len(others):
                template_video = int(others[rng.integers(len(others))])
            frames = index.video_frames(d, template_video)
            template_frame = int(frames[rng.integers(len(frames))])
        return PairPlan(d, video, frame, template_video, template_frame,
                        positive, b, size, target)

    def _pick_search(self, rng: np.random.Generator, b: int, u_mode: float,
                     u_dataset: float) -> Tuple[int, int, bool]:
        """Dataset and flat row of a search frame for bin ``b``, and whether
        its target is to be rescaled."""
        raw, scalable = self._ranges[:, b, 0], self._ranges[:, b, 1]
        has_raw = raw[:, 1] > raw[:, 0]
        has_scalable = scalable[:, 1] > scalable[:, 0]
        if self.rescale_prob is None:
            # Uniform over every frame that can show a target of the bin,
            # as it is or rescaled: the two ranges of the size-sorted block
            # overlap (or touch), so their union is one range.
            ok = has_raw | has_scalable
            d = 0 if len(ok) == 1 else _draw(self.dataset_probs * ok,
                                             u_dataset)
            if has_raw[d] and has_scalable[d]:
                lo = min(raw[d, 0], scalable[d, 0])
                hi = max(raw[d, 1], scalable[d, 1])
            else:
                lo, hi = raw[d] if has_raw[d] else scalable[d]
            row = self._index.draw_row(rng, lo, hi)
            size = self._index.size[row]
            rescale = not self.bin_lows[b] <= size < self.bin_highs[b]
            return d, row, rescale
        rescale = bool(has_scalable.any()
                       and (not has_raw.any() or u_mode < self.rescale_prob))
        ok = has_scalable if rescale else has_raw
        d = 0 if len(ok) == 1 else _draw(self.dataset_probs * ok, u_dataset)
        lo, hi = (scalable if rescale else raw)[d]
        return d, self._index.draw_row(rng, lo, hi), rescale

    def _rescaled_target(self, rng: np.random.Generator, d: int, b: int,
                         row: int) -> Tuple[int, float]:
        """A size log-uniform over the part of bin ``b`` that rescaling
        reaches, and a frame whose target can be rescaled to it.

        Drawing the size first spreads the rescaled targets over the whole
        bin; drawing the frame first would crowd them at the bin's edge,
        because most frames can reach only its end nearest their size.
        ``row``, the frame already drawn, is the fallback when no frame
        reaches the size.
        """
        f_min, f_max = self._rescalers[d].scale_range
        low, high = self._reach[d, b]
        target = float(np.exp(rng.uniform(np.log(low), np.log(high))))
        lo, hi = self._index.size_range(d, target / f_max, target / f_min)
        if hi > lo:
            return self._index.draw_row(rng, lo, hi), target
        size = float(self._index.size[row])
        low, high = max(low, size * f_min), min(high, size * f_max)
        return row, float(np.exp(rng.uniform(np.log(low), np.log(high))))

    def prepare_pair(self, plan: PairPlan) -> Optional[dict]:
        """Build the pair's results and run the pipeline after the sampler.

        Args:
            plan (PairPlan): The pair to load.

        Returns:
            dict, optional: The pipeline's output.
        """
        ds, sampler = self.datasets[plan.dataset], self._samplers[plan.dataset]

        def video_info(video: int) -> dict:
            return dict(**ds.get_img_infos_from_video(video),
                        **ds.get_ann_infos_from_video(video))

        search_info = video_info(plan.video)
        if plan.positive:
            results = sampler.prepare_data(
                search_info, [plan.template_frame, plan.frame],
                is_positive_pairs=True)
        else:
            results = sampler.prepare_data(
                video_info(plan.template_video), [plan.template_frame],
                is_positive_pairs=False)
            results = sampler.prepare_data(
                search_info, [plan.frame],
                is_positive_pairs=False,
                results=results)
        results = dict(results)
        if self._rescalers[plan.dataset] is not None:
            # One entry per frame, as TransformBroadcaster scatters lists.
            bin_range = (float(self.bin_lows[plan.size_bin]),
                         float(self.bin_highs[plan.size_bin]))
            results[SIZE_TARGET_KEY] = [plan.target] * 2
            results[SIZE_RANGE_KEY] = [bin_range] * 2
        return self._pipelines[plan.dataset](results)

    @force_full_init
    def __getitem__(self, idx: int) -> dict:
        """The pipeline's output for the pair that ``idx`` decides."""
        for attempt in range(self.max_refetch + 1):
            results = self.prepare_pair(self.plan(idx, attempt))
            if results is not None:
                return results
        raise RuntimeError(
            f'SizeRebalanceDataset: the pipeline returned None for index '
            f'{idx} in {self.max_refetch + 1} draws; check its transforms')

    def __repr__(self) -> str:
        names = ', '.join(type(ds).__name__ for ds in self.datasets)
        cache = osp.basename(self.cache_file) if self.cache_file else None
        return (f'{self.__class__.__name__}(datasets=[{names}], '
                f'weights={self.weights.tolist()}, scale={self.scale}, '
                f'seed={self.seed}, cache_file={cache})')
