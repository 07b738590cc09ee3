"""SmallObjectSOTMetric fed data samples the way mmtrack's test loop does."""
import numpy as np
import pytest

torch = pytest.importorskip('torch')
pytest.importorskip('mmtrack')
from mmengine.structures import InstanceData  # noqa: E402
from mmtrack.evaluation.metrics import SOTMetric  # noqa: E402
from mmtrack.registry import METRICS  # noqa: E402
from mmtrack.structures import TrackDataSample  # noqa: E402

import mmtrack_smallobj.evaluation  # noqa: E402,F401  (registers)
from mmtrack_smallobj.evaluation.functional import xywh_to_xyxy  # noqa: E402


def _samples(random_videos, with_scores=True):
    """Per-frame data samples (as dicts, like mmengine's Evaluator passes
    them) for a few videos; gt and predictions xyxy."""
    samples = []
    rng = np.random.default_rng(0)
    for vid, (gt, pred, vis) in enumerate(
            random_videos(seed=8, num_videos=3, num_frames=30)):
        gt, pred = xywh_to_xyxy(gt), xywh_to_xyxy(pred)
        for fid in range(len(gt)):
            ds = TrackDataSample(
                metainfo=dict(
                    img_path=f'data/LaSOT/cat/cat-{vid}/img/{fid + 1:08d}.jpg',
                    ori_shape=(240, 320),
                    frame_id=fid,
                    video_id=vid,
                    video_length=len(gt),
                    instances=[dict(bbox=gt[fid], visible=bool(vis[fid]))]))
            inst = InstanceData()
            inst.bboxes = torch.tensor(pred[fid:fid + 1], dtype=torch.float32)
            if with_scores:
                inst.scores = torch.tensor([rng.uniform()],
                                           dtype=torch.float32)
            ds.pred_track_instances = inst
            samples.append(ds.to_dict())
    return samples


@pytest.mark.parametrize('only_visible', [False, True])
def test_matches_sot_metric_on_the_same_samples(random_videos, only_visible):
    samples = _samples(random_videos)
    ours = METRICS.build(
        dict(type='SmallObjectSOTMetric', only_eval_visible=only_visible))
    theirs = SOTMetric(metric_options=dict(only_eval_visible=only_visible))
    # one frame per batch, as mmtrack's SOT test dataloaders do (SOTMetric
    # drops the rest of a batch after a video's last frame)
    for metric in (ours, theirs):
        for sample in samples:
            metric.process({}, [sample])
    ours_out = ours.evaluate(size=len(samples))
    theirs_out = theirs.evaluate(size=len(samples))
    for key in ('success', 'precision', 'norm_precision'):
        assert ours_out[f'sot/{key}'] == pytest.approx(
            float(theirs_out[f'sot/{key}']), abs=1e-4), key
    assert 'sot/point_accuracy' in ours_out and 'sot/lt_fscore' in ours_out
    assert 'sot/16-32/success' in ours_out


def test_writes_result_files_and_handles_interleaved_frames(
        random_videos, tmp_path):
    samples = _samples(random_videos, with_scores=False)
    # interleave the videos, as several workers could deliver them
    order = sorted(range(len(samples)), key=lambda i: (i % 30, i // 30))
    metric = METRICS.build(
        dict(type='SmallObjectSOTMetric', convention='got10k',
             outfile_prefix=str(tmp_path)))
    metric.process({}, [samples[i] for i in order])
    out = metric.evaluate(size=len(samples))
    assert 0 < out['sot/success'] < 100 and 'sot/lt_fscore' not in out
    boxes = np.loadtxt(tmp_path / 'cat-1.txt', delimiter=',')
    expected = samples[30]['pred_track_instances']['bboxes'].numpy()[0]
    np.testing.assert_allclose(boxes[0, :2], expected[:2], atol=1e-4)
    np.testing.assert_allclose(boxes[0, 2:], expected[2:] - expected[:2],
                               atol=1e-3)


def test_incomplete_video_is_an_error(random_videos):
    samples = _samples(random_videos)
    metric = METRICS.build(dict(type='SmallObjectSOTMetric'))
    metric.process({}, samples[:45])  # video 1 stops half-way
    with pytest.raises(ValueError, match='missing frames'):
        metric.evaluate(size=45)


def test_unknown_convention_is_rejected():
    with pytest.raises(ValueError, match='convention'):
        METRICS.build(dict(type='SmallObjectSOTMetric', convention='vot'))
