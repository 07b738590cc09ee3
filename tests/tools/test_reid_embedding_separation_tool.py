"""tools/analysis/reid_embedding_separation.py in-process on a tiny untrained
re-id model and a 2-video, 3-frame MOT-layout set."""
import importlib.util
import json
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from tiny_configs import ROOT, save_tiny_tracker

from mmtrack_smallobj.datasets.synthetic import generate_dataset

REID_CONFIG = osp.join(ROOT, 'configs', 'global_search',
                       'global-search-reid_hrsn2-fpn_1xb8-8e_synthetic-mot.py')
# The shipped re-id config shrunk to 4 channels and 8-D embeddings.
TINY_REID = dict(
    reid_head=dict(in_channels=4, feat_channels=4, embed_channels=8,
                   num_ids=5))


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/analysis/reid_embedding_separation.py')


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """Tiny re-id and plain models, and a MOT set: 2 videos of 3 frames,
    a target and 1 distractor each."""
    tmp = tmp_path_factory.mktemp('reid_separation')
    reid = save_tiny_tracker(tmp, 'reid', REID_CONFIG, TINY_REID)
    plain = save_tiny_tracker(tmp, 'plain')
    root = str(tmp / 'mot')
    generate_dataset(root, fmt='mot', num_videos=2, num_frames=3, seed=0,
                     frame_size=(96, 96), size_range=(6.0, 24.0),
                     num_distractors=1, split='test', progress=False)
    return dict(reid, root=root, plain_config=plain['config'],
                plain_checkpoint=plain['checkpoint'])


def _visible_objects(root):
    with open(osp.join(root, 'annotations', 'test_cocoformat.json')) as f:
        anns = json.load(f)['annotations']
    return [a for a in anns if a.get('visibility', 1) > 0]


def _args(tiny, out, *extra, **change):
    paths = {key: change.get(key, tiny[key])
             for key in ('config', 'checkpoint', 'root')}
    return [paths['config'], paths['checkpoint'], '--data-root',
            paths['root'], '--out-dir', str(out), '--frame-step', '1',
            '--no-progress', *extra]


def test_writes_statistics_and_scatter(tool, tiny, tmp_path, capsys):
    out = tmp_path / 'out'
    assert tool.main(_args(tiny, out)) == 0
    text = capsys.readouterr().out
    assert '| same identity |' in text and 'AUC' in text
    with open(out / 'embedding_separation.json') as f:
        summary = json.load(f)
    objects = _visible_objects(tiny['root'])
    num = len(objects)
    ids = {a['instance_id'] for a in objects}
    sep = summary['separation']
    assert summary['num_embedded'] == sep['num_embeddings'] == num
    assert summary['num_identities'] == sep['num_identities'] == len(ids)
    assert len(ids) == 4  # target and distractor of 2 videos
    assert sep['same']['count'] + sep['different']['count'] == (num * (num - 1)
                                                                // 2)
    for key in ('same', 'different', 'different_same_group'):
        assert -1 <= sep[key]['mean'] <= 1 and sep[key]['std'] >= 0
    assert sep['gap'] == pytest.approx(sep['same']['mean'] -
                                       sep['different']['mean'])
    assert 0 <= sep['auc'] <= 1
    assert len(summary['plotted_identities']) == 4
    with open(out / 'embedding_separation.png', 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    assert sorted(p.name for p in out.iterdir()) == [
        'embedding_separation.json', 'embedding_separation.png']


def test_plots_at_most_max_identities_and_subsamples(tool, tiny, tmp_path):
    out = tmp_path / 'out'
    assert tool.main(_args(tiny, out, '--max-identities', '2',
                           '--max-embeddings', '6')) == 0
    with open(out / 'embedding_separation.json') as f:
        summary = json.load(f)
    assert len(summary['plotted_identities']) == 2
    assert summary['separation']['num_embeddings'] == 6
    assert summary['num_embedded'] == len(_visible_objects(tiny['root']))


def test_embedding_is_the_trackers_first_frame_embedding(tool, tiny):
    """The 'reid' strategy starts its target tracklet from the embedding
    the tool reads for the same box."""
    from mmtrack_smallobj.apis import init_tracker, pack_frame
    model, pipeline = init_tracker(tiny['config'], tiny['checkpoint'])
    assert model.test_cfg['strategy'] == 'reid'
    obj = _visible_objects(tiny['root'])[0]
    with open(osp.join(tiny['root'], 'annotations',
                       'test_cocoformat.json')) as f:
        images = {im['id']: im for im in json.load(f)['images']}
    path = osp.join(tiny['root'], images[obj['image_id']]['file_name'])
    x, y, w, h = obj['bbox']
    box = np.array([x, y, x + w, y + h])
    with torch.no_grad():
        model.test_step(pseudo_collate([pack_frame(pipeline, path, 0, 3,
                                                   box)]))
    ours = tool.frame_embeddings(model, pipeline, path, box[None])
    assert ours.shape == (1, 8)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(ours[0], model.memo.association.first_embed,
                               atol=1e-6)


def _one_identity(tiny, tmp_path):
    """A copy of the set whose annotations keep instance 0 only."""
    root = tmp_path / 'one_id'
    shutil.copytree(tiny['root'], root)
    path = root / 'annotations' / 'test_cocoformat.json'
    coco = json.loads(path.read_text())
    coco['annotations'] = [
        a for a in coco['annotations'] if a['instance_id'] == 0
    ]
    path.write_text(json.dumps(coco))
    return str(root)


@pytest.mark.parametrize('change, extra, message', [
    (dict(root='{tmp}/absent'), [], 'data root is not a folder'),
    (dict(root='{tmp}'), [], 'annotations/test_cocoformat.json'),
    (dict(root='ONE_ID'), [], '1 identities'),
    (dict(checkpoint='PLAIN'), [], 'reid_head.classifier.weight'),
    (dict(config='PLAIN'), [], 'model.reid_head is not set'),
    (dict(checkpoint='{tmp}/absent.pth'), [], 'absent.pth'),
    (dict(), ['--device', 'gpu'], "unknown --device 'gpu'"),
])
def test_bad_input_exits_2(tool, tiny, tmp_path, capsys, change, extra,
                           message):
    special = dict(
        ONE_ID=lambda: _one_identity(tiny, tmp_path),
        PLAIN=lambda: tiny['plain_' + next(iter(change))])
    change = {
        key: special[value]() if value in special else value.format(
            tmp=tmp_path)
        for key, value in change.items()
    }
    out = tmp_path / 'out'
    assert tool.main(_args(tiny, out, *extra, **change)) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_tsne_without_scikit_learn_exits_2(tool, tiny, tmp_path, capsys,
                                           monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, 'find_spec',
        lambda name, *a: None if name == 'sklearn' else find_spec(name, *a))
    assert tool.main(_args(tiny, tmp_path / 'out', '--method', 'tsne')) == 2
    assert 'scikit-learn' in capsys.readouterr().err
