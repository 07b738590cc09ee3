"""tools/analysis/plot_results.py in-process: two fake trackers on a tiny
synthetic LaSOT set give the figures and a report with the evaluation
toolkit's numbers; a folder that does not match stops with a clear error."""
import glob
import os
import os.path as osp
import shutil

import matplotlib.image as mpimg
import numpy as np
import pytest

from mmtrack_smallobj.datasets.synthetic import generate_dataset
from mmtrack_smallobj.evaluation.functional import evaluate_results



@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/analysis/plot_results.py')


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    """2 videos of 5 frames (targets of 4 to 6 and of 6 to 7 px); 'exact'
    repeats the ground truth, 'shifted' moves every box 3 px right."""
    tmp = tmp_path_factory.mktemp('plot_results')
    root = str(tmp / 'lasot')
    generate_dataset(root, fmt='lasot', num_videos=2, num_frames=5, seed=0,
                     frame_size=(64, 64), size_range=(4.0, 24.0),
                     split='test', progress=False)
    folders = {}
    for name, shift in (('exact', 0), ('shifted', 3)):
        folder = tmp / name
        folder.mkdir()
        for gt in glob.glob(osp.join(root, '*', '*', 'groundtruth.txt')):
            boxes = np.loadtxt(gt, delimiter=',').reshape(-1, 4)
            boxes[:, 0] += shift
            video = osp.basename(osp.dirname(gt))
            np.savetxt(folder / f'{video}.txt', boxes, fmt='%g',
                       delimiter=',')
        folders[name] = str(folder)
    return dict(root=root, **folders)


def _args(data, out, *results):
    results = results or (f"exact={data['exact']}",
                          f"shifted={data['shifted']}")
    return ['--data-root', data['root'], '--format', 'lasot', '--results',
            *results, '--out-dir', str(out), '--convention', 'lasot',
            '--size-bins', '6']


def test_report_and_figures(tool, data, tmp_path, capsys):
    out = tmp_path / 'compare'
    assert tool.main(_args(data, out)) == 0
    # The generator writes cover levels: visibility bins too.
    pngs = ['curves.png', 'size_bins.png', 'visibility_bins.png']
    assert sorted(os.listdir(out)) == sorted(pngs + ['report.md'])
    for png in pngs:
        image = mpimg.imread(str(out / png))
        assert image.ndim == 3 and image.shape[0] > 200
    report = (out / 'report.md').read_text()
    assert '![success and precision curves](curves.png)' in report
    assert '![metrics per size bin](size_bins.png)' in report
    assert '![metrics per visibility bin](visibility_bins.png)' in report
    assert 'written: ' in capsys.readouterr().out
    # The numbers are the evaluation toolkit's, row by row.
    metrics = {
        name: evaluate_results(data['root'], 'lasot', data[name],
                               convention='lasot', size_edges=(6, ))
        for name in ('exact', 'shifted')
    }
    for name, m in metrics.items():
        assert f"| {name} | {m['success']:.2f} |" in report
        bins = [b for b, cell in m['by_size'].items() if cell['num_frames']]
        assert bins == ['<6', '>=6']  # both targets' sizes are in use
        for label in bins:
            cell = m['by_size'][label]
            assert (f"| {label} | {name} | {cell['num_frames']} | "
                    f"{cell['success']:.2f} |") in report
        shown = [b for b, c in m['by_visibility'].items() if c['num_frames']]
        assert shown
        for label in shown:
            cell = m['by_visibility'][label]
            assert (f"| {label} | {name} | {cell['num_frames']} | "
                    f"{cell['success']:.2f} |") in report
    exact, shifted = metrics['exact'], metrics['shifted']
    assert exact['success'] > shifted['success']
    for video, e in exact['per_video'].items():
        s = shifted['per_video'][video]
        # The better tracker's success is in bold.
        assert (f"| {video} | 5 | **{e['success']:.2f}** | "
                f"{s['success']:.2f} | {e['point_accuracy']:.2f} | "
                f"{s['point_accuracy']:.2f} |") in report


def test_no_cover_levels_no_visibility_section(tool, data, tmp_path):
    root = tmp_path / 'lasot'
    shutil.copytree(data['root'], root)
    for cover in root.glob('*/*/cover.label'):
        cover.unlink()
    out = tmp_path / 'compare'
    assert tool.main(_args(dict(data, root=str(root)), out)) == 0
    assert sorted(os.listdir(out)) == ['curves.png', 'report.md',
                                       'size_bins.png']
    assert 'Per target visibility' not in (out / 'report.md').read_text()


def test_one_tracker_is_enough(tool, data, tmp_path):
    out = tmp_path / 'one'
    assert tool.main(_args(data, out, f"exact={data['exact']}")) == 0
    assert '**' not in (out / 'report.md').read_text()


def _short_file(folder, tmp_path):
    """A copy of the results with one line missing in one file."""
    bad = tmp_path / 'bad'
    bad.mkdir()
    for path in sorted(glob.glob(osp.join(folder, '*.txt'))):
        lines = open(path).read().splitlines()
        (bad / osp.basename(path)).write_text('\n'.join(lines) + '\n')
    victim = sorted(bad.iterdir())[0]
    victim.write_text('\n'.join(victim.read_text().splitlines()[:-1]) + '\n')
    return str(bad), str(victim)


def test_mismatched_results_stop_before_writing(tool, data, tmp_path,
                                                capsys):
    bad, victim = _short_file(data['shifted'], tmp_path)
    out = tmp_path / 'compare'
    assert tool.main(
        _args(data, out, f"exact={data['exact']}", f'broken={bad}')) == 2
    err = capsys.readouterr().err
    assert victim in err and 'tracker broken' in err
    assert 'has 4 lines but the video has 5 frames' in err
    assert not out.exists()


@pytest.mark.parametrize('results, message', [
    (['exact'], 'expected NAME=DIR'),
    (['=x'], 'expected NAME=DIR'),
    (['a={exact}', 'a={shifted}'], "tracker name 'a' given twice"),
    (['a={tmp}/absent'], 'results folder not found'),
    (['a={tmp}'], 'tracker a: results for video'),
])
def test_bad_results_arguments(tool, data, tmp_path, capsys, results,
                               message):
    results = [r.format(tmp=tmp_path, **data) for r in results]
    assert tool.main(_args(data, tmp_path / 'out', *results)) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / 'out').exists()
