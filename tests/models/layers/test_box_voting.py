"""Box voting over decoded boxes."""
import torch

from mmtrack_smallobj.models.layers import vote_boxes


def test_each_kept_box_averages_its_own_voters_by_score():
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 0., 11., 10.],
                          [50., 50., 60., 60.], [50., 51., 60., 61.]])
    scores = torch.tensor([0.6, 0.2, 0.5, 0.5])
    voted = vote_boxes(boxes[[0, 2]], boxes, scores, iou_thr=0.5)
    assert torch.allclose(
        voted, torch.tensor([[0.25, 0., 10.25, 10.], [50., 50.5, 60., 60.5]]))


def test_threshold_one_keeps_only_identical_boxes():
    boxes = torch.tensor([[0., 0., 10., 10.], [0., 0., 10., 10.],
                          [0., 0., 10., 11.]])
    voted = vote_boxes(boxes[:1], boxes, torch.tensor([1., 3., 9.]), 1.0)
    assert voted.tolist() == [[0., 0., 10., 10.]]


def test_a_box_whose_voters_all_weigh_zero_stays():
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 11., 11.]])
    voted = vote_boxes(boxes[:1], boxes, torch.zeros(2), iou_thr=0.5)
    assert voted.tolist() == [[0., 0., 10., 10.]]
