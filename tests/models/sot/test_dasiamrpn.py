"""DaSiamRPN: loss on negative pairs, local-to-global search, bad first box."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

import mmtrack_smallobj  # noqa: F401
from mmtrack.models.sot import SiamRPN
from mmtrack.registry import MODELS
from mmtrack.structures import TrackDataSample
from mmtrack.utils import register_all_modules
from mmtrack_smallobj.models.sot.dasiamrpn import check_local_to_global
from siamese_crop_pairs import rpn_loss_step

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'dasiamrpn',
                  'dasiamrpn_r18-tiny_1xb8-4e_synthetic-lasot_base.py')
BOX = [28., 28., 36., 36.]  # 8 px target in a 64 px frame


def _model_cfg():
    """The shipped tiny model, 4 channels wide."""
    register_all_modules(init_default_scope=False)
    init_default_scope('mmtrack')
    cfg = Config.fromfile(CONFIG).model
    cfg.backbone.base_channels = 4
    cfg.neck.in_channels = [8, 16, 32]
    cfg.neck.out_channels = 4
    cfg.head.in_channels = [4, 4, 4]
    return cfg


@pytest.fixture
def model():
    torch.manual_seed(0)
    model = MODELS.build(_model_cfg())
    model.eval()
    return model


def _sample(frame_id, box=(0., 0., 1., 1.)):
    sample = TrackDataSample()
    sample.set_metainfo(
        dict(frame_id=frame_id, ori_shape=(64, 64), img_shape=(64, 64)))
    sample.gt_instances = InstanceData(bboxes=torch.tensor([list(box)]))
    return sample


def _fixed_scores(model, monkeypatch, target_logit):
    """Make every anchor score softmax([-t, t])[1] and regress no offset."""
    forward = type(model.head).forward

    def fixed(z_feat, x_feat):
        cls_score, bbox_pred = forward(model.head, z_feat, x_feat)
        cls_score = torch.empty_like(cls_score)
        half = cls_score.size(1) // 2
        cls_score[:, :half] = -target_logit
        cls_score[:, half:] = target_logit
        return cls_score, bbox_pred * 0

    monkeypatch.setattr(model.head, 'forward', fixed)


def _track(model, frame_id, img):
    with torch.no_grad():
        out = model.predict(dict(img=img), [_sample(frame_id)])
    return out[0].pred_track_instances


def test_loss_with_negative_pairs_backpropagates():
    torch.manual_seed(0)
    model = MODELS.build(_model_cfg())
    model.train()
    rpn_loss_step(model, labels=(1, 0, 0), box=(96., 96., 160., 160.))
    grads = [p.grad for p in model.head.parameters() if p.requires_grad]
    assert any(g is not None and g.abs().sum() > 0 for g in grads)


def test_search_grows_while_lost_and_shrinks_when_found(model, monkeypatch):
    img = torch.rand(1, 1, 3, 64, 64) * 255
    with torch.no_grad():
        model.predict(dict(img=img), [_sample(0, BOX)])
    assert model.memo.search_step == 0

    _fixed_scores(model, monkeypatch, target_logit=-5.0)  # score ~5e-5
    inputs, regions = [], []
    for frame_id in (1, 2, 3, 4):
        result = _track(model, frame_id, img)
        # Lost: the last box is kept, with the low score, reported absent.
        assert result.bboxes.tolist() == [BOX]
        assert float(result.scores) < 1e-3
        assert result.absent.tolist() == [True]
        inputs.append(model.memo.search_input)
        regions.append(model.memo.search_region)
    assert inputs[0] == 255  # the first lost frame was searched normally
    assert inputs[1] > inputs[0] and regions[1] > regions[0]
    assert inputs[2] > inputs[1] and regions[2] > regions[1]
    # Grown to the whole 64 px frame (centred at 32): no further growth.
    assert regions[2] >= 64 and inputs[3] == inputs[2]
    # Inputs grow in steps of two strides (16 px), from 255, up to the cap.
    assert all((s - 255) % 16 == 0 and s <= 511 for s in inputs)

    monkeypatch.undo()
    _fixed_scores(model, monkeypatch, target_logit=5.0)
    result = _track(model, 5, img)
    assert result.absent.tolist() == [False]
    assert model.memo.search_step == 0
    _track(model, 6, img)
    # Back to the normal region of the (new, mmtrack-clipped >= 10 px) box.
    cx, cy, w, h = model.memo.bbox.tolist()
    z_size = ((w + (w + h) / 2) * (h + (w + h) / 2))**0.5
    assert model.memo.search_input == 255
    assert model.memo.search_region == round(z_size * 255 / 127)


def test_max_steps_bounds_the_growth(model, monkeypatch):
    model.local_to_global = check_local_to_global(
        dict(max_steps=1, growth=1.2), 255)
    img = torch.rand(1, 1, 3, 64, 64) * 255
    with torch.no_grad():
        model.predict(dict(img=img), [_sample(0, BOX)])
    _fixed_scores(model, monkeypatch, target_logit=-5.0)
    steps = []
    for frame_id in (1, 2, 3):
        _track(model, frame_id, img)
        steps.append(model.memo.search_step)
    assert steps == [1, 1, 1]


def test_normal_search_matches_siamrpn(model):
    """While confident, DaSiamRPN tracks exactly as SiamRPN++."""
    model.local_to_global = check_local_to_global(dict(score_thr=0.0), 255)
    frames = torch.rand(3, 1, 3, 64, 64) * 255
    with torch.no_grad():
        model.predict(dict(img=frames[0:1]), [_sample(0, BOX)])
        memo = {k: v for k, v in model.memo.items()}
        ours = model.track(frames[1], [_sample(1)])[0]
        model.memo.update(memo)
        theirs = SiamRPN.track(model, frames[1], [_sample(1)])[0]
    assert torch.allclose(ours.bboxes, theirs.bboxes)
    assert torch.allclose(ours.scores, theirs.scores)


def test_head_priors_are_restored(model, monkeypatch):
    sentinel = torch.zeros(1)
    model.head.anchors = sentinel
    model.head.windows = sentinel
    img = torch.rand(1, 1, 3, 64, 64) * 255
    with torch.no_grad():
        model.predict(dict(img=img), [_sample(0, BOX)])
    _fixed_scores(model, monkeypatch, target_logit=-5.0)
    _track(model, 1, img)
    _track(model, 2, img)  # an enlarged search
    assert model.head.anchors is sentinel and model.head.windows is sentinel


@pytest.mark.parametrize(
    'box, match',
    [([10., 10., 10., 20.], 'positive size'),
     ([20., 10., 10., 20.], 'positive size'),
     ([float('nan'), 10., 20., 20.], 'positive size'),
     ([100., 100., 120., 120.], 'outside'),
     ([-30., 5., -2., 20.], 'outside')])
def test_degenerate_first_box_raises(model, box, match):
    img = torch.rand(1, 1, 3, 64, 64) * 255
    with pytest.raises(ValueError, match=match), torch.no_grad():
        model.predict(dict(img=img), [_sample(0, box)])


@pytest.mark.parametrize('cfg, match', [
    (dict(score_thresh=0.5), 'unknown'),
    (dict(growth=1.0), 'growth'),
    (dict(max_steps=-1), 'max_steps'),
    (dict(score_thr=1.5), 'score_thr'),
    (dict(max_search_size=127), 'max_search_size'),
])
def test_bad_local_to_global_is_rejected(cfg, match):
    model_cfg = _model_cfg()
    model_cfg.test_cfg.local_to_global = cfg
    with pytest.raises(ValueError, match=match):
        MODELS.build(model_cfg)


@pytest.mark.parametrize('cfg, message', [
    (dict(growth=1.0), 'growth must be a number > 1, got 1.0'),
    (dict(max_steps=True), 'max_steps must be an integer >= 0, got True'),
    (dict(score_thr='0.3'),
     r"score_thr must be a number in \[0, 1\], got '0.3'"),
    (dict(max_search_size=127), r'max_search_size \(at least the normal '
     r'search size\) must be a number >= 255, got 127'),
])
def test_bad_local_to_global_names_the_range(cfg, message):
    with pytest.raises(ValueError, match=f'^{message}$'):
        check_local_to_global(cfg, 255)


def test_local_to_global_check_does_not_mutate():
    cfg = dict(score_thr=0.5)
    out = check_local_to_global(cfg, 255)
    assert cfg == dict(score_thr=0.5)
    assert out['score_thr'] == 0.5 and out['max_steps'] == 4
