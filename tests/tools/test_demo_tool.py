"""tools/demo.py in-process on a tiny random tracker: a video and a frames
folder in, an annotated mp4 and results out; bad input stops cleanly."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from tiny_configs import save_tiny_tracker

NUM_FRAMES = 5
INIT_BOX = '10,20,6,6'


def _frames():
    """5 frames of 64x64: a white square moving right on grey."""
    frames = []
    for i in range(NUM_FRAMES):
        frame = np.full((64, 64, 3), 60, np.uint8)
        cv2.rectangle(frame, (10 + 3 * i, 20), (15 + 3 * i, 25),
                      (255, 255, 255), -1)
        frames.append(frame)
    return frames


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/demo.py')


@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    """A tiny tracker's config and random checkpoint, a frames folder and
    the same frames as an mp4."""
    tmp = tmp_path_factory.mktemp('demo_tool')
    files = save_tiny_tracker(tmp)
    folder = tmp / 'frames'
    folder.mkdir()
    video = str(tmp / 'clip.mp4')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             (64, 64))
    for i, frame in enumerate(_frames()):
        cv2.imwrite(str(folder / f'{i:03d}.png'), frame)
        writer.write(frame)
    writer.release()
    return dict(files, folder=str(folder), video=video)


def _run(tool, inputs, source, out, *extra):
    return tool.main([
        source, '--config', inputs['config'], '--checkpoint',
        inputs['checkpoint'], '--out', str(out), '--no-progress', *extra
    ])


def _read_video(path):
    """The frames and the frame rate of a video file."""
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    return frames, fps


@pytest.mark.parametrize('kind', ['video', 'folder'])
def test_demo_writes_video_and_results(tool, inputs, tmp_path, capsys, kind):
    out = tmp_path / 'out' / 'tracked.mp4'
    assert _run(tool, inputs, inputs[kind], out, '--init-box', INIT_BOX,
                '--show-candidates') == 0
    frames, fps = _read_video(out)
    assert len(frames) == NUM_FRAMES
    # The input video's rate (10), else the default.
    assert fps == pytest.approx(10 if kind == 'video' else 30)
    assert all(f.shape == (64, 64, 3) for f in frames)
    # The init box is drawn in green on frame 0 (its top-left corner).
    corner = frames[0][19:22, 9:12].astype(int)
    assert (corner[..., 1] - corner[..., 2]).max() > 100
    with open(tmp_path / 'out' / 'tracked.txt') as f:
        rows = [line.split(',') for line in f.read().splitlines()]
    assert len(rows) == NUM_FRAMES and all(len(r) == 4 for r in rows)
    np.testing.assert_allclose(np.array(rows, float)[0], [10, 20, 6, 6])
    assert np.isfinite(np.array(rows, float)).all()
    with open(tmp_path / 'out' / 'tracked_confidence.txt') as f:
        assert len(f.read().splitlines()) == NUM_FRAMES
    stdout = capsys.readouterr().out
    assert f'tracked {NUM_FRAMES} frames' in stdout and 'fps' in stdout
    # Only the three outputs: no temporary file is left behind.
    assert sorted(os.listdir(tmp_path / 'out')) == [
        'tracked.mp4', 'tracked.txt', 'tracked_confidence.txt'
    ]


def _spy_drawing(tool, monkeypatch):
    """Record ``(absent, candidates)`` of every frame the demo draws."""
    calls = []
    draw = tool.draw_tracking_frame

    def spy(image, box, score, absent, frame_id, candidates, tracklets):
        calls.append((absent, candidates))
        return draw(image, box, score, absent, frame_id, candidates,
                    tracklets)

    monkeypatch.setattr(tool, 'draw_tracking_frame', spy)
    return calls


def test_box_drawn_on_first_frame_without_flag(tool, inputs, tmp_path,
                                               monkeypatch):
    """With a display, the box comes from cv2.selectROI on frame 0. Without
    --absent-thr (and a model without absent_score_thr) nothing is absent,
    and without --show-candidates no candidate is drawn."""
    calls = _spy_drawing(tool, monkeypatch)
    shown = []
    monkeypatch.setattr(tool, 'has_display', lambda: True)
    monkeypatch.setattr(
        cv2, 'selectROI',
        lambda title, image, **kw: shown.append(image.shape) or (12, 21, 5,
                                                                   4))
    monkeypatch.setattr(cv2, 'destroyWindow', lambda title: None)
    out = tmp_path / 'roi.mp4'
    assert _run(tool, inputs, inputs['folder'], out, '--fps', '7') == 0
    assert _read_video(out)[1] == pytest.approx(7)
    assert shown == [(64, 64, 3)]
    assert calls == [(False, None)] * NUM_FRAMES
    with open(tmp_path / 'roi.txt') as f:
        assert f.readline().strip() == '12,21,5,4'


@pytest.mark.parametrize('threshold', [
    ['--absent-thr', '2'],
    ['--cfg-options', 'model.test_cfg.absent_score_thr=2'],
])
def test_absence_and_candidates_reach_the_drawing(tool, inputs, tmp_path,
                                                  monkeypatch, threshold):
    """Every score is below 2, so frames 1.. are absent (frame 0 is the
    given box), and the model's candidates are passed on."""
    calls = _spy_drawing(tool, monkeypatch)
    assert _run(tool, inputs, inputs['folder'], tmp_path / 'o.mp4',
                '--init-box', INIT_BOX, '--show-candidates', *threshold) == 0
    assert [a for a, _ in calls] == [False] + [True] * (NUM_FRAMES - 1)
    # GlobalSearchTracker keeps its candidates from frame 1 on.
    assert [len(c[0]) > 0 for _, c in calls] == [False] + [True] * (
        NUM_FRAMES - 1)


def _garbage(tmp_path):
    path = tmp_path / 'broken.mp4'
    path.write_bytes(b'not a video' * 50)
    return str(path)


def _empty(tmp_path):
    (tmp_path / 'empty').mkdir()
    (tmp_path / 'empty' / 'notes.txt').write_text('no frames here')
    return str(tmp_path / 'empty')


# (input, extra arguments, message, whether the message names the input)
BAD_INPUT = [
    (lambda t, i: str(t / 'absent.mp4'), ['--init-box', INIT_BOX],
     'no such video file or frame folder', True),
    (lambda t, i: _empty(t), ['--init-box', INIT_BOX], 'no image files',
     True),
    (lambda t, i: _garbage(t), ['--init-box', INIT_BOX],
     'cannot be decoded as a video', True),
    (lambda t, i: i['video'], ['--init-box', '70,10,5,5'],
     'lies outside the 64x64 first frame', True),
    (lambda t, i: i['folder'], ['--init-box=-9,10,5,5'],
     'lies outside the 64x64 first frame', True),
    (lambda t, i: i['folder'], ['--init-box', '1,2,3'], 'x,y,w,h', False),
    (lambda t, i: i['folder'], ['--init-box', '1,2,0,3'], 'no positive',
     False),
    (lambda t, i: i['folder'], [], 'give --init-box', False),
]


@pytest.mark.parametrize('source, extra, message, names_input', BAD_INPUT)
def test_bad_input_exits_2(tool, inputs, tmp_path, capsys, monkeypatch,
                           source, extra, message, names_input):
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    path = source(tmp_path, inputs)
    out = tmp_path / 'out' / 'o.mp4'
    assert _run(tool, inputs, path, out, *extra) == 2
    err = capsys.readouterr().err
    assert message in err
    if names_input:
        assert path in err
    assert not osp.exists(tmp_path / 'out')


def test_broken_frame_leaves_no_output(tool, inputs, tmp_path, capsys):
    """A frame that fails half-way: no video, no txt, and the old results
    kept even with --overwrite."""
    folder = tmp_path / 'frames'
    folder.mkdir()
    for i, frame in enumerate(_frames()):
        cv2.imwrite(str(folder / f'{i}.png'), frame)
    (folder / '3.png').write_bytes(b'broken')
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    (out_dir / 'o.txt').write_text('old\n')
    assert _run(tool, inputs, str(folder), out_dir / 'o.mp4', '--init-box',
                INIT_BOX, '--overwrite') == 2
    assert f"{folder / '3.png'}: cannot be read" in capsys.readouterr().err
    assert os.listdir(out_dir) == ['o.txt']
    assert (out_dir / 'o.txt').read_text() == 'old\n'


def test_bad_output_arguments(tool, inputs, tmp_path, capsys):
    (tmp_path / 'o.mp4').write_bytes(b'old')
    assert _run(tool, inputs, inputs['folder'], tmp_path / 'o.mp4',
                '--init-box', INIT_BOX) == 2
    assert '--overwrite' in capsys.readouterr().err
    assert (tmp_path / 'o.mp4').read_bytes() == b'old'
    assert _run(tool, inputs, inputs['folder'], tmp_path / 'o.avi',
                '--init-box', INIT_BOX) == 2
    assert 'must end with .mp4' in capsys.readouterr().err
    assert _run(tool, inputs, inputs['folder'], tmp_path / 'n.mp4',
                '--init-box', INIT_BOX, '--fps', '0') == 2
    assert '--fps 0 is not a frame rate' in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ['o.mp4']


def test_writer_that_cannot_open_fails_clearly(tmp_path, monkeypatch):
    from mmtrack_smallobj.utils import video_io

    class Closed:
        """A VideoWriter without a codec."""

        def __init__(self, *args):
            pass

        def isOpened(self):
            return False

        def release(self):
            pass

    monkeypatch.setattr(video_io.cv2, 'VideoWriter', Closed)
    with pytest.raises(OSError, match='cannot open an mp4v video writer'):
        video_io.AtomicVideoWriter(str(tmp_path / 'o.mp4'), 10, (64, 64))
    assert os.listdir(tmp_path) == []


def test_folder_frames_in_natural_order(tmp_path):
    from mmtrack_smallobj.utils.video_io import open_frames
    for name in ('10.png', '2.png', '1.png'):
        cv2.imwrite(str(tmp_path / name), np.zeros((4, 4, 3), np.uint8))
    (tmp_path / 'notes.txt').write_text('not a frame')
    source = open_frames(str(tmp_path))
    assert [osp.basename(p) for p in source.frame_paths] == [
        '1.png', '2.png', '10.png'
    ]
    assert source.num_frames == 3
