import math

import numpy as np
import pytest

from mmtrack_smallobj.datasets.synthetic import (build_size_distribution,
                                                 make_scene_config,
                                                 parse_size_bins,
                                                 simulate_video, video_rngs)


def _draw(dist, n=4000, seed=0):
    rng = np.random.default_rng(seed)
    return np.array([dist.sample(rng) for _ in range(n)])


def test_log_uniform_covers_small_sizes_evenly_in_log():
    sizes = _draw(build_size_distribution((4, 100), 'log-uniform'))
    assert sizes.min() >= 4 and sizes.max() <= 100
    # Log-uniform: each factor-of-5 band holds half the mass of [4, 100].
    assert abs(np.mean(sizes < 20) - 0.5) < 0.03
    assert np.mean(sizes < 8) > 0.15


def test_uniform_puts_little_mass_on_small_sizes():
    sizes = _draw(build_size_distribution((4, 100), 'uniform'))
    assert abs(np.mean(sizes < 52) - 0.5) < 0.03


def test_weighted_bins_give_the_requested_shares():
    dist = build_size_distribution((4, 100), [(4, 64, 1), (64, 100, 9)])
    sizes = _draw(dist)
    assert abs(np.mean(sizes > 64) - 0.9) < 0.02


def test_simulated_videos_follow_the_bins():
    """The cheap, render-free path: base sizes of many simulated videos."""
    config = make_scene_config(
        frame_size=(320, 240),
        size_distribution=[(4, 64, 0.1), (64, 100, 0.9)],
        num_distractors=0)
    sizes = []
    for index in range(400):
        scene = simulate_video(config, 2, video_rngs(3, index)[0])
        sizes.append(scene.base_size)
        wh = scene.boxes[0, :, 2:]
        # The drawn box size follows the base size (mild change, rounding).
        assert np.all(np.abs(np.sqrt(wh.prod(1)) / scene.base_size - 1) <
                      0.2 + 1.5 / scene.base_size)
    assert abs(np.mean(np.array(sizes) > 64) - 0.9) < 0.05


def test_parse_size_bins():
    assert parse_size_bins('4-64:0.1,64-100:0.9') == ((4.0, 64.0, 0.1),
                                                       (64.0, 100.0, 0.9))
    with pytest.raises(ValueError, match='size bins'):
        parse_size_bins('4to64')


@pytest.mark.parametrize('size_range, dist, match', [
    ((0, 10), 'log-uniform', 'size_range'),
    ((10, 5), 'log-uniform', 'size_range'),
    ('big', 'log-uniform', 'size_range'),
    ((4, 100), 'gaussian', 'size_distribution'),
    ((4, 100), [(2, 10, 1)], 'size_distribution'),
    ((4, 100), [(4, 10, -1)], 'size_distribution'),
    ((4, 100), [(4, 10, 0)], 'size_distribution'),
    ((4, 100), [(4, 10)], 'size_distribution'),
])
def test_bad_size_options_name_the_option(size_range, dist, match):
    with pytest.raises(ValueError, match=match):
        build_size_distribution(size_range, dist)


def test_sizes_are_drawn_log_uniformly_inside_a_bin():
    sizes = _draw(build_size_distribution((10, 1000), [(10, 1000, 1)]))
    assert abs(np.mean(np.log10(sizes) < 2) - 0.5) < 0.03
    assert math.isclose(sizes.min(), 10, rel_tol=0.05)
