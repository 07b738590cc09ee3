"""Shared by the training benchmarks: the synthetic train/test sets of
``bench_learning.py``, made once per folder (safely when several benchmark
processes start at the same time), the demo's step runner, file locks, and
the files a benchmark reads and writes.

Not an entry point. The benchmarks import it as a sibling module (Python puts
a script's folder first on its path); the data are made by the same
functions ``tools/synthetic_demo.py`` (which ``bench_learning.py`` drives)
uses, with the same defaults, so a benchmark given ``bench_learning.py``'s
data folder finds its sets already there.
"""
import contextlib
import fcntl
import glob
import importlib.util
import json
import os
import os.path as osp
from types import ModuleType
from typing import Dict, Iterator, Optional, Tuple

import bench_learning

from mmtrack_smallobj.evaluation.functional import write_text_atomic

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# make_data and run_step of the demo, imported from their file (tools/ is a
# folder of scripts, not a package).
_DEMO_PATH = osp.join(REPO_ROOT, 'tools', 'synthetic_demo.py')
# Which generator options made a data folder, written next to the sets.
DATA_RECORD = 'generator.json'
DATA_HINT = 'give another --data-dir (or --work-dir)'
DATA_KEYS = ('seed', 'train_videos', 'train_frames', 'test_videos',
             'test_frames', 'generator_args')


def load_demo() -> ModuleType:
    """``tools/synthetic_demo.py`` as a module."""
    spec = importlib.util.spec_from_file_location('synthetic_demo',
                                                  _DEMO_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def learning_data_defaults() -> Dict:
    """``bench_learning.py``'s data options (seed, videos, frames, generator
    arguments) at their defaults."""
    defaults = vars(bench_learning.parse_args([]))
    return {key: defaults[key] for key in DATA_KEYS}


@contextlib.contextmanager
def file_lock(path: str) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) while the
    block runs; another process asking for it waits. Released when the
    process dies, so a killed run leaves no stale lock.

    Args:
        path (str): The lock file.
    """
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'a') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def write_json(path: str, value) -> None:
    """Write JSON so that a reader (or a parallel writer) never sees half."""
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'w') as f:
        json.dump(value, f, indent=1)
    os.replace(tmp, path)


def read_json(path: str) -> Optional[Dict]:
    """The JSON in ``path``; None when there is no such file."""
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def read_test_times(test_dir: str) -> Dict[str, Optional[float]]:
    """Mean seconds per test iteration (``time``, ``data_time``) from the
    JSON log that mmengine writes at the end of ``mim test`` (in
    ``<work-dir>/<timestamp>/<timestamp>.json``); None where absent.

    Args:
        test_dir (str): The ``--work-dir`` of ``mim test``.
    """
    logs = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))
    times: Dict[str, Optional[float]] = dict(time=None, data_time=None)
    if logs:
        with open(logs[-1]) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        for key in times:
            values = [line[key] for line in lines if key in line]
            times[key] = float(values[-1]) if values else None
    return times


def record_or_stop(path: str, record: Dict, what: str, hint: str) -> None:
    """Write ``record`` (the options that made something) to ``path``, or,
    when one is there already, stop unless it is the same: outputs made
    with other options are never silently reused.

    Args:
        path (str): The JSON record, beside what it describes.
        record (dict): The options; tuples compare as the lists JSON reads.
        what (str): What was made, for the message (e.g. 'data').
        hint (str): What the user can do instead.

    Raises:
        SystemExit: The record there differs.
    """
    record = json.loads(json.dumps(record))
    if not osp.isfile(path):
        write_text_atomic(path, json.dumps(record, indent=1))
        return
    with open(path) as f:
        found = json.load(f)
    if found != record:
        raise SystemExit(f'{osp.dirname(path)} holds {what} made with '
                         f'{found}, not {record}: {hint}')


def prepare_data(data_dir: str, options: Dict, log_dir: str) -> Tuple[str,
                                                                      str]:
    """Make the synthetic LaSOT-layout train and test sets in ``data_dir``
    unless they are there, exactly as ``tools/synthetic_demo.py`` makes them
    (test seed = seed + 1000, 320x240 frames).

    Sets made by these options are recorded in ``generator.json``; a folder
    recorded with other options is an error rather than silently reused.

    Args:
        data_dir (str): Folder for ``lasot_train`` and ``lasot_test``.
        options (dict): Values for ``DATA_KEYS``.
        log_dir (str): Where the generator's logs go.

    Returns:
        tuple[str, str]: The train and test roots, without a trailing
        separator.
    """
    wanted = {key: options[key] for key in DATA_KEYS}
    demo = load_demo()
    demo_args = demo.parse_args([
        '--seed', str(wanted['seed']),
        f"--generator-args={wanted['generator_args']}"
    ])
    train_root = osp.join(data_dir, 'lasot_train')
    test_root = osp.join(data_dir, 'lasot_test')
    record = osp.join(data_dir, DATA_RECORD)
    os.makedirs(log_dir, exist_ok=True)
    with file_lock(osp.join(data_dir, '.lock')):
        if osp.isfile(record):
            record_or_stop(record, wanted, 'data', DATA_HINT)
        elif osp.isfile(osp.join(train_root, 'lasot_train_infos.txt')):
            print(f'=== {data_dir}: sets found without {DATA_RECORD}; '
                  f'assuming they were made with {wanted}', flush=True)
        demo.make_data(demo_args, train_root, 'train',
                       wanted['train_videos'], wanted['train_frames'],
                       wanted['seed'], log_dir)
        # A different seed keeps test videos unseen in training (as the demo).
        demo.make_data(demo_args, test_root, 'test', wanted['test_videos'],
                       wanted['test_frames'], wanted['seed'] + 1000, log_dir)
        # Recorded only once the sets are whole.
        record_or_stop(record, wanted, 'data', DATA_HINT)
    return train_root, test_root
