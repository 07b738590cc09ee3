"""Plots: the PNG files exist and hold real images."""
import numpy as np
import pytest

pytest.importorskip('matplotlib')
from mmtrack_smallobj.evaluation.functional import (VideoData,  # noqa: E402
                                                    evaluate_videos,
                                                    xywh_to_xyxy)
from mmtrack_smallobj.visualization import (plot_all,  # noqa: E402
                                            plot_overlap_loss,
                                            plot_size_bins,
                                            plot_visibility_bins)


def test_plot_all_writes_non_trivial_pngs(random_videos, tmp_path):
    videos = [
        VideoData(f'v{i}', xywh_to_xyxy(g), xywh_to_xyxy(p), vis)
        for i, (g, p, vis) in enumerate(random_videos(seed=9))
    ]
    metrics = evaluate_videos(videos, 'mmtrack')
    files = plot_all(metrics, str(tmp_path / 'plots'))
    assert [f.rsplit('/', 1)[1] for f in files] == [
        'success.png', 'precision.png', 'size_bins.png', 'overlap_lost.png'
    ]
    for path in files:
        data = open(path, 'rb').read()
        assert data[:8] == b'\x89PNG\r\n\x1a\n', path
        assert len(data) > 10_000, path  # axes, curves and text, not blank
    from PIL import Image
    with Image.open(files[0]) as img:
        pixels = np.asarray(img.convert('L'))
    assert pixels.std() > 10  # not a single flat colour


def test_size_bin_chart_needs_a_non_empty_bin(tmp_path):
    with pytest.raises(ValueError, match='no non-empty size bin'):
        plot_size_bins({'by_size': {'<8': {'num_frames': 0}}},
                       str(tmp_path / 'x.png'))


def test_plot_all_adds_the_visibility_chart_with_cover_levels(
        covered_videos, tmp_path):
    metrics = evaluate_videos(covered_videos(seed=9), 'lasot')
    files = plot_all(metrics, str(tmp_path))
    assert [f.rsplit('/', 1)[1] for f in files] == [
        'success.png', 'precision.png', 'size_bins.png',
        'visibility_bins.png', 'overlap_lost.png'
    ]
    assert len(open(files[-2], 'rb').read()) > 10_000
    # Two panels (size, visibility) make a wider figure than one.
    from PIL import Image
    with Image.open(files[-1]) as both, Image.open(
            plot_overlap_loss(
                dict(metrics, by_visibility=None),
                str(tmp_path / 'one.png'))) as one:
        assert both.size[0] > 1.5 * one.size[0]


def test_visibility_chart_needs_a_non_empty_bin(tmp_path):
    with pytest.raises(ValueError, match='no non-empty visibility bin'):
        plot_visibility_bins({}, str(tmp_path / 'x.png'))


def test_overlap_loss_chart_needs_the_overlap_loss_and_bins(tmp_path):
    with pytest.raises(ValueError, match='no overlap loss'):
        plot_overlap_loss({'by_size': {}}, str(tmp_path / 'x.png'))
    with pytest.raises(ValueError, match='no size or visibility bins'):
        plot_overlap_loss({'lost_absent': 0.0}, str(tmp_path / 'x.png'))
