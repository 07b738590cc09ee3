"""Shapes, sampling, normalisation and identity loss of the re-id head."""
import math

import pytest
import torch
import torch.nn.functional as F

import mmtrack_smallobj  # noqa: F401  (registers the head)
from mmtrack.registry import MODELS
from mmtrack_smallobj.models.losses import grid_points
from mmtrack_smallobj.models.track_heads import ReIDEmbeddingHead

IMAGE = 64  # the stride-4 maps stand for a 64 x 64 input


def _head(**kwargs) -> ReIDEmbeddingHead:
    cfg = dict(
        type='ReIDEmbeddingHead',
        in_channels=2,
        num_ids=5,
        embed_channels=8,
        feat_channels=4)
    cfg.update(kwargs)
    torch.manual_seed(0)
    head = MODELS.build(cfg)
    head.init_weights()
    return head


def _feats(num: int = 2) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    return torch.randn(num, 2, IMAGE // 4, IMAGE // 4, generator=generator)


def test_embedding_map_and_box_embeddings():
    head = _head()
    feats = _feats()
    assert head(feats).shape == (2, 8, 16, 16)
    boxes = torch.tensor([[4., 4., 12., 12.], [30., 20., 50., 60.],
                          [0., 0., 64., 64.]])
    embeds = head.embed_boxes(
        feats, boxes, stride=4, batch_inds=torch.tensor([0, 1, 1]))
    assert embeds.shape == (3, 8)
    torch.testing.assert_close(embeds.norm(dim=1), torch.ones(3))
    # Default: every box on image 0.
    assert head.embed_boxes(feats[:1], boxes).shape == (3, 8)


def test_sampling_at_cell_centres_reads_the_cell():
    """A point at a cell centre (grid_points' convention) reads that cell;
    one between two centres reads their mean."""
    head = _head()
    embed_map = torch.randn(2, 8, 16, 16)
    points = grid_points((16, 16), 4)
    got = head.sample(embed_map, points, torch.ones(256, dtype=torch.long))
    torch.testing.assert_close(got, embed_map[1].flatten(1).t())
    between = torch.tensor([[8., 2.]])  # halfway from cell (0, 1) to (0, 2)
    got = head.sample(embed_map, between, torch.zeros(1, dtype=torch.long))
    torch.testing.assert_close(
        got[0], (embed_map[0, :, 0, 1] + embed_map[0, :, 0, 2]) / 2)


def test_identity_loss_is_softmax_cross_entropy_of_scaled_embeddings():
    head = _head()
    feats = _feats()
    boxes = [
        torch.tensor([[4., 4., 12., 12.]]),
        torch.tensor([[30., 20., 50., 60.], [8., 8., 16., 16.]])
    ]
    ids = [torch.tensor([3]), torch.tensor([0, 4])]
    loss = head.loss(feats, boxes, ids)['loss_reid']
    assert loss.item() > 0
    centres = torch.tensor([[8., 8.], [40., 40.], [12., 12.]])
    embeds = head.sample(head(feats), centres, torch.tensor([0, 1, 1]))
    scale = math.sqrt(2) * math.log(5 - 1)
    logits = head.classifier(scale * F.normalize(embeds, dim=1))
    expected = F.cross_entropy(logits, torch.tensor([3, 0, 4]))
    torch.testing.assert_close(loss, expected)


def test_gradients_reach_every_parameter():
    head = _head()
    feats = _feats().requires_grad_()
    boxes = [
        torch.tensor([[4., 4., 12., 12.]]),
        torch.tensor([[30., 20., 50., 60.]])
    ]
    head.loss(feats, boxes,
              [torch.tensor([1]), torch.tensor([2])])['loss_reid'].backward()
    assert feats.grad.abs().sum() > 0
    for name, param in head.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def test_empty_and_unlabelled_ground_truth_give_a_zero_in_the_graph():
    head = _head()
    feats = _feats().requires_grad_()
    boxes = [torch.zeros(0, 4), torch.tensor([[4., 4., 12., 12.]])]
    ids = [torch.zeros(0, dtype=torch.long), torch.tensor([-1])]
    loss = head.loss(feats, boxes, ids)['loss_reid']
    assert loss.item() == 0 and loss.requires_grad
    loss.backward()
    assert feats.grad is not None
    assert head.classifier.weight.grad is not None


def test_bad_identities_and_configs_fail_loudly():
    head = _head()
    with pytest.raises(ValueError, match='out of range'):
        head.loss(
            _feats(1), [torch.tensor([[4., 4., 12., 12.]])],
            [torch.tensor([5])])
    with pytest.raises(ValueError, match='ids'):
        head.loss(
            _feats(1), [torch.tensor([[4., 4., 12., 12.]])],
            [torch.tensor([1, 2])])
    with pytest.raises(ValueError,
                       match='^num_ids must be an integer >= 2, got 1$'):
        _head(num_ids=1)
    with pytest.raises(TypeError):
        _head(embed_dim=8)
