"""Reference trackers and ours, trained and tested under one CPU budget.

Every row is trained with ``mim train`` on the same synthetic train set, for
the same wall-clock budget (``TrainTimeBudgetHook``, added through
``--cfg-options``; each config's own schedule is the upper bound), with the
same seed and one OpenMP thread; then tracked with ``mim test`` on the same
held-out test set and scored by ``tools/eval_results.py`` in the lasot
convention (absent frames count as failures), as ``bench_learning.py`` does.
The sets are ``bench_learning.py``'s (same generator, options and seed; see
``_bench_common.py``).

Columns: training minutes (wall time of ``mim train``), success, precision,
point accuracy, point accuracy on frames whose target is under 16 px
(``sqrt(w * h)``: the ``<8`` and ``8-16`` bins of ``eval_results.py``
pooled by frames, which is exact since point accuracy is a share of
frames), the VOT-LT F-score over the saved confidences, and frames per
second of ``mim test`` (one over the mean time of a test iteration, one
frame each, including image loading, as mmengine logs it).

SiamRCNN + motion reuses the SiamRCNN row's detector and trains GSTP's
motion model under the same budget again, so its training time is the sum of
both (both are in ``summary.json``).

Rows run one after the other; ``--only`` runs a subset, and several
processes with the same ``--work-dir`` may run side by side (data, rows and
the shared SiamRCNN detector are locked). ``--reuse`` keeps rows already
finished there, so the table can be assembled across runs::

    B=tools/benchmarks/bench_reference_trackers.py
    python $B --prepare-data
    python $B --only siamrpn siamrpn_fl siamrpn_sl dasiamrpn &
    python $B --only siamrcnn siamrcnn_motion ours &
    wait; python $B --reuse      # all rows done: prints the whole table
"""
import argparse
import os
import os.path as osp
import shutil
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import _bench_common as common

from mmtrack_smallobj.utils.config_checks import epoch_override_options

CONFIGS = osp.join(common.REPO_ROOT, 'configs')
# What TrainTimeBudgetHook logs when it stops a run (its tests pin the text).
BUDGET_MESSAGE = 'TrainTimeBudgetHook: the training budget'
SMALL_OBJECT_EDGE = 16.0


@dataclass(frozen=True)
class Row:
    """One tracker of the table.

    Args:
        key (str): Name on the command line and of its folder.
        label (str): Name in the table.
        config (str): The config trained (unless ``motion``) and tested.
        distractors (bool): The config's pair sampler reads its own copy
            of the training set (DaSiamRPN), to be pointed at it too.
        motion (bool): Test ``config`` with the SiamRCNN row's detector and
            a motion model trained from ``MOTION_CONFIG``.
    """
    key: str
    label: str
    config: str
    distractors: bool = False
    motion: bool = False


def _config(*parts: str) -> str:
    """A path under configs/."""
    return osp.join(CONFIGS, *parts)


SIAMRPN = 'siamese-rpn_r18-tiny_1xb8-4e_synthetic-lasot'
SIAMRCNN = 'siam-rcnn_r18-tiny_1xb8-8e_synthetic-lasot'
MOTION_CONFIG = _config('siam_rcnn',
                        'gstp-motion_hr2-tiny_1xb8-8e_synthetic-lasot.py')
ROWS = (
    Row('siamrpn', 'SiamRPN++ (BCE)',
        _config('siamese_rpn', f'{SIAMRPN}_test-synthetic-lasot.py')),
    Row('siamrpn_fl', 'SiamRPN++_fl',
        _config('siamese_rpn', f'{SIAMRPN}_loss-focal.py')),
    Row('siamrpn_sl', 'SiamRPN++_sl',
        _config('siamese_rpn', f'{SIAMRPN}_loss-shrinkage.py')),
    Row('dasiamrpn', 'DaSiamRPN, local-to-global',
        _config('dasiamrpn', 'dasiamrpn_r18-tiny_1xb8-4e_synthetic-lasot'
                '_test-synthetic-lasot.py'),
        distractors=True),
    Row('siamrcnn', 'SiamRCNN',
        _config('siam_rcnn', f'{SIAMRCNN}_test-synthetic-lasot.py')),
    Row('siamrcnn_motion', 'SiamRCNN + motion model',
        _config('siam_rcnn', 'siam-rcnn-motion_r18-tiny-hr2-tiny_1xb8-8e'
                '_synthetic-lasot_test-synthetic-lasot.py'),
        motion=True),
    Row('ours', 'ours (global search)',
        _config('global_search',
                'global-search_hrsn2-fpn_1xb8-8e_synthetic-lasot.py')),
)
ROW_KEYS = tuple(row.key for row in ROWS)
DETECTOR_ROW = 'siamrcnn'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line options; the data options default to bench_learning's."""
    data = common.learning_data_defaults()
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir',
                        default='work_dirs/bench_reference_trackers')
    parser.add_argument('--data-dir', default=None,
                        help='where the synthetic sets are (default: '
                        '<work-dir>/data); bench_learning\'s data folder '
                        'holds the same sets')
    parser.add_argument('--only', nargs='+', choices=ROW_KEYS, metavar='ROW',
                        help=f'run these rows only, of {", ".join(ROW_KEYS)}')
    parser.add_argument('--reuse', action='store_true',
                        help='keep rows (and trainings) already done in '
                        '--work-dir with the same settings')
    parser.add_argument('--prepare-data', action='store_true',
                        help='only make the synthetic sets, then exit')
    parser.add_argument('--budget-minutes', type=float, default=12.0,
                        help='training time of every model (default: 12)')
    parser.add_argument('--epochs', type=int, default=None,
                        help="override every config's max_epochs")
    parser.add_argument('--samples-per-epoch', type=int, default=None,
                        help="override every config's samples per epoch")
    parser.add_argument('--train-seed', type=int, default=1,
                        help='randomness.seed of every training (default: '
                        '1, the configs\' own)')
    parser.add_argument('--seed', type=int, default=data['seed'],
                        help='data generator seed')
    parser.add_argument('--train-videos', type=int,
                        default=data['train_videos'])
    parser.add_argument('--train-frames', type=int,
                        default=data['train_frames'])
    parser.add_argument('--test-videos', type=int,
                        default=data['test_videos'])
    parser.add_argument('--test-frames', type=int,
                        default=data['test_frames'])
    parser.add_argument('--generator-args', default=data['generator_args'],
                        help='extra tools/make_synthetic.py options '
                        f"(default: \"{data['generator_args']}\")")
    args = parser.parse_args(argv)
    if not args.budget_minutes > 0:
        parser.error('--budget-minutes must be positive')
    return args


def select_rows(only: Optional[Sequence[str]]) -> List[Row]:
    """The rows to run, in table order (all of them without ``only``)."""
    if not only:
        return list(ROWS)
    unknown = set(only) - set(ROW_KEYS)
    if unknown:
        raise ValueError(f'unknown rows {sorted(unknown)}; expected some of '
                         f'{ROW_KEYS}')
    return [row for row in ROWS if row.key in only]


def small_object_point_accuracy(
        metrics: Dict, edge: float = SMALL_OBJECT_EDGE) -> Optional[float]:
    """Point accuracy over the frames whose target is under ``edge`` px.

    The size bins below ``edge`` are pooled by their frame counts, which
    gives exactly the share of hits among those frames.

    Args:
        metrics (dict): ``tools/eval_results.py`` JSON, with ``size_edges``
            and ``by_size`` (ordered as the bins).
        edge (float): A bin edge in ``size_edges``. Defaults to 16.

    Returns:
        float, optional: Percentage; None when no such frame exists.
    """
    edges = [float(e) for e in metrics['size_edges']]
    if float(edge) not in edges:
        raise ValueError(f'{edge:g} px is not a size-bin edge of {edges}')
    bins = list(metrics['by_size'].values())[:edges.index(float(edge)) + 1]
    hits = frames = 0.0
    for values in bins:
        count = values.get('num_frames') or 0
        if count and values.get('point_accuracy') is not None:
            hits += values['point_accuracy'] * count
            frames += count
    return hits / frames if frames else None


def _cell(value: Optional[float], digits: int = 2) -> str:
    """A table cell: the number, or '-' where it is undefined."""
    return '-' if value is None else f'{value:.{digits}f}'


def format_table(records: Sequence[Dict]) -> str:
    """The markdown table, one line per record of :func:`make_record`."""
    head = ['tracker', 'train min', 'success', 'precision', 'point acc',
            'point acc <16 px', 'LT-F', 'CPU fps']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + ' --- |' * len(head)]
    for rec in records:
        minutes = rec['train_seconds'] / 60
        cells = [
            rec['label'],
            f'{minutes:.1f}' + (' (budget)' if rec['stopped_by_budget']
                                else ''),
            _cell(rec['success']),
            _cell(rec['precision']),
            _cell(rec['point_accuracy']),
            _cell(rec['point_accuracy_small'], 1),
            _cell(rec['lt_fscore']),
            _cell(rec['fps'], 1),
        ]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


class Bench:
    """The steps of one benchmark run: train, test, evaluate, per row.

    Args:
        args (argparse.Namespace): From :func:`parse_args`.
        train_root (str): The synthetic train set.
        test_root (str): The synthetic test set.
    """

    def __init__(self, args: argparse.Namespace, train_root: str,
                 test_root: str) -> None:
        self.args = args
        self.work_dir = osp.abspath(args.work_dir)
        self.train_root = train_root
        self.test_root = test_root
        self.demo = common.load_demo()
        self.mim = osp.join(osp.dirname(sys.executable), 'mim')
        # What a training must have been run with to be reused.
        self.settings = dict(
            budget_minutes=args.budget_minutes,
            epochs=args.epochs,
            samples_per_epoch=args.samples_per_epoch,
            train_seed=args.train_seed,
            data={key: getattr(args, key) for key in common.DATA_KEYS})

    def lock(self, key: str):
        """The lock of one row's folder."""
        return common.file_lock(osp.join(self.work_dir, 'locks',
                                         f'{key}.lock'))

    def train_options(self, config: str,
                      distractors: bool = False) -> List[str]:
        """``--cfg-options`` of a training of ``config``: data, budget,
        seed, and with ``--epochs`` the epoch count with its schedule."""
        options = [
            f'train_dataloader.dataset.data_root={self.train_root}/',
            # mmengine builds the validation loop even when none runs.
            f'val_dataloader.dataset.data_root={self.test_root}/',
            'default_hooks.time_budget.type=TrainTimeBudgetHook',
            'default_hooks.time_budget.budget_minutes='
            f'{self.args.budget_minutes}',
            f'randomness.seed={self.args.train_seed}',
        ]
        if distractors:
            options.append('train_dataloader.dataset.pipeline.0.'
                           'distractor_datasets.0.data_root='
                           f'{self.train_root}/')
        if self.args.epochs is not None:
            options += epoch_override_options(config, self.args.epochs)
        if self.args.samples_per_epoch is not None:
            options.append('train_dataloader.sampler.samples_per_epoch='
                           f'{self.args.samples_per_epoch}')
        return options

    def train(self, config: str, out_dir: str, name: str,
              distractors: bool = False) -> Dict:
        """Train ``config`` into ``out_dir/train_<name>`` unless a training
        with the same settings is there; keep its final checkpoint as
        ``out_dir/<name>.pth``.

        Returns:
            dict: ``checkpoint``, ``seconds`` (wall time of ``mim train``),
            ``stopped_by_budget``, ``budget_stop`` (the hook's log line: at
            which iteration and epoch) and the settings.
        """
        record_path = osp.join(out_dir, f'{name}_train.json')
        record = common.read_json(record_path)
        if record is not None and record['settings'] == self.settings \
                and record['config'] == config \
                and osp.isfile(record['checkpoint']):
            print(f'=== {osp.basename(out_dir)}: {name} training found in '
                  f'{out_dir}, kept', flush=True)
            return record
        train_dir = osp.join(out_dir, f'train_{name}')
        if osp.exists(train_dir):
            shutil.rmtree(train_dir)
        os.makedirs(out_dir, exist_ok=True)
        log = osp.join(out_dir, f'train_{name}.log')
        seconds = self.demo.run_step(
            f'{osp.basename(out_dir)}: train {name} (mim train mmtrack)',
            [self.mim, 'train', 'mmtrack', config, '--work-dir', train_dir,
             '--cfg-options'] + self.train_options(config, distractors), log)
        with open(osp.join(train_dir, 'last_checkpoint')) as f:
            last = f.read().strip()
        checkpoint = osp.join(out_dir, f'{name}.pth')
        shutil.copyfile(last, checkpoint)
        with open(log) as f:
            # e.g. '... stopping after iteration 812 of 1600 (epoch 5 ...)'
            stops = [line.strip() for line in f if BUDGET_MESSAGE in line]
        record = dict(config=config, checkpoint=checkpoint, seconds=seconds,
                      stopped_by_budget=bool(stops),
                      budget_stop=stops[-1] if stops else None,
                      settings=self.settings)
        common.write_json(record_path, record)
        return record

    def test(self, config: str, checkpoint: str, row_dir: str,
             options: Sequence[str] = ()) -> Dict:
        """Track the test set and evaluate it.

        Returns:
            dict: ``metrics`` (eval_results JSON), ``seconds`` of ``mim
            test``, and ``time`` / ``data_time`` (mean seconds per test
            iteration, as mmengine logs them).
        """
        test_dir = osp.join(row_dir, 'test')
        results_dir = osp.join(row_dir, 'results')
        for folder in (test_dir, results_dir):
            if osp.exists(folder):
                shutil.rmtree(folder)
        row = osp.basename(row_dir)
        seconds = self.demo.run_step(f'{row}: test (mim test mmtrack)', [
            self.mim, 'test', 'mmtrack', config, '--checkpoint', checkpoint,
            '--work-dir', test_dir, '--cfg-options',
            f'test_dataloader.dataset.data_root={self.test_root}/',
            f'test_evaluator.outfile_prefix={results_dir}'
        ] + list(options), osp.join(row_dir, 'test.log'))
        metrics_path = osp.join(row_dir, 'metrics.json')
        self.demo.run_step(f'{row}: evaluate (tools/eval_results.py)', [
            sys.executable,
            osp.join(common.REPO_ROOT, 'tools', 'eval_results.py'),
            '--data-root', self.test_root, '--format', 'lasot', '--results',
            results_dir, '--convention', 'lasot', '--json', metrics_path
        ], osp.join(row_dir, 'eval.log'))
        logged = common.read_test_times(test_dir)
        return dict(metrics=common.read_json(metrics_path), seconds=seconds,
                    **logged)

    def detector(self, row_dir: str) -> Dict:
        """The SiamRCNN row's training (made if missing, under that row's
        lock), its checkpoint copied into ``row_dir`` so that a later rerun
        of that row cannot remove it while this row tests it."""
        row = next(r for r in ROWS if r.key == DETECTOR_ROW)
        with self.lock(DETECTOR_ROW):
            record = self.train(row.config,
                                osp.join(self.work_dir, DETECTOR_ROW),
                                'model')
            checkpoint = osp.join(row_dir, f'{DETECTOR_ROW}.pth')
            shutil.copyfile(record['checkpoint'], checkpoint)
        return dict(record, checkpoint=checkpoint)

    def run_row(self, row: Row) -> Dict:
        """Train, test and evaluate one row; return its record."""
        row_dir = osp.join(self.work_dir, row.key)
        record_path = osp.join(row_dir, 'row.json')
        with self.lock(row.key):
            found = common.read_json(record_path)
            if self.args.reuse and found is not None \
                    and found['settings'] == self.settings:
                print(f'=== {row.key}: found {record_path}, kept', flush=True)
                return found
            if not self.args.reuse and osp.exists(row_dir):
                shutil.rmtree(row_dir)
            os.makedirs(row_dir, exist_ok=True)
            if row.motion:
                detector = self.detector(row_dir)
                motion = self.train(MOTION_CONFIG, row_dir, 'motion')
                trainings = dict(siamrcnn=detector, motion=motion)
                checkpoint = detector['checkpoint']
                options = [f"model.motion_checkpoint={motion['checkpoint']}"]
            else:
                model = self.train(row.config, row_dir, 'model',
                                   row.distractors)
                trainings = dict(model=model)
                checkpoint, options = model['checkpoint'], []
            tested = self.test(row.config, checkpoint, row_dir, options)
            record = make_record(row, trainings, tested, self.settings)
            common.write_json(record_path, record)
            return record


def make_record(row: Row, trainings: Dict[str, Dict], tested: Dict,
                settings: Dict) -> Dict:
    """One row of ``summary.json`` and of the table.

    Args:
        row (Row): The tracker.
        trainings (dict): Per trained model, :meth:`Bench.train`'s record.
        tested (dict): :meth:`Bench.test`'s result.
        settings (dict): The run's settings.

    Returns:
        dict: Labels, training seconds (total and per model), the table's
        metrics, and the test timings.
    """
    metrics = tested['metrics']
    time = tested.get('time')
    return dict(
        key=row.key,
        label=row.label,
        config=row.config,
        train_seconds=sum(t['seconds'] for t in trainings.values()),
        trainings={
            name: dict(seconds=t['seconds'],
                       stopped_by_budget=t['stopped_by_budget'],
                       budget_stop=t.get('budget_stop'),
                       config=t['config'])
            for name, t in trainings.items()
        },
        stopped_by_budget=any(t['stopped_by_budget']
                              for t in trainings.values()),
        success=metrics['success'],
        precision=metrics['precision'],
        point_accuracy=metrics['point_accuracy'],
        point_accuracy_small=small_object_point_accuracy(metrics),
        lt_fscore=metrics.get('lt_fscore'),
        num_test_frames=metrics['num_frames'],
        fps=(1.0 / time if time else None),
        test_iter_seconds=time,
        test_data_seconds=tested.get('data_time'),
        test_seconds=tested['seconds'],
        settings=settings)


def main(argv: Optional[List[str]] = None) -> int:
    """Make the data, run the selected rows, print and save the table."""
    args = parse_args(argv)
    # One thread per training unless the user chose otherwise; inherited by
    # every subprocess.
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    work_dir = osp.abspath(args.work_dir)
    data_dir = osp.abspath(args.data_dir or osp.join(work_dir, 'data'))
    train_root, test_root = common.prepare_data(
        data_dir, vars(args), osp.join(work_dir, 'logs'))
    if args.prepare_data:
        print(f'data ready in {data_dir}')
        return 0
    bench = Bench(args, train_root, test_root)
    records = [bench.run_row(row) for row in select_rows(args.only)]
    table = format_table(records)
    print('\n' + table)
    common.write_json(
        osp.join(work_dir, 'summary.json'),
        dict(settings=bench.settings, rows=records, table=table))
    return 0


if __name__ == '__main__':
    sys.exit(main())
