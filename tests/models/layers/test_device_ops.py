"""RoIAlign and NMS on CPU (mmcv's kernels) and CUDA (torchvision's)."""

import pytest
import torch

from mmtrack_smallobj.models.layers import nms, roi_align


def _linear_map(height: int = 8, width: int = 8) -> torch.Tensor:
    """(1, 1, H, W) map whose cell (row, col) holds ``10 * row + col``."""
    rows = torch.arange(height, dtype=torch.float32)[:, None]
    cols = torch.arange(width, dtype=torch.float32)[None]
    return (10 * rows + cols)[None, None]


def test_roi_align_of_a_constant_map_is_that_constant():
    features = torch.full((1, 2, 8, 8), 3.0)
    features[:, 1] = -1.5
    rois = torch.tensor([[0., 4., 4., 20., 28.], [0., 0.5, 1., 3., 2.]])
    out = roi_align(features, rois, (3, 3), 1 / 4)
    assert out.shape == (2, 2, 3, 3)
    assert torch.allclose(out[:, 0], torch.full((2, 3, 3), 3.0))
    assert torch.allclose(out[:, 1], torch.full((2, 3, 3), -1.5))


def test_roi_align_averages_a_linear_map_half_pixel_aligned():
    # A bin's bilinear samples average to the value at the bin centre on a
    # linear map. Aligned: input pixel (x, y) is feature cell
    # (x * scale - 0.5, y * scale - 0.5), so box [1, 1, 5, 5] at scale 1
    # has bin centres at pixels 2 and 4, i.e. cells 1.5 and 3.5.
    features = _linear_map()
    out = roi_align(features, torch.tensor([[0., 1., 1., 5., 5.]]), (2, 2),
                    1.0)
    expected = torch.tensor([[10 * 1.5 + 1.5, 10 * 1.5 + 3.5],
                             [10 * 3.5 + 1.5, 10 * 3.5 + 3.5]])
    assert torch.allclose(out[0, 0], expected)


def test_roi_align_uses_the_spatial_scale_and_the_batch_index():
    # Stride 4: box [8, 4, 24, 12] in pixels is [2, 1, 6, 3] in cells; one
    # bin, centre at cell (4 - 0.5, 2 - 0.5).
    features = torch.cat([_linear_map(), 100 + _linear_map()])
    rois = torch.tensor([[1., 8., 4., 24., 12.], [0., 8., 4., 24., 12.]])
    out = roi_align(features, rois, (1, 1), 1 / 4)
    centre = 10 * 1.5 + 3.5
    assert out.flatten().tolist() == pytest.approx([100 + centre, centre])


def test_roi_align_reads_views_as_their_values():
    # A frame cropped out of its padding, and a transposed map: views whose
    # memory is not laid out as their shape says.
    padded = _linear_map(8, 12)
    cropped = padded[..., :8]
    transposed = _linear_map().transpose(2, 3)
    rois = torch.tensor([[0., 1., 1., 5., 5.], [0., 2., 0., 8., 4.]])
    for view in (cropped, transposed):
        assert not view.is_contiguous()
        assert torch.allclose(
            roi_align(view, rois, (2, 2), 1.0),
            roi_align(view.contiguous(), rois, (2, 2), 1.0))


def test_roi_align_keeps_a_float64_input_dtype():
    features = _linear_map().double()
    rois = torch.tensor([[0., 1., 1., 5., 5.]])  # float32 rois
    out = roi_align(features, rois, (2, 2), 1.0)
    assert out.dtype == torch.float64
    assert torch.allclose(out.float(), roi_align(features.float(), rois,
                                                 (2, 2), 1.0))


def test_roi_align_passes_the_gradient_to_the_features():
    features = _linear_map().requires_grad_()
    roi_align(features, torch.tensor([[0., 1., 1., 5., 5.]]), (2, 2),
              1.0).sum().backward()
    grad = features.grad[0, 0]
    # Samples at cells 1 and 2 (and 3 and 4) on each axis: the gradient
    # covers exactly cells 1..4 and sums to the 4 output values' weight.
    assert grad[1:5, 1:5].gt(0).all()
    assert grad.sum().item() == pytest.approx(4.0)
    assert grad[0].eq(0).all() and grad[:, 5:].eq(0).all()


def test_nms_keeps_the_best_of_each_overlapping_group():
    boxes = torch.tensor([
        [0., 0., 10., 10.],  # 0: IoU 81 / 119 = 0.68 with box 3
        [1., 1., 11., 11.],  # 1
        [20., 20., 30., 30.],  # 2: alone
        [0., 0., 10., 10.],  # 3: the best of the first group
    ])
    scores = torch.tensor([0.9, 0.8, 0.7, 0.95])
    keep = nms(boxes, scores, 0.5)
    assert keep.dtype == torch.long
    assert keep.tolist() == [3, 2]  # by decreasing score
    # Only the identical box 0 overlaps box 3 by more than 0.99.
    assert nms(boxes, scores, 0.99).tolist() == [3, 1, 2]


def test_nms_uses_continuous_box_areas():
    # IoU is 50 / 150 = 0.33 without the legacy +1 pixel, 66 / 176 = 0.375
    # with it: a 0.35 threshold keeps both boxes only in the continuous case.
    boxes = torch.tensor([[0., 0., 10., 10.], [5., 0., 15., 10.]])
    scores = torch.tensor([0.6, 0.5])
    assert nms(boxes, scores, 0.35).tolist() == [0, 1]
    assert nms(boxes, scores, 0.3).tolist() == [0]


def test_nms_accepts_float64_and_negative_scores():
    boxes = torch.tensor([[0., 0., 4., 4.], [0., 0., 4., 4.],
                          [8., 8., 9., 9.]], dtype=torch.float64)
    scores = torch.tensor([-1.0, 0.2, -0.5], dtype=torch.float64)
    assert nms(boxes, scores, 0.5).tolist() == [1, 2]


def test_nms_of_no_boxes_is_an_empty_long_tensor():
    keep = nms(torch.zeros(0, 4), torch.zeros(0), 0.5)
    assert keep.shape == (0, )
    assert keep.dtype == torch.long


@pytest.mark.skipif(
    not torch.cuda.is_available(), reason='needs a CUDA device')
def test_cuda_dispatch_matches_the_cpu_results():
    pytest.importorskip('torchvision')
    torch.manual_seed(0)
    features = torch.randn(2, 3, 16, 16)
    rois = torch.tensor([[0., 3., 5., 40., 30.], [1., 0., 0., 64., 64.],
                         [1., 10.5, 2.25, 12., 60.]])
    cpu = roi_align(features, rois, (7, 7), 1 / 4)
    cuda = roi_align(features.cuda(), rois.cuda(), (7, 7), 1 / 4)
    assert cuda.is_cuda
    assert torch.allclose(cuda.cpu(), cpu, atol=1e-5)

    boxes = torch.rand(50, 2) * 50
    boxes = torch.cat([boxes, boxes + torch.rand(50, 2) * 20 + 1], dim=1)
    scores = torch.rand(50)
    keep = nms(boxes.cuda(), scores.cuda(), 0.4)
    assert keep.is_cuda and keep.dtype == torch.long
    assert keep.cpu().tolist() == nms(boxes, scores, 0.4).tolist()
    empty = nms(boxes[:0].cuda(), scores[:0].cuda(), 0.4)
    assert empty.is_cuda and empty.dtype == torch.long and empty.numel() == 0
