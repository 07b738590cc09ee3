"""Helpers shared by the whole-frame trackers."""
import numpy as np
import pytest
import torch
from mmtrack.structures import TrackDataSample

from mmtrack_smallobj.models.sot.whole_frame_utils import (
    clip_to_image, visible_target_boxes)


def test_clip_to_image_clips_every_box_and_keeps_its_shape():
    boxes = torch.tensor([[[-3., 2., 70., 30.], [10., -1., 20., 50.]]])
    clipped = clip_to_image(boxes, height=40, width=64)
    assert clipped.shape == (1, 2, 4)
    assert clipped.tolist() == [[[0., 2., 64., 30.], [10., 0., 20., 40.]]]


def test_clip_to_image_takes_one_box_and_leaves_the_input_alone():
    box = torch.tensor([-1., -2., 5., 99.])
    assert clip_to_image(box, height=10, width=4).tolist() == [0., 0., 4., 10.]
    assert box.tolist() == [-1., -2., 5., 99.]


def _samples(*parts):
    samples = []
    for part in parts:
        sample = TrackDataSample()
        if not isinstance(part, str):  # 'absent': no key at all
            sample.set_metainfo(dict(search_target_visible_bbox=part))
        samples.append(sample)
    return samples


BOXES = torch.tensor([[10., 10., 30., 20.], [0., 0., 8., 8.],
                      [5., 5., 9., 9.]])


def test_visible_target_boxes_fill_in_the_whole_box_where_missing():
    samples = _samples(np.array([15., 10., 30., 20.], np.float32), None,
                       'absent')
    visible = visible_target_boxes(samples, BOXES)
    assert visible.tolist() == [[15., 10., 30., 20.]] + BOXES[1:].tolist()
    assert visible_target_boxes(_samples('absent', None, 'absent'),
                                BOXES) is None


@pytest.mark.parametrize('part', [[5., 10., 30., 20.], [12., 10., 12., 20.],
                                  [12., 10., 31., 20.]])
def test_a_visible_part_outside_its_box_is_named(part):
    samples = _samples(np.array(part), None, None)
    with pytest.raises(ValueError, match='search_target_visible_bbox of '
                       'sample 0'):
        visible_target_boxes(samples, BOXES)
