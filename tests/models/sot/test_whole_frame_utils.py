"""Helpers shared by the whole-frame trackers."""
import torch

from mmtrack_smallobj.models.sot.whole_frame_utils import clip_to_image


def test_clip_to_image_clips_every_box_and_keeps_its_shape():
    boxes = torch.tensor([[[-3., 2., 70., 30.], [10., -1., 20., 50.]]])
    clipped = clip_to_image(boxes, height=40, width=64)
    assert clipped.shape == (1, 2, 4)
    assert clipped.tolist() == [[[0., 2., 64., 30.], [10., 0., 20., 40.]]]


def test_clip_to_image_takes_one_box_and_leaves_the_input_alone():
    box = torch.tensor([-1., -2., 5., 99.])
    assert clip_to_image(box, height=10, width=4).tolist() == [0., 0., 4., 10.]
    assert box.tolist() == [-1., -2., 5., 99.]
