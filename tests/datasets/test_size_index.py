"""FrameSizeIndex: drawable frames of several datasets by size and video."""
import numpy as np

from mmtrack_smallobj.datasets.size_index import FrameSizeIndex


def _index() -> FrameSizeIndex:
    """Two datasets: videos 0 and 1 of three and two frames, and one video
    of two frames; sizes out of order within each dataset."""
    first = dict(video=np.array([0, 0, 0, 1, 1]),
                 frame=np.array([0, 1, 2, 0, 3]),
                 size=np.array([30., 5., 12., 70., 12.]))
    second = dict(video=np.array([4, 4]), frame=np.array([1, 2]),
                  size=np.array([8., 3.]))
    return FrameSizeIndex([first, second])


def test_lengths_extents_and_videos():
    index = _index()
    assert len(index) == 7 and index.num_videos == 3
    assert index.size_extent(0) == (5.0, 70.0)
    assert index.size_extent(1) == (3.0, 8.0)
    assert index.video_frames(0, 1).tolist() == [0, 3]
    assert index.video_frames(1, 4).tolist() == [1, 2]
    assert index.dataset_videos(0).tolist() == [0, 1]
    assert index.dataset_videos(1).tolist() == [4]


def test_size_range_holds_the_frames_of_one_dataset_in_the_interval():
    index = _index()
    lo, hi = index.size_range(0, 10, 40)
    rows = [int(index.by_size[p]) for p in range(lo, hi)]
    # Rows 2 and 4 (size 12) and row 0 (size 30), never dataset 1's.
    assert sorted(rows) == [0, 2, 4]
    # The low edge counts on the left side only.
    assert index.size_range(0, 12, 40) == (lo, hi)
    assert index.size_range(0, 12, 40, low_side='right') == (lo + 2, hi)
    lo, hi = index.size_range(1, 0, 100)
    assert sorted(int(index.by_size[p]) for p in range(lo, hi)) == [5, 6]


def test_draw_row_is_uniform_over_the_range_and_stays_in_it():
    index = _index()
    lo, hi = index.size_range(0, 10, 40)
    rng = np.random.default_rng(0)
    rows = [index.draw_row(rng, lo, hi) for _ in range(3000)]
    counts = np.bincount(rows, minlength=len(index))
    assert set(np.flatnonzero(counts)) == {0, 2, 4}
    assert np.all(np.abs(counts[[0, 2, 4]] / 3000 - 1 / 3) < 0.04)
