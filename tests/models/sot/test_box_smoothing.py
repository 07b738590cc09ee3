"""The reported box's size smoothing and aspect-ratio prior."""
import math

import pytest
import torch

from mmtrack_smallobj.models.sot.box_smoothing import (
    DEFAULT_BOX_SMOOTHING, check_box_smoothing_cfg, log_size_and_aspect,
    smooth_box)

IMAGE = (100, 200)  # height, width


def _smooth(box, first_box, size_lr, aspect_prior, last_box=None):
    """One frame: the smoothed box and log size, after ``last_box`` (the
    first box if None) set the size."""
    log_size, _ = log_size_and_aspect(
        torch.tensor(last_box if last_box is not None else first_box))
    _, first_aspect = log_size_and_aspect(torch.tensor(first_box))
    cfg = check_box_smoothing_cfg(
        dict(size_lr=size_lr, aspect_prior=aspect_prior))
    return smooth_box(torch.tensor(box), log_size, first_aspect, IMAGE, cfg)


def test_defaults_and_off():
    assert check_box_smoothing_cfg(None) is None
    assert check_box_smoothing_cfg({}) == DEFAULT_BOX_SMOOTHING
    assert check_box_smoothing_cfg(dict(size_lr=1.0)) == dict(
        DEFAULT_BOX_SMOOTHING, size_lr=1.0)


@pytest.mark.parametrize('cfg,error,message', [
    (dict(size_lr=0), ValueError, 'box_smoothing.size_lr'),
    (dict(size_lr=1.5), ValueError, 'box_smoothing.size_lr'),
    (dict(size_lr='0.5'), ValueError, 'box_smoothing.size_lr'),
    (dict(aspect_prior=-0.1), ValueError, 'box_smoothing.aspect_prior'),
    (dict(aspect_prior=True), ValueError, 'box_smoothing.aspect_prior'),
    (dict(size_rate=0.5), KeyError, 'size_rate'),
    (0.5, TypeError, 'test_cfg.box_smoothing'),
])
def test_bad_settings_name_the_key(cfg, error, message):
    with pytest.raises(error, match=message):
        check_box_smoothing_cfg(cfg)


@pytest.mark.parametrize('cfg, message', [
    (dict(size_lr=0), r'test_cfg.box_smoothing.size_lr must be a number in '
     r'\(0, 1\], got 0'),
    (dict(aspect_prior=float('nan')), r'test_cfg.box_smoothing.aspect_prior '
     r'must be a number in \[0, 1\], got nan'),
])
def test_bad_weights_name_their_range(cfg, message):
    with pytest.raises(ValueError, match=f'^{message}$'):
        check_box_smoothing_cfg(cfg)


def test_no_smoothing_and_no_prior_keeps_the_box():
    box = [30., 20., 50., 30.]
    smoothed, log_size = _smooth(box, [10., 10., 20., 20.], 1.0, 0.0)
    assert smoothed.tolist() == pytest.approx(box)
    assert log_size == pytest.approx(math.log(math.sqrt(20 * 10)))


def test_size_moves_part_way_about_the_centre():
    # Last size 10, this frame's 40: halfway in log size is 20.
    smoothed, log_size = _smooth([80., 30., 120., 70.], [0., 0., 10., 10.],
                                 0.5, 0.0)
    assert log_size == pytest.approx(math.log(20))
    assert smoothed.tolist() == pytest.approx([90., 40., 110., 60.])


def test_the_first_box_shape_is_kept_away_from_the_edges():
    # A 20 x 5 box (size 10) with the first box square: 10 x 10.
    smoothed, _ = _smooth([40., 40., 60., 45.], [0., 0., 8., 8.], 1.0, 1.0)
    assert smoothed.tolist() == pytest.approx([45., 37.5, 55., 47.5])
    # Halfway in log aspect: w / h = 2, same area.
    smoothed, _ = _smooth([40., 40., 60., 45.], [0., 0., 8., 8.], 1.0, 0.5)
    width = smoothed[2] - smoothed[0]
    height = smoothed[3] - smoothed[1]
    assert float(width / height) == pytest.approx(2.0)
    assert float(width * height) == pytest.approx(100.0)


@pytest.mark.parametrize('box', [
    [0., 40., 20., 45.],  # cut by the left edge
    [180., 40., 200., 45.],  # the right edge
    [40., 95., 60., 100.],  # the bottom edge
])
def test_a_box_at_the_frame_edge_keeps_its_own_shape(box):
    smoothed, _ = _smooth(box, [0., 0., 8., 8.], 1.0, 1.0)
    assert smoothed.tolist() == pytest.approx(box)


def test_the_result_is_clipped_to_the_frame():
    # The square prior widens a tall box that sits 2 px from the left.
    smoothed, _ = _smooth([2., 10., 6., 90.], [0., 0., 8., 8.], 1.0, 1.0)
    x1, y1, x2, y2 = smoothed.tolist()
    assert x1 == 0 and x2 == pytest.approx(4. + math.sqrt(320.) / 2)
    assert y2 - y1 == pytest.approx(math.sqrt(320.))
