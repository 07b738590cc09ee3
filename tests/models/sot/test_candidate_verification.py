"""Ranking a frame's candidates by their likeness to the first box."""
import addict
import pytest
import torch
from mmdet.structures.bbox import bbox_xyxy_to_cxcywh
from mmengine.structures import InstanceData
from mmtrack.registry import MODELS
from mmtrack.utils import register_all_modules

import mmtrack_smallobj  # noqa: F401
from mmtrack_smallobj.models.sot.candidate_verification import (
    check_verification_cfg, mean_colours, rank_candidates, verified_scores)
from tiny_tracker_config import TINY


@pytest.fixture(scope='module', autouse=True)
def registry() -> None:
    register_all_modules(init_default_scope=True)


def _model(verification, **head_test_cfg):
    torch.manual_seed(0)
    head = dict(TINY['head'],
                test_cfg=dict(TINY['head']['test_cfg'], **head_test_cfg))
    model = MODELS.build(
        dict(TINY, head=head,
             test_cfg=dict(TINY['test_cfg'], verification=verification)))
    model.init_weights()
    return model.eval()


def _three_squares():
    """A dark 64x64 frame: a red target square, a blue square of the same
    size and a large bright square (the salient one)."""
    frame = torch.full((1, 3, 64, 64), -1.0)
    frame[:, 0, 8:20, 8:20] = 1.5
    frame[:, 2, 8:20, 40:52] = 1.5
    frame[..., 36:60, 28:60] = 2.0
    return frame


# The red target square of _three_squares and the blue one beside it.
TARGET = torch.tensor([8., 8., 20., 20.])
BLUE = torch.tensor([40., 8., 52., 20.])


def _first_frame(model, frame):
    """Features of ``frame``, the template pooled on TARGET and TARGET's
    central colour, as the tracker keeps them from the first frame."""
    feats = model.extract_feat(frame)
    templates = model.head.pool_templates(feats, TARGET[None])
    return feats, templates, mean_colours(frame, TARGET[None], 0.5)[0]


@pytest.mark.parametrize('cfg, error, match', [
    (dict(feature_weight=-0.1), ValueError,
     '^test_cfg.verification.feature_weight must be a number >= 0, got '
     '-0.1$'),
    (dict(feature_weight=float('inf')), ValueError, 'feature_weight'),
    (dict(colour_weight='0.2'), ValueError, 'colour_weight'),
    (dict(colour_weight=True), ValueError, 'colour_weight'),
    (dict(colour_ratio=0), ValueError,
     r'^test_cfg.verification.colour_ratio must be a number in \(0, 1\], '
     'got 0$'),
    (dict(colour_ratio=1.5), ValueError, 'colour_ratio'),
    (dict(feature_level=2), ValueError,
     r'^test_cfg.verification.feature_level must be an integer in '
     r'\[0, 2\), got 2$'),
    (dict(feature_level=0.0), ValueError, 'feature_level'),
    (dict(confidence='rank'), ValueError,
     r"^test_cfg.verification.confidence must be one of \('probability', "
     r"'ranking'\), got 'rank'$"),
    (dict(colour=0.2), KeyError, 'colour'),
    (0.2, TypeError, 'dict or None'),
])
def test_bad_config_is_refused_when_the_model_is_built(cfg, error, match):
    with pytest.raises(error, match=match):
        _model(cfg)


def test_config_defaults_fill_in_and_none_turns_it_off():
    cfg = check_verification_cfg(dict(colour_weight=1.0), num_levels=2)
    assert cfg == dict(feature_weight=0.3, colour_weight=1.0,
                       colour_ratio=0.5, feature_level=0,
                       confidence='probability')
    assert check_verification_cfg(None, num_levels=2) is None


def test_mean_colours_reads_the_central_part_of_each_box():
    frame = _three_squares()
    # A box twice the red square's size, centred on it: its central half is
    # the square, its whole area a quarter square and three quarters dark.
    box = torch.tensor([[2., 2., 26., 26.]])
    central = mean_colours(frame, box, ratio=0.5)[0]
    assert torch.allclose(central, torch.tensor([1.5, -1.0, -1.0]),
                          atol=1e-4)
    whole = mean_colours(frame, box, ratio=1.0)[0]
    assert torch.allclose(whole, torch.tensor([-0.375, -1.0, -1.0]),
                          atol=0.1)


def test_ranking_adds_likeness_and_subtracts_colour_distance():
    model, frame = _model(None), _three_squares()
    feats, templates, first_colour = _first_frame(model, frame)
    boxes = torch.stack([BLUE, TARGET])
    scores = torch.tensor([0.6, 0.5])
    colour_only = verified_scores(
        model.head, feats, templates, frame, boxes, boxes, scores,
        first_colour, check_verification_cfg(
            dict(feature_weight=0.0, colour_weight=0.1), 2))
    # Blue against red: (2.5^2 + 2.5^2)^0.5 apart; the target: 0.
    assert torch.allclose(colour_only,
                          torch.tensor([0.6 - 0.1 * 12.5**0.5, 0.5]),
                          atol=1e-4)
    feature_only = verified_scores(
        model.head, feats, templates, frame, boxes, boxes, scores,
        first_colour, check_verification_cfg(
            dict(feature_weight=2.0, colour_weight=0.0), 2))
    # The target's box pools the template itself: likeness 1.
    assert feature_only[1].item() == pytest.approx(0.5 + 2.0, abs=1e-4)
    assert feature_only[0].item() < 0.6 + 2.0 - 1e-3


def test_rank_candidates_sorts_by_ranking_score_and_keeps_the_scores():
    """The lower-scored target outranks the blue look-alike; every box,
    score and scaled box moves with its candidate."""
    model, frame = _model(None), _three_squares()
    feats, templates, first_colour = _first_frame(model, frame)
    candidates = InstanceData(bboxes=torch.stack([BLUE, TARGET]),
                              scores=torch.tensor([0.6, 0.5]))
    # Stand-ins for the boxes at the test scale: only their order counts.
    boxes_scaled = torch.arange(8.).view(2, 4)
    cfg = check_verification_cfg(dict(feature_weight=0.0,
                                      colour_weight=0.1), 2)
    ranked, scaled = rank_candidates(model.head, feats, templates, frame,
                                     candidates, boxes_scaled, first_colour,
                                     cfg)
    assert torch.equal(ranked.bboxes, torch.stack([TARGET, BLUE]))
    assert torch.equal(ranked.scores, torch.tensor([0.5, 0.6]))
    assert torch.equal(scaled, boxes_scaled.flip(0))
    assert torch.allclose(ranked.ranking_scores,
                          torch.tensor([0.5, 0.6 - 0.1 * 12.5**0.5]),
                          atol=1e-4)


def test_pooling_several_boxes_of_one_image_matches_one_at_a_time():
    model = _model(None)
    feats = model.extract_feat(_three_squares())
    boxes = torch.tensor([[8., 8., 20., 20.], [30., 36., 60., 60.]])
    together = model.head.pool_templates(
        feats, boxes, image_index=torch.zeros(2))
    for i in range(2):
        alone = model.head.pool_templates(feats, boxes[i:i + 1])
        for level in range(2):
            assert torch.allclose(together[level][i:i + 1], alone[level])


def _track_the_first_frame_again(verification):
    """A tiny tracker with every point a candidate (so that each square has
    some), initialised on TARGET in _three_squares and run on that frame."""
    keep_all = dict(pre_nms_top_k=1000, nms_iou_thr=1.0, max_candidates=1000)
    model = _model(verification, **keep_all)
    # mmtrack's memo.bbox is x, y, w, h about the centre.
    model.memo = addict.Dict(bbox=bbox_xyxy_to_cxcywh(TARGET))
    frame = _three_squares()
    with torch.no_grad():
        model.init(frame)
        return model, model.track(frame, [])[0]


def test_tracker_picks_the_candidate_of_the_first_box_colour():
    picked = {}
    for name, cfg in (('plain', None),
                      ('verified', dict(feature_weight=0.0,
                                        colour_weight=10.0))):
        model, result = _track_the_first_frame_again(cfg)
        candidates = model.memo.candidates
        picked[name] = result.bboxes[0]
        if cfg is not None:
            ranking = candidates.ranking_scores
            assert bool((ranking[:-1] >= ranking[1:]).all())
            # The reported score is the head's, not the ranking's.
            assert result.scores[0].item() == pytest.approx(
                candidates.scores[0].item())
            # ... and not the head's best: the ranking reordered them.
            assert result.scores[0].item() < candidates.scores.max().item()
    centre = (picked['verified'][:2] + picked['verified'][2:]) / 2
    assert bool(((centre > TARGET[:2]) & (centre < TARGET[2:])).all())
    # The untrained head alone picks elsewhere: the ranking did it.
    centre = (picked['plain'][:2] + picked['plain'][2:]) / 2
    assert not bool(((centre > TARGET[:2]) & (centre < TARGET[2:])).all())


@pytest.mark.parametrize('confidence', ['probability', 'ranking'])
def test_confidence_ranking_reports_and_thresholds_the_rank_score(
        confidence):
    """The reported score is the chosen candidate's probability or its
    rank score, and ``absent_score_thr`` compares that one."""
    model, result = _track_the_first_frame_again(
        dict(feature_weight=0.5, colour_weight=10.0, confidence=confidence))
    candidates = model.memo.candidates
    expected = (candidates.ranking_scores if confidence == 'ranking' else
                candidates.scores)[0].item()
    assert result.scores[0].item() == pytest.approx(expected)
    # The chosen box is the first one (colour distance 0, likeness about
    # 1): its rank score is about 0.5 above its probability.
    assert abs(candidates.ranking_scores[0] - candidates.scores[0]) > 0.1
    # A threshold between the two scores reports absence for one only.
    between = float(candidates.ranking_scores[0] + candidates.scores[0]) / 2
    model.test_cfg['absent_score_thr'] = between
    with torch.no_grad():
        absent = bool(model.track(_three_squares(), [])[0].absent[0])
    assert absent == (expected < between)
