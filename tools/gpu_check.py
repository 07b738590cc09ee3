"""Check mixed-precision training and fp16/bf16 inference of a tracker on CUDA.

Usage::

    python tools/gpu_check.py CONFIG [--checkpoint CKPT] [--work-dir DIR]
        [--train-iters 10] [--batch-size 4] [--frames 60]
        [--dtypes fp32 fp16 bf16] [--per-frame] [--cfg-options ...]

1. ``--amp`` training, as ``tools/train.py CONFIG --amp`` sets it up
   (``AmpOptimWrapper``, dynamic loss scale), for ``--train-iters``
   iterations on a generated synthetic LaSOT-layout set, with the config's
   own model and training pipeline. Prints, per iteration, the step time, the
   loss, the loss scale and the peak GPU memory; fails on a non-finite loss.
2. Inference on a generated test video with the config's test pipeline,
   under ``torch.autocast`` for each of ``--dtypes``, with the weights of
   ``--checkpoint`` or, without one, those just trained. Prints the time per
   frame (mean, median and 90th percentile over the frames after the
   initialisation frame; every frame with ``--per-frame``), frames per second,
   peak GPU memory and the mean IoU of each dtype's boxes against fp32's;
   fails on non-finite boxes or scores.

Exit codes: 0 every check passed; 1 a check failed; 2 bad arguments;
77 (``EXIT_NO_CUDA``, the automake/ctest code for 'skipped') no CUDA device,
nothing was run. ``--device cpu`` runs the same steps without a GPU (fp32
training, since ``AmpOptimWrapper`` needs one; CPU autocast for bf16): a dry
run of the script itself on machines without CUDA, not a check of anything
GPU-specific.
"""
import argparse
import copy
import os
import os.path as osp
import sys
import tempfile
import time
from typing import Dict, List, Optional

import numpy as np
import torch

EXIT_NO_CUDA = 77


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line."""
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description='AMP training and fp16/bf16 inference check on CUDA.',
        epilog=f'Exit codes: 0 passed, 1 a check failed, 2 bad arguments, '
        f'{EXIT_NO_CUDA} no CUDA (nothing run).')
    parser.add_argument('config', help='tracker config file')
    parser.add_argument(
        '--checkpoint', help='weights for inference (default: the ones the '
        'AMP training step just wrote)')
    parser.add_argument(
        '--work-dir', help='where data, logs and the checkpoint go '
        '(default: a temporary folder, removed afterwards)')
    parser.add_argument('--train-iters', type=int, default=10)
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--frames', type=int, default=60,
                        help='frames of the inference video')
    from mmtrack_smallobj.apis import INFERENCE_DTYPES
    parser.add_argument('--dtypes', nargs='+', choices=list(INFERENCE_DTYPES),
                        default=['fp32', 'fp16', 'bf16'])
    parser.add_argument('--per-frame', action='store_true',
                        help='print every frame time')
    parser.add_argument('--device', choices=['cuda', 'cpu'], default='cuda',
                        help='cpu: dry run of the script without a GPU')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='overrides merged into the config')
    args = parser.parse_args(argv)
    if args.train_iters < 1 or args.batch_size < 1 or args.frames < 2:
        parser.error('--train-iters and --batch-size must be >= 1, '
                     '--frames >= 2')
    return args


def _sync(device: str) -> None:
    if device == 'cuda':
        torch.cuda.synchronize()


def _reset_peak(device: str) -> None:
    if device == 'cuda':
        torch.cuda.reset_peak_memory_stats()


def _peak(device: str) -> str:
    """Peak allocated GPU memory since the last reset, for printing."""
    if device != 'cuda':
        return 'n/a (cpu)'
    return f'{torch.cuda.max_memory_allocated() / 2**20:.0f} MiB'


def _train_pipeline(dataset_cfg: dict) -> list:
    """The training pipeline of a dataset config, looking inside wrappers
    (``dataset``) and concatenations (``datasets``, the first one)."""
    if 'pipeline' in dataset_cfg:
        return copy.deepcopy(dataset_cfg['pipeline'])
    if 'dataset' in dataset_cfg:
        return _train_pipeline(dataset_cfg['dataset'])
    if dataset_cfg.get('datasets'):
        return _train_pipeline(dataset_cfg['datasets'][0])
    raise ValueError('no training pipeline found in train_dataloader.dataset')


def short_training_config(cfg, data_root: str, work_dir: str, iters: int,
                          batch_size: int, amp: bool):
    """A copy of ``cfg`` that trains ``iters`` iterations on ``data_root``
    (a LaSOT-layout train set) with the config's model and train pipeline,
    no validation and no LR schedule, and saves one checkpoint at the end.

    Args:
        cfg (Config): The loaded config (not modified).
        data_root (str): LaSOT-layout folder with ``lasot_train_infos.txt``.
        work_dir (str): The runner's work_dir.
        iters (int): Training iterations.
        batch_size (int): Pairs per iteration.
        amp (bool): Use ``AmpOptimWrapper`` with a dynamic loss scale, as
            mmtrack's ``train.py --amp`` does.

    Returns:
        Config: The modified copy.
    """
    cfg = copy.deepcopy(cfg)
    # Dataset and sampler assigned, not update()d: ConfigDict.update merges
    # recursively, which would keep a concatenation's own keys
    # (dataset_sampling_weights, ...) on the LaSOT dataset that replaces it.
    cfg.train_dataloader.dataset = dict(
        type='LaSOTDataset',
        data_root=data_root,
        ann_file='lasot_train_infos.txt',
        data_prefix=dict(img_path=''),
        pipeline=_train_pipeline(cfg.train_dataloader.dataset),
        test_mode=False)
    # Exactly one pass: the iteration loop never restarts the loader.
    cfg.train_dataloader.sampler = dict(
        type='QuotaSampler', samples_per_epoch=iters * batch_size)
    cfg.train_dataloader.update(
        batch_size=batch_size, num_workers=2, persistent_workers=False)
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters)
    for key in ('val_cfg', 'val_dataloader', 'val_evaluator', 'test_cfg',
                'test_dataloader', 'test_evaluator', 'param_scheduler'):
        cfg[key] = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.checkpoint = dict(
        type='AtomicCheckpointHook', by_epoch=False, interval=iters)
    cfg.log_processor = dict(
        type='LogProcessor', window_size=1, by_epoch=False)
    if amp and cfg.optim_wrapper.get('type') != 'AmpOptimWrapper':
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    cfg.resume = False
    cfg.load_from = None
    return cfg


def check_training(cfg, device: str) -> str:
    """Run the short training and print one line per iteration.

    Returns:
        str: The checkpoint written at the end.

    Raises:
        RuntimeError: On a non-finite loss.
    """
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    class StepTimer(Hook):
        """Time each step (data loading excluded) and record its memory."""
        # Before LoggerHook and CheckpointHook: saving is not a step.
        priority = 'VERY_HIGH'

        def before_train_iter(self, runner, batch_idx, data_batch=None):
            _sync(device)
            _reset_peak(device)
            self.start = time.perf_counter()

        def after_train_iter(self,
                             runner,
                             batch_idx,
                             data_batch=None,
                             outputs=None):
            _sync(device)
            seconds = time.perf_counter() - self.start
            loss = float(torch.as_tensor(outputs['loss']).detach())
            scaler = getattr(runner.optim_wrapper, 'loss_scaler', None)
            scale = f'{scaler.get_scale():g}' if scaler is not None else '-'
            print(f'train iter {runner.iter + 1}: {seconds * 1000:.1f} ms, '
                  f'loss {loss:.4f}, loss scale {scale}, peak {_peak(device)}',
                  flush=True)
            if not np.isfinite(loss):
                raise RuntimeError(f'non-finite loss {loss} at iteration '
                                   f'{runner.iter + 1}')

    runner = Runner.from_cfg(cfg)
    runner.register_hook(StepTimer())
    runner.train()
    return osp.join(cfg.work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')


def check_inference(config: str, checkpoint: str, test_root: str,
                    dtypes: List[str], device: str, cfg_options: dict,
                    per_frame: bool) -> bool:
    """Track the test video under each dtype and print its speed.

    Returns:
        bool: Whether every dtype gave finite boxes and scores.
    """
    from mmtrack_smallobj.apis import (inference_precision, init_tracker,
                                       list_videos, track_video_timed)
    from mmtrack_smallobj.evaluation.functional import (aligned_iou,
                                                        xywh_to_xyxy)
    model, pipeline = init_tracker(
        config, checkpoint, device=device, cfg_options=cfg_options)
    video = list_videos(test_root, 'lasot')[0]
    boxes: Dict[str, np.ndarray] = {}
    passed = True
    for name in dtypes:
        try:
            precision = inference_precision(device, name)
        except ValueError as err:
            print(f'inference {name}: skipped, {err}')
            continue
        _reset_peak(device)
        with precision:
            tracked = track_video_timed(model, video.frame_paths,
                                        video.init_bbox_xywh, pipeline)
        times = tracked.times[1:] * 1000  # frame 0 only initialises
        finite = bool(
            np.isfinite(tracked.boxes_xywh).all()
            and np.isfinite(tracked.scores).all())
        passed &= finite
        boxes[name] = tracked.boxes_xywh
        iou = '-'
        if 'fp32' in boxes and name != 'fp32':
            # A pair without area (or a NaN box) counts as IoU 0.
            ious = np.nan_to_num(
                aligned_iou(
                    xywh_to_xyxy(boxes['fp32'][1:]),
                    xywh_to_xyxy(tracked.boxes_xywh[1:])))
            iou = f'{ious.mean():.3f}'
        print(f'inference {name}: {len(times)} frames, per frame mean '
              f'{times.mean():.2f} ms, median {np.median(times):.2f} ms, p90 '
              f'{np.percentile(times, 90):.2f} ms ({1000 / times.mean():.1f} '
              f'fps), peak {_peak(device)}, IoU vs fp32 {iou}, '
              f'finite {finite}', flush=True)
        if per_frame:
            print('  ms per frame: ' + ' '.join(f'{t:.2f}' for t in times))
    return passed


def _make_data(root: str, frames: int) -> tuple:
    """A small synthetic train set and a one-video test set (320x240)."""
    from mmtrack_smallobj.datasets.synthetic import generate_dataset
    train, test = osp.join(root, 'train'), osp.join(root, 'test')
    for out, split, videos, length, seed in ((train, 'train', 4, 20, 0),
                                              (test, 'test', 1, frames, 1)):
        generate_dataset(out, fmt='lasot', num_videos=videos,
                         num_frames=length, seed=seed, split=split,
                         overwrite=True, progress=False)
    return train + os.sep, test + os.sep


def main(argv: Optional[List[str]] = None) -> int:
    """Run both checks; return the exit code."""
    args = parse_args(argv)
    if args.device == 'cuda' and not torch.cuda.is_available():
        print(
            f'gpu_check: no CUDA device (torch {torch.__version__}, '
            f'built with CUDA {torch.version.cuda or "no"}): nothing was '
            f'checked. Run this on a machine with a GPU (exit code '
            f'{EXIT_NO_CUDA} means skipped).',
            file=sys.stderr)
        return EXIT_NO_CUDA
    if not osp.isfile(args.config):
        print(f'gpu_check: config {args.config} not found', file=sys.stderr)
        return 2
    if args.checkpoint is not None and not osp.isfile(args.checkpoint):
        print(f'gpu_check: checkpoint {args.checkpoint} not found',
              file=sys.stderr)
        return 2
    from mmengine.config import Config

    from mmtrack.utils import register_all_modules
    register_all_modules(init_default_scope=False)

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    with tempfile.TemporaryDirectory(prefix='gpu_check_') as tmp:
        work_dir = args.work_dir or tmp
        train_root, test_root = _make_data(osp.join(work_dir, 'data'),
                                           args.frames)
        amp = args.device == 'cuda'
        print(f'training {args.train_iters} iterations, batch '
              f'{args.batch_size}, {"AMP" if amp else "fp32"}, on '
              f'{torch.cuda.get_device_name() if amp else "cpu"}')
        trained = check_training(
            short_training_config(cfg, train_root, work_dir,
                                  args.train_iters, args.batch_size, amp),
            args.device)
        passed = check_inference(args.config, args.checkpoint or trained,
                                 test_root, args.dtypes, args.device,
                                 args.cfg_options, args.per_frame)
    print('gpu_check: ' + ('passed' if passed else 'FAILED'))
    return 0 if passed else 1


if __name__ == '__main__':
    sys.exit(main())
