"""DMTrack's Table 1 on synthetic data: top1, position and reid strategies.

Generates (``tools/make_synthetic.py``) a MOT-layout training set and a
held-out LaSOT-layout test set of long-term videos with same-looking
distractors that cross the target and with disappearances (out of view,
full occlusion); trains the re-id config once (``tools/train.py``, fixed
seed and budget) unless ``--checkpoint`` is given; then tracks the test set
with the same checkpoint under each ``test_cfg.strategy`` through the
inference API (``mmtrack_smallobj.apis``, what ``tools/track.py`` runs) and
evaluates the result files with the evaluation toolkit
(``mmtrack_smallobj.evaluation.functional``, what
``tools/eval_results.py`` runs), in the lasot convention (absent frames
count as failures). Prints success, precision and point accuracy per
strategy and PASS/FAIL for the issue's goal: reid >= top1 + 5 success.

Data sets and the trained checkpoint are kept under ``--work-dir`` and
reused by a later run; ``--fresh`` starts over.

The README's numbers (session 7): the detector starts from the CPU
default's checkpoint (``bench_learning.py``'s ``epoch_8.pth``) and the whole
model is fine-tuned for 4 epochs of 700 MOT pairs::

    python tools/benchmarks/bench_association_strategies.py \
        --work-dir work_dirs/bench_assoc_ft --samples-per-epoch 700 \
        --epochs 4 --load-from CPU_DEFAULT_EPOCH_8.pth --cfg-options \
        optim_wrapper.optimizer.lr=1e-3

(``--epochs`` stretches the config's learning-rate schedule to the new
count; session 7 set ``param_scheduler.1.T_max=4 param_scheduler.1.end=4``
by hand, which is the same.)

From scratch (the config's 8 epochs of 700 pairs)::

    python tools/benchmarks/bench_association_strategies.py \
        --work-dir work_dirs/bench_association_strategies

Smoke run (minutes on 2 cores)::

    python tools/benchmarks/bench_association_strategies.py \
        --work-dir /tmp/bench_smoke --videos 2 --frames 12 \
        --train-videos 2 --frame-size 96x96 --size-range 6,24 \
        --epochs 1 --samples-per-epoch 4 --batch-size 2 --num-workers 0
"""
import argparse
import inspect
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time
from typing import Dict, List, Optional

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'global_search',
    'global-search-reid_hrsn2-fpn_1xb8-8e_synthetic-mot.py')
STRATEGIES = ('top1', 'position', 'reid')
METRICS = ('success', 'precision', 'point_accuracy')


def generator_defaults(*names: str) -> Dict[str, object]:
    """Defaults of ``make_scene_config`` (what ``tools/make_synthetic.py``
    uses when an option is not given), by parameter name."""
    from mmtrack_smallobj.datasets.synthetic.config import make_scene_config
    params = inspect.signature(make_scene_config).parameters
    return {name: params[name].default for name in names}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--work-dir', default='work_dirs/bench_association_strategies')
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument(
        '--checkpoint', help='evaluate this checkpoint instead of training '
        '(its re-id classifier size is read from it)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--videos', type=int, default=12, help='test videos')
    parser.add_argument('--frames', type=int, default=300,
                        help='frames per test video')
    parser.add_argument('--train-videos', type=int, default=40)
    parser.add_argument('--train-frames', type=int, default=200)
    parser.add_argument('--frame-size', default='320x240', metavar='WxH')
    parser.add_argument('--size-range', metavar='MIN,MAX',
                        help="target sizes in pixels (default: the "
                        "generator's)")
    parser.add_argument('--distractors', type=int, default=3)
    # The generator's defaults: 25 % of the default test frames are absent,
    # a long-term set where the target is mostly there. 2 and 2 (the
    # default until session 7) left 63 % absent, which the lasot convention
    # counts as failures for every strategy alike.
    rates = generator_defaults('out_of_view_rate', 'occlusion_rate')
    parser.add_argument('--out-of-view-rate', type=float,
                        default=rates['out_of_view_rate'],
                        help='out-of-view events per 100 frames (default: '
                        "the generator's)")
    parser.add_argument('--occlusion-rate', type=float,
                        default=rates['occlusion_rate'],
                        help="full occlusions per 100 frames (default: the "
                        "generator's)")
    parser.add_argument('--epochs', type=int,
                        help="override the config's max_epochs, with its "
                        'learning-rate schedule stretched to match')
    parser.add_argument('--samples-per-epoch', type=int,
                        help="override the config's pairs per epoch")
    parser.add_argument('--batch-size', type=int,
                        help="override the config's batch size")
    parser.add_argument('--num-workers', type=int,
                        help="override the config's data loader workers")
    parser.add_argument(
        '--load-from', help='start training from this checkpoint (for '
        "example the CPU default's from bench_learning.py); the re-id head, "
        'absent from an SOT checkpoint, starts from scratch')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
        help="more overrides of the config for training, as tools/train.py's")
    parser.add_argument('--target-gain', type=float, default=5.0,
                        help='success points reid must gain over top1')
    parser.add_argument('--fresh', action='store_true',
                        help='delete --work-dir first')
    args = parser.parse_args(argv)
    for name in ('videos', 'frames', 'train_videos', 'train_frames'):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    return args


def run(title: str, cmd: List[str], log_path: str) -> float:
    """Run a command with its output in ``log_path``; return its seconds."""
    print(f'=== {title}: {" ".join(cmd)}', flush=True)
    start = time.time()
    with open(log_path, 'w') as log:
        code = subprocess.call(
            cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    if code != 0:
        with open(log_path) as log:
            tail = log.read()[-3000:]
        raise SystemExit(f'{title} failed (exit code {code}); the end of '
                         f'{log_path}:\n{tail}')
    return time.time() - start


def make_data(args: argparse.Namespace, out: str, fmt: str, split: str,
              videos: int, frames: int, seed: int, log_dir: str) -> None:
    """Generate one synthetic split unless its index file is there."""
    index = (osp.join(out, 'annotations', f'{split}_cocoformat.json')
             if fmt == 'mot' else osp.join(out, f'lasot_{split}_infos.txt'))
    if osp.isfile(index):
        print(f'=== {fmt} {split} data: found {out}, kept', flush=True)
        return
    if osp.exists(out):
        shutil.rmtree(out)
    run(f'{fmt} {split} data', [
        sys.executable, osp.join(REPO_ROOT, 'tools', 'make_synthetic.py'), out,
        '--format', fmt, '--split', split, '--videos', str(videos),
        '--frames', str(frames), '--seed', str(seed), '--frame-size',
        args.frame_size, '--distractors', str(args.distractors),
        '--out-of-view-rate', str(args.out_of_view_rate), '--occlusion-rate',
        str(args.occlusion_rate), '--no-progress'
    ] + (['--size-range', args.size_range] if args.size_range else []),
        osp.join(log_dir, f'make_{fmt}_{split}.log'))


def train_options(args: argparse.Namespace, train_root: str,
                  test_root: str, num_ids: int) -> List[str]:
    """``--cfg-options`` of the training run: data roots, classifier size,
    seed, the budget overrides, ``--load-from``, then ``--cfg-options``
    (last, so that they win)."""
    options = [
        f'train_dataloader.dataset.data_root={train_root}/',
        # mmengine builds the validation loop even when no epoch validates.
        f'val_dataloader.dataset.data_root={test_root}/',
        f'test_dataloader.dataset.data_root={test_root}/',
        f'model.reid_head.num_ids={num_ids}',
        f'randomness.seed={args.seed}',
    ]
    if args.epochs is not None:
        from mmtrack_smallobj.utils.config_checks import \
            epoch_override_options
        options += epoch_override_options(args.config, args.epochs)
    for key, value in (('train_dataloader.sampler.samples_per_epoch',
                        args.samples_per_epoch),
                       ('train_dataloader.batch_size', args.batch_size),
                       ('train_dataloader.num_workers', args.num_workers)):
        if value is not None:
            options.append(f'{key}={value}')
    if args.num_workers == 0:
        options.append('train_dataloader.persistent_workers=False')
    if args.load_from:
        options.append(f'load_from={osp.abspath(args.load_from)}')
    return options + list(args.cfg_options)


def train(args: argparse.Namespace, work_dir: str, train_root: str,
          test_root: str, num_ids: int, log_dir: str) -> Dict:
    """Train the config once; return the checkpoint path and seconds."""
    train_dir = osp.join(work_dir, 'train')
    record = osp.join(work_dir, 'trained.json')
    if osp.isfile(record):
        with open(record) as f:
            trained = json.load(f)
        if osp.isfile(trained['checkpoint']):
            print(f"=== train: found {trained['checkpoint']}, kept")
            return trained
    options = train_options(args, train_root, test_root, num_ids)
    seconds = run('train', [
        sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'), args.config,
        '--work-dir', train_dir, '--cfg-options'
    ] + options, osp.join(log_dir, 'train.log'))
    with open(osp.join(train_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    trained = dict(checkpoint=checkpoint, train_seconds=seconds)
    with open(record, 'w') as f:
        json.dump(trained, f)
    return trained


def evaluate_strategy(args: argparse.Namespace, strategy: str,
                      checkpoint: str, num_ids: int, test_root: str,
                      results_dir: str) -> Dict:
    """Track the test set with one strategy and evaluate it."""
    from mmtrack_smallobj.apis import (init_tracker, list_videos, track_video,
                                       write_results)
    from mmtrack_smallobj.evaluation.functional import evaluate_results
    model, pipeline = init_tracker(
        args.config,
        checkpoint,
        cfg_options={
            'model.test_cfg.strategy': strategy,
            'model.reid_head.num_ids': num_ids
        })
    out = osp.join(results_dir, strategy)
    os.makedirs(out, exist_ok=True)
    seconds, frames = 0.0, 0
    for video in list_videos(test_root, 'lasot'):
        boxes, scores, mean = track_video(model, video.frame_paths,
                                          video.init_bbox_xywh, pipeline)
        write_results(out, video.name, boxes, scores)
        seconds += mean * len(video.frame_paths)
        frames += len(video.frame_paths)
    metrics = evaluate_results(test_root, 'lasot', out, convention='lasot')
    row = {key: metrics[key] for key in METRICS}
    row['fps'] = frames / max(seconds, 1e-9)
    print(f'=== {strategy}: ' + ', '.join(
        f'{key} {row[key]:.2f}' for key in METRICS), flush=True)
    return row


def format_table(rows: Dict[str, Dict]) -> str:
    """A markdown table, one row per strategy."""
    head = ['strategy', 'success', 'precision', 'point acc', 'fps']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + ' --- |' * len(head)]
    for name, row in rows.items():
        cells = [name] + [f'{row[k]:.2f}' for k in METRICS]
        lines.append('| ' + ' | '.join(cells + [f"{row['fps']:.1f}"]) + ' |')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Generate, train, track with each strategy, print the verdict."""
    args = parse_args(argv)
    work_dir = osp.abspath(args.work_dir)
    if args.fresh and osp.exists(work_dir):
        shutil.rmtree(work_dir)
    log_dir = osp.join(work_dir, 'logs')
    os.makedirs(log_dir, exist_ok=True)
    test_root = osp.join(work_dir, 'data', 'lasot_test')
    # Another seed keeps the test videos unseen in training.
    make_data(args, test_root, 'lasot', 'test', args.videos, args.frames,
              args.seed + 1000, log_dir)
    trained: Dict = {}
    if args.checkpoint:
        checkpoint = args.checkpoint
        from mmtrack_smallobj.apis import checkpoint_reid_num_ids
        try:
            num_ids = checkpoint_reid_num_ids(checkpoint)
        except ValueError as err:
            raise SystemExit(str(err)) from None
    else:
        from mmtrack_smallobj.datasets.transforms import num_identities
        train_root = osp.join(work_dir, 'data', 'mot_train')
        make_data(args, train_root, 'mot', 'train', args.train_videos,
                  args.train_frames, args.seed, log_dir)
        # The classifier covers the training identities (at least 2).
        num_ids = max(2, num_identities(
            osp.join(train_root, 'annotations', 'train_cocoformat.json')))
        trained = train(args, work_dir, train_root, test_root, num_ids,
                        log_dir)
        checkpoint = trained['checkpoint']
    rows = {
        strategy: evaluate_strategy(args, strategy, checkpoint, num_ids,
                                    test_root, osp.join(work_dir, 'results'))
        for strategy in STRATEGIES
    }
    print('\n' + format_table(rows))
    gain = rows['reid']['success'] - rows['top1']['success']
    passed = gain >= args.target_gain
    verdict = (f"{'PASS' if passed else 'FAIL'}: reid success >= top1 + "
               f'{args.target_gain:g} (reid {rows["reid"]["success"]:.2f}, '
               f'top1 {rows["top1"]["success"]:.2f}, gain {gain:+.2f})')
    print(verdict)
    if 'train_seconds' in trained:
        print(f"training took {trained['train_seconds'] / 60:.1f} min")
    with open(osp.join(work_dir, 'summary.json'), 'w') as f:
        json.dump(dict(rows=rows, checkpoint=checkpoint, num_ids=num_ids,
                       passed=passed, verdict=verdict, args=vars(args)),
                  f, indent=1)
    return 0 if passed else 1


if __name__ == '__main__':
    sys.exit(main())
