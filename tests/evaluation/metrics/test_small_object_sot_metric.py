"""SmallObjectSOTMetric fed data samples the way mmtrack's test loop does."""
import io
import os
import zipfile

import numpy as np
import pytest

torch = pytest.importorskip('torch')
pytest.importorskip('mmtrack')
from mmengine.structures import InstanceData  # noqa: E402
from mmtrack.evaluation.metrics import SOTMetric  # noqa: E402
from mmtrack.registry import METRICS  # noqa: E402
from mmtrack.structures import TrackDataSample  # noqa: E402

import mmtrack_smallobj.evaluation  # noqa: E402,F401  (registers)
from mmtrack_smallobj.evaluation.functional import (  # noqa: E402
    EvaluationInputError, xywh_to_xyxy)


def _samples(random_videos, with_scores=True, root='data/LaSOT',
             edge_cases=True):
    """Per-frame data samples (as dicts, like mmengine's Evaluator passes
    them) for a few videos; gt and predictions xyxy."""
    samples = []
    rng = np.random.default_rng(0)
    for vid, (gt, pred, vis) in enumerate(
            random_videos(seed=8, num_videos=3, num_frames=30,
                          edge_cases=edge_cases)):
        gt, pred = xywh_to_xyxy(gt), xywh_to_xyxy(pred)
        for fid in range(len(gt)):
            ds = TrackDataSample(
                metainfo=dict(
                    img_path=f'{root}/cat/cat-{vid}/img/{fid + 1:08d}.jpg',
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


def _evaluate(samples, **kwargs):
    """A fresh metric's results, the samples processed one at a time."""
    metric = METRICS.build(dict(type='SmallObjectSOTMetric', **kwargs))
    for sample in samples:
        metric.process({}, [sample])
    return metric.evaluate(size=len(samples))


def _write_cover(root, levels_by_video):
    for vid, levels in levels_by_video.items():
        np.savetxt(root / 'cat' / f'cat-{vid}' / 'cover.label',
                   np.asarray(levels), fmt='%d')


def test_cover_levels_next_to_the_frames_give_visibility_bins(
        random_videos, tmp_path):
    # Boxes all usable and targets all present: a bin holds only frames
    # with a usable box of a present target, the overall numbers all.
    samples = _samples(random_videos, root=tmp_path, edge_cases=False)
    for vid in range(3):
        (tmp_path / 'cat' / f'cat-{vid}').mkdir(parents=True)
    for sample in samples:
        sample['instances'][0]['visible'] = True
    # Video 0 about half visible (level 4), the others fully visible.
    _write_cover(tmp_path, {0: [4] * 30, 1: [8] * 30, 2: [8] * 30})
    out = _evaluate(samples, convention='got10k')
    alone = _evaluate(samples[:30], convention='got10k')
    assert out['sot/visible_30-60/point_accuracy'] == pytest.approx(
        alone['sot/point_accuracy'])
    rest = _evaluate(samples[30:], convention='got10k')
    assert out['sot/visible_100/success'] == pytest.approx(
        rest['sot/success'])
    assert 'sot/visible_0-30/success' not in out  # an empty bin
    # Without the file for one video there are no visibility bins.
    (tmp_path / 'cat' / 'cat-2' / 'cover.label').unlink()
    out = _evaluate(samples, convention='got10k')
    assert not any('visible_' in key for key in out)


def test_a_bad_cover_level_names_its_file(random_videos, tmp_path):
    samples = _samples(random_videos, root=tmp_path)
    for vid in range(3):
        (tmp_path / 'cat' / f'cat-{vid}').mkdir(parents=True)
    _write_cover(tmp_path, {0: [8] * 29 + [9], 1: [8] * 30, 2: [8] * 30})
    with pytest.raises(EvaluationInputError, match='cat-0.cover.label'):
        _evaluate(samples)


def test_incomplete_video_is_an_error(random_videos):
    samples = _samples(random_videos)
    metric = METRICS.build(dict(type='SmallObjectSOTMetric'))
    metric.process({}, samples[:45])  # video 1 stops half-way
    with pytest.raises(ValueError, match=r"missing frames: \['cat-1'\]"):
        metric.evaluate(size=45)
    # The next evaluation starts afresh: it scores as a fresh metric does.
    metric.process({}, samples)
    assert (metric.evaluate(size=len(samples))['sot/success'] ==
            _evaluate(samples)['sot/success'])


def test_unknown_convention_is_rejected():
    with pytest.raises(ValueError, match='convention'):
        METRICS.build(dict(type='SmallObjectSOTMetric', convention='vot'))


class _Clock:
    """A fake ``time`` module whose ``perf_counter`` steps through given
    instants, one per ``process`` call."""

    def __init__(self, instants):
        self._instants = iter(instants)

    def perf_counter(self):
        return next(self._instants)


def _test_set_samples(random_videos):
    """As GOT-10k's test set feeds them: a box on frame 0 only."""
    samples = _samples(random_videos)
    for sample in samples:
        if sample['frame_id'] > 0:
            del sample['instances'][0]['bbox']
    return samples


def test_format_only_writes_got10k_zip_with_measured_times(
        random_videos, tmp_path, monkeypatch):
    from mmtrack_smallobj.evaluation.functional import read_submission
    from mmtrack_smallobj.evaluation.metrics import small_object_sot_metric
    samples = _test_set_samples(random_videos)
    # frame k of the run arrives at 0.5 * k**2 s: frame k took k - 0.5 s
    instants = [0.5 * k**2 for k in range(len(samples))]
    monkeypatch.setattr(small_object_sot_metric, 'time', _Clock(instants))
    metric = METRICS.build(
        dict(type='SmallObjectSOTMetric', format_only=True,
             benchmark='GOT-10k', outfile_prefix=str(tmp_path / 'sub')))
    for sample in samples:
        metric.process({}, [sample])
    assert metric.evaluate(size=len(samples)) == {}
    with zipfile.ZipFile(tmp_path / 'sub.zip') as archive:
        assert sorted(archive.namelist())[:3] == [
            'cat-0/', 'cat-0/cat-0_001.txt', 'cat-0/cat-0_time.txt'
        ]
    back = read_submission('got10k', str(tmp_path / 'sub'))
    assert sorted(back) == ['cat-0', 'cat-1', 'cat-2']
    measured = np.arange(len(samples)) - 0.5
    measured[0] = 0.0  # nothing arrived before the very first frame
    for vid, name in enumerate(['cat-0', 'cat-1', 'cat-2']):
        np.testing.assert_allclose(back[name].times,
                                   measured[vid * 30:(vid + 1) * 30],
                                   atol=5e-9)
        pred = np.stack([
            s['pred_track_instances']['bboxes'].numpy()[0]
            for s in samples[vid * 30:(vid + 1) * 30]
        ])
        np.testing.assert_allclose(back[name].boxes_xywh[:, :2], pred[:, :2],
                                   atol=6e-4)
        np.testing.assert_allclose(back[name].boxes_xywh[:, 2:],
                                   pred[:, 2:] - pred[:, :2], atol=1.1e-3)


def test_got10k_zip_has_the_members_of_sot_metric(random_videos, tmp_path):
    """mmtrack's own format_only zip: same member names."""
    samples = _test_set_samples(random_videos)
    theirs = SOTMetric(format_only=True,
                       metric_options=dict(dataset_type='got10k'),
                       outfile_prefix=str(tmp_path / 'theirs'))
    ours = METRICS.build(
        dict(type='SmallObjectSOTMetric', format_only=True,
             benchmark='got10k', outfile_prefix=str(tmp_path / 'ours')))
    for metric in (ours, theirs):
        for sample in samples:
            metric.process({}, [sample])
        metric.evaluate(size=len(samples))
    with zipfile.ZipFile(tmp_path / 'ours.zip') as a, zipfile.ZipFile(
            tmp_path / 'theirs.zip') as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        name = 'cat-1/cat-1_001.txt'
        np.testing.assert_allclose(
            np.loadtxt(io.BytesIO(a.read(name)), delimiter=','),
            np.loadtxt(io.BytesIO(b.read(name)), delimiter=','), atol=6e-4)


def test_submission_is_kept_in_the_log_folder(random_videos, tmp_path,
                                              monkeypatch):
    """Without outfile_prefix: the run's log folder (under the work_dir),
    never a deleted temporary one; the path is logged."""
    from mmengine.logging import MMLogger
    log_file = tmp_path / 'work_dir' / '20240101_000000' / 'run.log'
    log_file.parent.mkdir(parents=True)
    name = f'submission_test_{id(tmp_path)}'
    logger = MMLogger.get_instance(name, log_file=str(log_file))
    messages = []
    monkeypatch.setattr(logger, 'info', messages.append)
    try:
        metric = METRICS.build(
            dict(type='SmallObjectSOTMetric', format_only=True,
                 benchmark='trackingnet'))
        samples = _test_set_samples(random_videos)
        metric.process({}, samples)
        metric.evaluate(size=len(samples))
    finally:
        # later tests get the previous current logger back
        MMLogger._instance_dict.pop(name)
        for handler in logger.handlers:
            handler.close()
    path = log_file.parent / 'submission_trackingnet.zip'
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            'cat-0.txt', 'cat-1.txt', 'cat-2.txt'
        ]
    assert any(str(path) in m for m in messages)


def test_benchmark_with_evaluation_writes_lasot_folder(random_videos,
                                                        tmp_path):
    samples = _samples(random_videos)
    metric = METRICS.build(
        dict(type='SmallObjectSOTMetric', benchmark='lasot',
             outfile_prefix=str(tmp_path / 'lasot')))
    metric.process({}, samples)
    out = metric.evaluate(size=len(samples))
    assert 0 < out['sot/success'] < 100
    assert sorted(os.listdir(tmp_path / 'lasot')) == [
        'cat-0.txt', 'cat-1.txt', 'cat-2.txt'
    ]


def test_format_only_needs_a_benchmark_and_gt_needs_format_only(
        random_videos):
    with pytest.raises(ValueError, match='give benchmark='):
        METRICS.build(dict(type='SmallObjectSOTMetric', format_only=True))
    with pytest.raises(ValueError, match="unknown benchmark 'vot'"):
        METRICS.build(dict(type='SmallObjectSOTMetric', benchmark='vot'))
    metric = METRICS.build(dict(type='SmallObjectSOTMetric'))
    with pytest.raises(ValueError, match='cat-0 frame 1 has no ground-truth '
                       'box; use format_only=True'):
        metric.process({}, _test_set_samples(random_videos)[:2])


def _not_present(sample):
    """Ground truth says the target is not there: invisible or no box."""
    instance = sample['instances'][0]
    box = np.asarray(instance['bbox'])
    return not instance['visible'] or not (box[2] > box[0]
                                           and box[3] > box[1])


def _with_absent(samples, flag):
    """Copies of the samples whose predictions after frame 0 carry
    ``absent = flag(sample)``; frame 0 has no field, as the tracker's
    initialisation result."""
    out = []
    for sample in samples:
        sample = dict(sample, pred_track_instances=dict(
            sample['pred_track_instances']))
        if sample['frame_id'] > 0:
            sample['pred_track_instances']['absent'] = torch.tensor(
                [flag(sample)])
        out.append(sample)
    return out


LT_KEYS = ('sot/lt_precision', 'sot/lt_recall', 'sot/lt_fscore',
           'sot/oxuva_tpr', 'sot/oxuva_tnr', 'sot/oxuva_maxgm',
           'sot/antiuav_sa')


def test_tracker_absence_is_predicted_absence_whatever_the_threshold(
        random_videos):
    samples = _samples(random_videos)
    # threshold 0: every score in [0, 1) means "present" by the score
    base = _evaluate(samples, presence_threshold=0.0)
    never = _evaluate(_with_absent(samples, lambda s: False),
                      presence_threshold=0.0)
    assert never == base
    flagged = _with_absent(samples, _not_present)
    assert sum(_not_present(s) for s in flagged if s['frame_id'] > 0) > 5
    out = _evaluate(flagged, presence_threshold=0.0)
    assert base['sot/oxuva_tnr'] < 90
    # every frame without the target is flagged: all predicted absent
    assert out['sot/oxuva_tnr'] == pytest.approx(100.0)
    assert out['sot/oxuva_tpr'] == pytest.approx(base['sot/oxuva_tpr'])
    assert out['sot/antiuav_sa'] > base['sot/antiuav_sa']
    for key in ('sot/success', 'sot/precision', 'sot/ao',
                'sot/point_accuracy'):
        assert out[key] == base[key], key
    # exactly as if the flagged frames had no usable confidence: left out
    # of the frames predicted present at every VOT-LT threshold too
    unscored = []
    for sample in samples:
        if sample['frame_id'] > 0 and _not_present(sample):
            pred = dict(sample['pred_track_instances'],
                        scores=torch.tensor([float('nan')]))
            sample = dict(sample, pred_track_instances=pred)
        unscored.append(sample)
    nan_scores = _evaluate(unscored, presence_threshold=0.0)
    for key in LT_KEYS:
        assert out[key] == pytest.approx(nan_scores[key]), key
    assert out['sot/lt_precision'] > base['sot/lt_precision']


def test_tracker_absence_is_submitted_as_absent(random_videos, tmp_path):
    from mmtrack_smallobj.evaluation.functional import read_submission
    samples = _with_absent(_samples(random_videos),
                           lambda s: s['frame_id'] % 3 == 1)
    # no score is below -1: only the tracker's flags say absent
    _evaluate(samples, presence_threshold=-1.0, benchmark='anti_uav',
              outfile_prefix=str(tmp_path / 'sub'))
    back = read_submission('anti_uav', str(tmp_path / 'sub'))
    expected = np.arange(30) % 3 == 1
    for name in ('cat-0', 'cat-1', 'cat-2'):
        np.testing.assert_array_equal(back[name].absent, expected)
