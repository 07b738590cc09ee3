"""Build a trained single-object tracker and its per-frame test pipeline.

Any mmtrack SOT model built from a config (ours or mmtrack's own): the
config's ``custom_imports`` and ``default_scope`` are honoured, the
checkpoint must fit the model (mmengine only warns otherwise, and a run
would track with random weights), and the test pipeline is the config's
own or, for a model-only config, mmtrack's SOT one.
"""
import copy
from typing import Optional, Tuple, Union

import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmtrack.registry import MODELS
from torch import nn

__all__ = [
    'DEFAULT_TEST_PIPELINE', 'INFERENCE_DTYPES', 'REID_CLASSIFIER_KEY',
    'build_test_pipeline', 'checkpoint_reid_num_ids', 'inference_precision',
    'init_tracker', 'resolve_device'
]

# mmtrack's SOT test pipeline (its LaSOT, GOT-10k, ... dataset configs).
DEFAULT_TEST_PIPELINE = (
    dict(type='LoadImageFromFile'),
    dict(type='LoadTrackAnnotations', with_instance_id=False),
    dict(type='PackTrackInputs', pack_single_img=True),
)


def build_test_pipeline(cfg: Config) -> Compose:
    """The per-frame test pipeline of a config's ``test_dataloader``, or
    mmtrack's SOT test pipeline for a model-only (``_base``) config.

    Args:
        cfg (Config): A loaded config (its default scope initialised).

    Returns:
        Compose: The pipeline, built from a copy of the config's list.
    """
    dataset = (cfg.get('test_dataloader') or {}).get('dataset') or {}
    pipeline = dataset.get('pipeline') or DEFAULT_TEST_PIPELINE
    return Compose([dict(t) for t in pipeline])


def _summarise_mismatch(message: str, width: int = 240) -> str:
    """mmengine's strict-loading error (every key, every shape) in a few
    lines: unexpected and missing keys cut to ``width`` characters, size
    mismatches counted with the first one shown."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    sizes = [line for line in lines if line.startswith('size mismatch')]
    keys = [
        line if len(line) <= width else line[:width] + ' ...'
        for line in lines if line.startswith(('unexpected', 'missing'))
    ]
    if sizes:
        keys.append(f'{len(sizes)} size mismatch(es), the first: {sizes[0]}')
    return '; '.join(keys) or message


def resolve_device(name: str, what: str = 'device') -> torch.device:
    """The torch device a user named, checked before any work is done.

    Args:
        name (str): 'cpu', 'cuda' or 'cuda:N'.
        what (str): How the messages call the setting (a tool passes its
            option, '--device'). Defaults to 'device'.

    Returns:
        torch.device: The parsed device.

    Raises:
        ValueError: If torch cannot parse ``name``, or it names CUDA where
            CUDA is not available.
    """
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f'unknown {what} {name!r}') from None
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise ValueError(f'{what} {name}, but CUDA is not available')
    return device


# Inference precisions by the names the tools take (``--dtype``).
INFERENCE_DTYPES = dict(
    fp32=torch.float32, fp16=torch.float16, bf16=torch.bfloat16)


def _cuda_bf16_supported(device: torch.device) -> bool:
    """Whether the GPU ``device`` names (not the current one) has bf16."""
    with torch.cuda.device(device):
        return torch.cuda.is_bf16_supported()


def inference_precision(device: Union[str, torch.device],
                        dtype: str) -> torch.autocast:
    """The ``torch.autocast`` context for tracking at ``dtype`` on
    ``device``, checked before any work is done.

    Convolutions and matrix products then run at ``dtype``; a
    ``GlobalSearchTracker`` narrows that to its backbone and neck
    (``head_in_float32``), other trackers run under it whole. ``fp32``
    gives a disabled context, so callers need no branch.

    Args:
        device (str | torch.device): Where the model runs.
        dtype (str): A key of :data:`INFERENCE_DTYPES`.

    Returns:
        torch.autocast: The context manager.

    Raises:
        ValueError: For an unknown name, ``fp16`` on a CPU (not a precision
            CPUs compute in), or ``bf16`` on a GPU without it.
    """
    if dtype not in INFERENCE_DTYPES:
        raise ValueError(f'unknown dtype {dtype!r}; choose from '
                         f'{", ".join(INFERENCE_DTYPES)}')
    device = torch.device(device)
    if dtype == 'fp16' and device.type != 'cuda':
        raise ValueError(f'dtype fp16 needs a CUDA device, not {device}; '
                         'use bf16 on a CPU')
    if (dtype == 'bf16' and device.type == 'cuda'
            and not _cuda_bf16_supported(device)):
        raise ValueError(
            f'dtype bf16: {torch.cuda.get_device_name(device)} has no '
            'bfloat16 support')
    return torch.autocast(
        device_type=device.type,
        dtype=INFERENCE_DTYPES[dtype],
        enabled=dtype != 'fp32')


# Where a re-id model keeps its identity classifier (ReIDEmbeddingHead).
REID_CLASSIFIER_KEY = 'reid_head.classifier.weight'


def checkpoint_reid_num_ids(checkpoint: str) -> int:
    """Size of the re-id classifier stored in a checkpoint, for building
    the model it fits (``model.reid_head.num_ids``).

    Raises:
        OSError: A missing or unreadable file.
        ValueError: A checkpoint without ``reid_head.classifier.weight``.
    """
    from mmengine.runner import CheckpointLoader

    import mmtrack_smallobj  # noqa: F401  (registers its safe local loader)
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else {}
    if REID_CLASSIFIER_KEY not in state:
        raise ValueError(f'{checkpoint} has no {REID_CLASSIFIER_KEY}: not a '
                         'checkpoint of a model with a re-id head')
    return int(state[REID_CLASSIFIER_KEY].shape[0])


def init_tracker(config: Union[str, Config],
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 cfg_options: Optional[dict] = None,
                 short_side: Optional[int] = None,
                 strict: bool = True) -> Tuple[nn.Module, Compose]:
    """Build an SOT model from its config with its weights, and the test
    pipeline.

    The config's ``custom_imports`` are imported and its ``default_scope``
    (mmtrack if unset) is made current, so components of any scope resolve.
    ``init_weights`` is not called: the weights come from ``checkpoint``;
    without one the modules keep their constructors' random initialisation
    (no pretrained download), which is what speed benchmarks want.

    Args:
        config (str | Config): Config file, a package's config as
            ``'mmtrack::sot/...py'``, or a loaded config (not modified).
        checkpoint (str, optional): Checkpoint file, read with mmengine's
            ``load_checkpoint``.
        device (str): 'cpu', 'cuda' or 'cuda:N'. Defaults to 'cpu'.
        cfg_options (dict, optional): Overrides merged into the config, as
            ``--cfg-options`` gives them.
        short_side (int, optional): Overrides the model's
            ``test_cfg['short_side']`` (an error if it has none).
        strict (bool): Refuse a checkpoint whose keys or shapes differ from
            the model's (mmengine only warns otherwise, and the run would
            track with random weights). Defaults to True.

    Returns:
        tuple[nn.Module, Compose]: The model in eval mode on ``device``,
        with the config kept as ``model.cfg``, and the test pipeline.

    Raises:
        ValueError: If ``strict`` and the checkpoint does not fit.
    """
    if not isinstance(config, str):
        cfg = copy.deepcopy(config)  # Config.copy is shallow
    elif '::' in config:
        from mmengine.hub import get_config
        cfg = get_config(config)
    else:
        cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmtrack'))
    model = MODELS.build(cfg.model)
    if short_side is not None:
        test_cfg = getattr(model, 'test_cfg', None)
        if not hasattr(test_cfg, 'get') or 'short_side' not in test_cfg:
            raise KeyError(f'{type(model).__name__} has no test_cfg '
                           'short_side to override')
        test_cfg['short_side'] = int(short_side)
        cfg.model.setdefault('test_cfg', {})['short_side'] = int(short_side)
    if checkpoint is not None:
        try:
            meta = load_checkpoint(
                model, checkpoint, map_location='cpu', strict=strict)
        except RuntimeError as err:
            raise ValueError(f'checkpoint {checkpoint} does not fit '
                             f'{type(model).__name__}: '
                             f'{_summarise_mismatch(str(err))}') from None
        meta = meta.get('meta', {}) if isinstance(meta, dict) else {}
        model.dataset_meta = meta.get('dataset_meta', {'CLASSES': None})
    model.cfg = cfg
    model.to(device)
    model.eval()
    return model, build_test_pipeline(cfg)
