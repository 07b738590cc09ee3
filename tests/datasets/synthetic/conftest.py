"""Tiny synthetic data sets shared by the generator tests (built once)."""
import pytest

from mmtrack_smallobj.datasets.synthetic import generate_dataset

# 64x64 frames, 10 frames, high event rates: every file kind shows up while
# one set takes a fraction of a second.
TINY = dict(
    num_videos=3,
    num_frames=10,
    seed=7,
    frame_size=(64, 64),
    size_range=(4, 24),
    num_distractors=2,
    occlusion_rate=25.0,
    out_of_view_rate=25.0,
    absence_length=(1, 3),
    progress=False)


def make_tiny(out_dir, fmt, split='test', **overrides):
    """Generate a tiny set; ``overrides`` replace entries of TINY."""
    options = dict(TINY, **overrides)
    return generate_dataset(str(out_dir), fmt=fmt, split=split, **options)


@pytest.fixture
def tiny():
    """The tiny options (a copy) and a maker: ``tiny['make'](out, fmt)``."""
    return dict(TINY, make=make_tiny)


@pytest.fixture(scope='session')
def tiny_lasot(tmp_path_factory):
    """(root, summary) of a tiny LaSOT-layout test split."""
    root = tmp_path_factory.mktemp('syn') / 'lasot'
    return root, make_tiny(root, 'lasot')


@pytest.fixture(scope='session')
def tiny_got10k(tmp_path_factory):
    """(root, summary) of a tiny GOT-10k-layout train split."""
    root = tmp_path_factory.mktemp('syn') / 'got10k'
    return root, make_tiny(root, 'got10k', split='train')


@pytest.fixture(scope='session')
def tiny_mot(tmp_path_factory):
    """(root, summary) of a tiny MOT-layout train split."""
    root = tmp_path_factory.mktemp('syn') / 'mot'
    return root, make_tiny(root, 'mot', split='train')
