"""First-frame adaptation of the global-search head's score layers."""
import copy

import addict
import pytest
import torch
from mmtrack.registry import MODELS
from mmtrack.utils import register_all_modules

import mmtrack_smallobj  # noqa: F401
from mmtrack_smallobj.models.sot.first_frame_adaptation import (
    adapt_head, check_adaptation_cfg, check_size_calibration_cfg,
    check_small_target_zoom_cfg, score_parameters, size_calibration,
    zoomed_short_side)
from tiny_tracker_config import TINY


@pytest.fixture(scope='module', autouse=True)
def registry() -> None:
    register_all_modules(init_default_scope=True)


def _model(**test_cfg):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(TINY, test_cfg=dict(TINY['test_cfg'], **test_cfg)))
    model.init_weights()
    return model.eval()


def _two_squares(target=(8, 8, 20, 20), distractor=(40, 36, 56, 52)):
    """A dark 64x64 frame with a dim target square and a brighter, larger
    distractor square: the salient one is not the target."""
    frame = torch.full((1, 3, 64, 64), -1.0)
    x1, y1, x2, y2 = target
    frame[..., y1:y2, x1:x2] = 0.5
    x1, y1, x2, y2 = distractor
    frame[..., y1:y2, x1:x2] = 2.0
    return frame


def _max_in_and_out(head, templates, feats, box):
    """Highest score logit inside and outside ``box`` over all levels."""
    scores, _ = head(templates, feats)
    inside, outside = [], []
    for score, stride in zip(scores, head.strides):
        points, mask = head._level_targets(score, stride, box[None])
        flat = score.flatten()
        inside.append(flat[mask[0]].max())
        outside.append(flat[~mask[0]].max())
    return max(inside).item(), max(outside).item()


@pytest.mark.parametrize('cfg, error, match', [
    (dict(step=3), KeyError, 'step'),
    (dict(steps=-1), ValueError,
     '^test_cfg.first_frame_adaptation.steps must be an integer >= 0, got '
     '-1$'),
    (dict(steps=2.5), ValueError, 'steps'),
    (dict(lr=0.0), ValueError,
     '^test_cfg.first_frame_adaptation.lr must be a number > 0, got 0.0$'),
    (dict(steps='20'), ValueError, 'steps'),
    (dict(lr='fast'), ValueError, 'lr'),
    (True, TypeError, 'dict or None'),
])
def test_bad_config_is_refused_when_the_model_is_built(cfg, error, match):
    with pytest.raises(error, match=match):
        _model(first_frame_adaptation=cfg)


def test_config_defaults_fill_in_and_none_turns_it_off():
    assert check_adaptation_cfg(None) is None
    assert check_adaptation_cfg(dict(steps=3)) == dict(steps=3, lr=5e-3)


def test_only_a_copy_of_the_score_layers_learns_and_the_target_wins():
    model = _model()
    frame, box = _two_squares(), torch.tensor([8., 8., 20., 20.])
    with torch.no_grad():
        feats = model.extract_feat(frame)
        templates = model.head.pool_templates(feats, box[None])
    before = copy.deepcopy(model.head.state_dict())
    gap_before = _max_in_and_out(model.head, templates, feats, box)
    adapted = adapt_head(model.head, templates, feats, box,
                         dict(steps=30, lr=0.05))
    # The trained head is untouched.
    for key, value in model.head.state_dict().items():
        assert torch.equal(value, before[key]), key
    score_keys = {
        key for key, value in adapted.state_dict().items()
        if any(value is p for p in score_parameters(adapted))
    }
    changed = {
        key for key, value in adapted.state_dict().items()
        if not torch.equal(value, before[key])
    }
    assert changed and changed <= {
        k for k in before if '.cls.' in k} | score_keys
    assert not any(p.requires_grad for p in adapted.parameters())
    with torch.no_grad():
        inside, outside = _max_in_and_out(adapted, templates, feats, box)
    # Untrained, the bright distractor outscores the target or ties it;
    # after adaptation the target's best point leads.
    assert inside - outside > gap_before[0] - gap_before[1]
    assert inside > outside


def test_zero_steps_returns_the_head_itself():
    model = _model()
    assert adapt_head(model.head, [], [], torch.zeros(4),
                      dict(steps=0, lr=1.0)) is model.head


def test_tracker_adapts_per_video_and_never_changes_its_own_head():
    model = _model(first_frame_adaptation=dict(steps=5, lr=0.05))
    before = copy.deepcopy(model.head.state_dict())
    frame = _two_squares()
    heads = []
    for box in ([8., 8., 20., 20.], [40., 36., 56., 52.]):
        model.memo = addict.Dict()
        model.memo.bbox = torch.tensor(box)
        with torch.no_grad():
            model.init(frame)
            model.track(frame, [])
        heads.append(model.memo.head)
    assert heads[0] is not model.head and heads[1] is not heads[0]
    for key, value in model.head.state_dict().items():
        assert torch.equal(value, before[key]), key
    # Each video's copy learned its own target from the same start.
    weight = [h.branches[0]['cls'].weight for h in heads]
    assert not torch.equal(weight[0], weight[1])


def test_without_adaptation_the_tracker_searches_with_its_head():
    model = _model()
    model.memo = addict.Dict(bbox=torch.tensor([8., 8., 20., 20.]))
    with torch.no_grad():
        model.init(_two_squares())
    assert model.memo.head is model.head


@pytest.mark.parametrize('cfg, error, match', [
    (dict(max_ration=2.0), KeyError, 'max_ration'),
    (dict(max_ratio=0.5), ValueError,
     '^test_cfg.size_calibration.max_ratio must be a number >= 1, got 0.5$'),
    (dict(max_ratio='2'), ValueError, 'max_ratio'),
    (dict(max_ratio=True), ValueError, 'max_ratio'),
    (2.0, TypeError, 'dict or None'),
])
def test_bad_size_calibration_is_refused_when_the_model_is_built(
        cfg, error, match):
    with pytest.raises(error, match=match):
        _model(size_calibration=cfg)


def test_size_calibration_defaults_and_off():
    assert check_size_calibration_cfg(None) is None
    assert check_size_calibration_cfg({}) == dict(max_ratio=2.0)


def test_size_calibration_takes_the_best_candidate_centred_in_the_box():
    box = torch.tensor([10., 10., 30., 20.])  # 20 x 10
    boxes = torch.tensor([
        [50., 50., 60., 60.],  # best score, outside the box
        [15., 12., 25., 18.],  # centre (20, 15) inside: 10 x 6
        [0., 0., 40., 30.],  # centre (20, 15) inside too, but lower
    ])
    ratio = size_calibration(boxes, box, max_ratio=4.0)
    assert torch.allclose(ratio, torch.tensor([2.0, 10 / 6]))
    # Clamped to [1 / max_ratio, max_ratio].
    assert torch.allclose(
        size_calibration(boxes, box, max_ratio=1.5), torch.tensor([1.5,
                                                                   1.5]))
    shrink = size_calibration(boxes[2:], box, max_ratio=1.2)
    assert torch.allclose(shrink, torch.tensor([1 / 1.2, 1 / 1.2]))


def test_size_calibration_without_a_candidate_in_the_box_is_neutral():
    box = torch.tensor([10., 10., 30., 20.])
    assert torch.equal(size_calibration(torch.zeros(0, 4), box, 2.0),
                       torch.ones(2))
    far = torch.tensor([[50., 50., 60., 60.]])
    assert torch.equal(size_calibration(far, box, 2.0), torch.ones(2))


def test_tracker_rescales_its_boxes_by_the_first_frame_factors():
    frame, box = _two_squares(), torch.tensor([8., 8., 20., 20.])
    results = {}
    for name, cfg in (('plain', None), ('calibrated', dict(max_ratio=8.0))):
        model = _model(size_calibration=cfg)
        model.memo = addict.Dict(bbox=box.clone())
        with torch.no_grad():
            model.init(frame)
            results[name] = model.track(frame, [])[0].bboxes[0]
            ratio = model.memo.size_ratio
    # The untrained head's box for the first frame is not the given one,
    # so the factors do something here.
    assert not torch.allclose(torch.tensor(ratio), torch.ones(2))
    plain, calibrated = results['plain'], results['calibrated']
    # Same candidate (same frame and weights), its width and height scaled
    # by the factors the first frame gave about its centre, then clipped to
    # the 64 px image.
    centre, size = (plain[:2] + plain[2:]) / 2, plain[2:] - plain[:2]
    half = size * torch.tensor(ratio) / 2
    expected = torch.cat([centre - half, centre + half]).clamp(0, 64)
    assert torch.allclose(calibrated, expected, atol=1e-4)


@pytest.mark.parametrize('cfg, error, match', [
    (dict(target_size=0), ValueError,
     '^test_cfg.small_target_zoom.target_size must be a number > 0, got 0$'),
    (dict(target_size='48'), ValueError, 'target_size'),
    (dict(max_zoom=0.5), ValueError, 'max_zoom'),
    (dict(max_zoom=True), ValueError, 'max_zoom'),
    (dict(zoom=2), KeyError, 'zoom'),
    (48, TypeError, 'dict or None'),
])
def test_bad_small_target_zoom_is_refused_when_the_model_is_built(
        cfg, error, match):
    with pytest.raises(error, match=match):
        _model(small_target_zoom=cfg)


def test_small_target_zoom_defaults_and_off():
    assert check_small_target_zoom_cfg(None) is None
    assert check_small_target_zoom_cfg({}) == dict(
        target_size=48.0, max_zoom=2.0)


@pytest.mark.parametrize('box, short_side', [
    ([0., 0., 48., 48.], 240),  # already 48 px: no zoom
    ([0., 0., 100., 100.], 240),  # larger: never shrunk
    ([0., 0., 32., 32.], 360),  # 1.5 times
    ([0., 0., 24., 12.], 480),  # 17 px: capped at 2 times
])
def test_zoomed_short_side_brings_the_box_to_the_target_size(
        box, short_side):
    cfg = dict(target_size=48.0, max_zoom=2.0)
    test_cfg = dict(short_side=240, max_long_side=None)
    assert zoomed_short_side(torch.tensor(box), 240, 320, test_cfg,
                             cfg) == short_side


def test_zoom_measures_the_box_at_the_configured_scale():
    # A 640 x 480 frame is halved to short side 240: a 96 px box spans
    # 48 px there and needs no zoom, a 64 px one spans 32 px.
    cfg = dict(target_size=48.0, max_zoom=2.0)
    test_cfg = dict(short_side=240, max_long_side=None)
    big, small = torch.tensor([0., 0., 96., 96.]), torch.tensor(
        [0., 0., 64., 64.])
    assert zoomed_short_side(big, 480, 640, test_cfg, cfg) == 240
    assert zoomed_short_side(small, 480, 640, test_cfg, cfg) == 360


def test_tracker_searches_a_small_target_video_at_the_zoomed_scale():
    frame, box = _two_squares(), torch.tensor([8., 8., 20., 20.])
    seen = {}
    for name, cfg in (('plain', None), ('zoomed', dict(target_size=40.0))):
        model = _model(small_target_zoom=cfg)
        sizes = []
        original = model.extract_feat
        model.extract_feat = lambda img: sizes.append(
            tuple(img.shape[-2:])) or original(img)
        model.memo = addict.Dict(bbox=box.clone())
        with torch.no_grad():
            model.init(frame)
            result = model.track(frame, [])[0]
        seen[name] = (sizes, result.bboxes[0])
    # TINY searches at short side 64: the 20 px box (memo.bbox is cx, cy,
    # w, h) is zoomed 2 times to 40 px on the first frame and every later
    # one.
    assert seen['plain'][0] == [(64, 64), (64, 64)]
    assert seen['zoomed'][0] == [(128, 128), (128, 128)]
    # Boxes come back in input pixels either way.
    assert ((seen['zoomed'][1] >= 0) & (seen['zoomed'][1] <= 64)).all()
