"""``make demo``: generate synthetic small-object data, train, test, report.

Runs the project's user-facing commands one after the other, exactly as a user would
type them, so the demo doubles as their end-to-end check:

1. ``tools/make_synthetic.py`` makes a LaSOT-layout train set and test set;
2. ``mim train mmtrack CONFIG`` trains the CPU default config;
3. ``mim test mmtrack CONFIG --checkpoint CKPT`` tracks the test videos and writes one
   result txt per video;
4. ``tools/eval_results.py`` evaluates them and prints the result table (overall and
   per object size), writes JSON and plots.

Everything lands under ``--work-dir`` (default ``work_dirs/demo``). Steps whose output
is already complete are skipped, so a second run only repeats what is missing.
"""
import argparse
import os
import os.path as osp
import json
import shlex
import shutil
import subprocess
import sys
import time
from typing import List, Optional

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'global_search',
    'global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line options of the demo."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--train-videos', type=int, default=24)
    parser.add_argument('--train-frames', type=int, default=120)
    parser.add_argument('--test-videos', type=int, default=6)
    parser.add_argument('--test-frames', type=int, default=120)
    parser.add_argument('--frame-size', default='320x240')
    parser.add_argument('--data-dir', default=None,
                        help='where the synthetic sets live (default: '
                        '<work-dir>/data); share it between runs')
    # Same-looking distractors are the re-id association's problem (a
    # top-1 global search cannot tell near-identical objects apart), so the
    # default sets have none; pass "--distractors 3" to see them.
    parser.add_argument('--generator-args', default='--distractors 0',
                        help='extra tools/make_synthetic.py options for both '
                        'sets (default: "--distractors 0")')
    parser.add_argument('--epochs', type=int, default=None,
                        help='override the config\'s max_epochs')
    parser.add_argument('--samples-per-epoch', type=int, default=None,
                        help='override the config\'s samples per epoch')
    parser.add_argument('--fresh', action='store_true',
                        help='delete --work-dir first and redo every step')
    return parser.parse_args(argv)


def run_step(title: str, cmd: List[str], log_path: str) -> float:
    """Run one command, streaming its output to the console and to a log file.

    Returns:
        float: Its wall-clock time in seconds.
    """
    print(f'\n=== {title}\n$ {" ".join(cmd)}', flush=True)
    start = time.time()
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            cwd=REPO_ROOT, bufsize=1)
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            log.write(line)
        code = proc.wait()
    if code != 0:
        raise SystemExit(f'step "{title}" failed with exit code {code}; '
                         f'full output in {log_path}')
    seconds = time.time() - start
    print(f'=== {title}: done in {seconds:.0f} s', flush=True)
    return seconds


def make_data(args: argparse.Namespace, out: str, split: str, videos: int,
              frames: int, seed: int, log_dir: str) -> None:
    """Generate one synthetic LaSOT-layout split unless it is already there."""
    info = osp.join(out, f'lasot_{split}_infos.txt')
    if osp.isfile(info):
        print(f'=== {split} data: found {out}, kept', flush=True)
        return
    if osp.exists(out):
        shutil.rmtree(out)
    run_step(f'{split} data', [
        sys.executable, osp.join(REPO_ROOT, 'tools', 'make_synthetic.py'), out,
        '--format', 'lasot', '--split', split, '--videos', str(videos),
        '--frames', str(frames), '--seed', str(seed), '--frame-size',
        args.frame_size
    ] + shlex.split(args.generator_args),
             osp.join(log_dir, f'make_{split}.log'))


def main(argv: Optional[List[str]] = None) -> None:
    """Run the four steps of the demo."""
    args = parse_args(argv)
    work_dir = osp.abspath(args.work_dir)
    if args.fresh and osp.exists(work_dir):
        shutil.rmtree(work_dir)
    data_dir = osp.abspath(args.data_dir or osp.join(work_dir, 'data'))
    train_dir = osp.join(work_dir, 'train')
    test_dir = osp.join(work_dir, 'test')
    results_dir = osp.join(work_dir, 'results')
    log_dir = osp.join(work_dir, 'logs')
    for d in (data_dir, log_dir):
        os.makedirs(d, exist_ok=True)
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    start = time.time()
    timings = {}
    timings_path = osp.join(work_dir, 'timings.json')
    if osp.isfile(timings_path):
        with open(timings_path) as f:
            timings = json.load(f)

    train_data = osp.join(data_dir, 'lasot_train')
    test_data = osp.join(data_dir, 'lasot_test')
    make_data(args, train_data, 'train', args.train_videos, args.train_frames,
              args.seed, log_dir)
    # A different seed keeps test videos unseen in training.
    make_data(args, test_data, 'test', args.test_videos, args.test_frames,
              args.seed + 1000, log_dir)

    checkpoint = osp.join(train_dir, 'latest_demo.pth')
    if osp.isfile(checkpoint):
        print(f'=== train: found {checkpoint}, kept', flush=True)
    else:
        # mmengine builds the validation loop even when no epoch validates.
        options = [
            f'train_dataloader.dataset.data_root={train_data}/',
            f'val_dataloader.dataset.data_root={test_data}/'
        ]
        if args.epochs is not None:
            # The schedule and the switched-off validation follow the new
            # epoch count, not only train_cfg.max_epochs.
            from mmtrack_smallobj.utils.config_checks import \
                epoch_override_options
            options += epoch_override_options(args.config, args.epochs)
        if args.samples_per_epoch is not None:
            options.append('train_dataloader.sampler.samples_per_epoch='
                           f'{args.samples_per_epoch}')
        timings['train_seconds'] = run_step('train (mim train mmtrack)', [
            mim, 'train', 'mmtrack', args.config, '--work-dir', train_dir,
            '--cfg-options'
        ] + options, osp.join(log_dir, 'train.log'))
        with open(osp.join(train_dir, 'last_checkpoint')) as f:
            last = f.read().strip()
        shutil.copyfile(last, checkpoint)
        with open(timings_path, 'w') as f:
            json.dump(timings, f)

    if osp.exists(results_dir):
        shutil.rmtree(results_dir)
    timings['test_seconds'] = run_step('test (mim test mmtrack)', [
        mim, 'test', 'mmtrack', args.config, '--checkpoint', checkpoint,
        '--work-dir', test_dir, '--cfg-options',
        f'test_dataloader.dataset.data_root={test_data}/',
        f'test_evaluator.outfile_prefix={results_dir}'
    ], osp.join(log_dir, 'test.log'))

    run_step('evaluate (tools/eval_results.py)', [
        sys.executable, osp.join(REPO_ROOT, 'tools', 'eval_results.py'),
        '--data-root', test_data, '--format', 'lasot', '--results',
        results_dir, '--convention', 'lasot', '--json',
        osp.join(work_dir, 'metrics.json'), '--plots',
        osp.join(work_dir, 'plots')
    ], osp.join(log_dir, 'eval.log'))
    with open(timings_path, 'w') as f:
        json.dump(timings, f)
    print(f'\nDemo finished in {(time.time() - start) / 60:.1f} min; '
          f'everything is under {work_dir}', flush=True)


if __name__ == '__main__':
    main()
