"""Does a trained re-id head separate identities? (DMTrack's Figure 6.)

Example::

    python tools/make_synthetic.py data/synthetic/mot_test --format mot \
        --split test --videos 12 --frames 300 --seed 1000 --distractors 3
    python tools/analysis/reid_embedding_separation.py \
        configs/global_search/global-search-reid_hrsn2-fpn_1xb8-8e_synthetic-mot.py \
        work_dirs/gs_reid/epoch_8.pth --data-root data/synthetic/mot_test \
        --out-dir work_dirs/gs_reid/embedding_separation

Reads the identities of a MOT-layout folder from its COCO-VID file
(``D/annotations/<split>_cocoformat.json``), samples frames of every video
(``--frame-step``, ``--max-frames-per-video``), and embeds every visible
object's ground-truth box as a ``GlobalSearchTracker`` does at test time:
the frame through the test pipeline and the data preprocessor, resized to
``test_cfg.short_side``, the first feature level into
``ReIDEmbeddingHead.embed_boxes`` (the L2-normalised embedding at the box
centre). Prints a markdown table of the cosine similarity of same- and
different-identity pairs (also of different identities within one video,
the look-alikes a tracker must tell apart), their gap and the ROC AUC, and
writes ``O/embedding_separation.json`` and a PCA (or t-SNE) scatter
``O/embedding_separation.png`` of the identities with the most embeddings,
both atomically. The maths are
``mmtrack_smallobj.evaluation.functional.embedding_separation``.

The re-id classifier's size is read from the checkpoint. Bad input (a
missing folder or annotation file, a file that is not COCO-VID, a config or
checkpoint without a re-id head, fewer than 2 identities) stops with exit
code 2 and names the path or key.
"""
import argparse
import importlib.util
import io
import os
import os.path as osp
import sys
from typing import List, Optional, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.dataset import Compose, pseudo_collate  # noqa: E402
from torch import nn  # noqa: E402

from mmtrack_smallobj.apis import (  # noqa: E402
    checkpoint_reid_num_ids, init_tracker, pack_frame, resolve_device)
from mmtrack_smallobj.engine.atomic_checkpoint import (  # noqa: E402
    write_bytes_atomic)
from mmtrack_smallobj.evaluation.functional import (  # noqa: E402
    PROJECTIONS, EmbeddingSeparation, EvaluationInputError, MOTIdentities,
    embedding_separation, format_separation_table, load_mot_identities,
    project_2d, write_strict_json)
from mmtrack_smallobj.models.sot import GlobalSearchTracker  # noqa: E402
from mmtrack_smallobj.models.sot.whole_frame_utils import (  # noqa: E402
    resize_to_test_scale)
from mmtrack_smallobj.utils.video_io import make_progress  # noqa: E402

METHOD_NAMES = dict(pca='PCA', tsne='t-SNE')
AXIS_NAMES = dict(pca='PC', tsne='t-SNE')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Cosine similarity of same- and different-identity '
        're-id embeddings on a MOT-layout set, and a 2-D scatter of them.')
    parser.add_argument('config', help='re-id model config file')
    parser.add_argument('checkpoint', help='checkpoint with a re-id head')
    parser.add_argument(
        '--data-root', required=True,
        help='MOT-layout folder (tools/make_synthetic.py --format mot)')
    parser.add_argument(
        '--split', default='test',
        help='reads annotations/<split>_cocoformat.json (default: test)')
    parser.add_argument('--out-dir', required=True,
                        help='folder for the JSON and the PNG')
    parser.add_argument('--max-frames-per-video', type=int, default=30,
                        metavar='N', help='frames sampled per video '
                        '(default: 30)')
    parser.add_argument('--frame-step', type=int, default=10, metavar='S',
                        help='sample every S-th frame (default: 10)')
    parser.add_argument(
        '--min-visibility', type=float, default=0.0, metavar='V',
        help='embed objects at least this visible (default: 0, every '
        'object that shows; training samples identities from 0.3)')
    parser.add_argument(
        '--max-embeddings', type=int, default=3000, metavar='N',
        help='compare a random subset of N embeddings when there are more '
        '(memory grows with the square: about 0.5 GB for the default, '
        '3000)')
    parser.add_argument(
        '--method', default='pca', choices=PROJECTIONS,
        help="scatter projection: 'pca' (default) or 'tsne' (needs "
        'scikit-learn)')
    parser.add_argument(
        '--max-identities', type=int, default=10, metavar='N',
        help='plot the N identities with the most embeddings (default: 10)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the subset and of t-SNE')
    parser.add_argument(
        '--device', default='cpu', help="'cpu' (default), 'cuda' or 'cuda:N'")
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE',
        help='override config settings, e.g. model.test_cfg.short_side=320')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    args = parser.parse_args(argv)
    for name in ('max_frames_per_video', 'frame_step', 'max_identities'):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.max_embeddings < 2:
        parser.error('--max-embeddings must be >= 2')
    return args


def build_reid_model(args: argparse.Namespace) -> Tuple[nn.Module, Compose]:
    """The tracker with its re-id head sized as the checkpoint's, loaded
    strictly through the inference API.

    Raises:
        OSError, KeyError, TypeError, ValueError: Bad config or checkpoint.
    """
    num_ids = checkpoint_reid_num_ids(args.checkpoint)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if not cfg.get('model', {}).get('reid_head'):
        raise ValueError(f'{args.config}: model.reid_head is not set: not '
                         'a re-id model config')
    cfg.model.reid_head.num_ids = num_ids
    model, pipeline = init_tracker(cfg, args.checkpoint, args.device)
    if not isinstance(model, GlobalSearchTracker):
        raise TypeError(f'{args.config}: embeds as GlobalSearchTracker does,'
                        f' got a {type(model).__name__}')
    return model, pipeline


def frame_embeddings(model: nn.Module, pipeline: Compose, img_path: str,
                     boxes_xyxy: np.ndarray) -> np.ndarray:
    """Re-id embeddings of boxes in one frame, as the tracker reads them.

    The frame is packed as a video's first frame and goes the way
    ``GlobalSearchTracker.init`` takes it (the preprocessor's padding cut
    off, the test scale, the first level), so the target's embedding here
    is the one the 'reid' strategy starts its tracklet with.

    Args:
        model (nn.Module): A ``GlobalSearchTracker`` with a re-id head.
        pipeline (Compose): Its test pipeline.
        img_path (str): The frame.
        boxes_xyxy (np.ndarray): (K, 4) boxes in image pixels.

    Returns:
        np.ndarray: (K, D) float32 unit embeddings.
    """
    packed = pack_frame(pipeline, img_path, 0, 1, boxes_xyxy[0])
    with torch.no_grad():
        batch = model.data_preprocessor(pseudo_collate([packed]), False)
        meta = batch['data_samples'][0].metainfo
        height, width = meta['img_shape'][:2]
        img = batch['inputs']['img'][0][..., :height, :width]
        # A test pipeline that resizes moves the boxes with the image.
        ori_h, ori_w = meta.get('ori_shape', (height, width))[:2]
        boxes = img.new_tensor(boxes_xyxy) * img.new_tensor(
            [width / ori_w, height / ori_h] * 2)
        scaled, factor, _ = resize_to_test_scale(img, model.test_cfg)
        feats = model.extract_feat(scaled)
        embeds = model.reid_head.embed_boxes(feats[0], boxes * factor)
    return embeds.float().cpu().numpy()


def embed_dataset(model: nn.Module, pipeline: Compose, data_root: str,
                  identities: MOTIdentities,
                  progress: bool) -> Tuple[np.ndarray, np.ndarray,
                                           np.ndarray]:
    """Embeddings, identities and videos of every sampled object."""
    embeds, labels, videos = [], [], []
    update, close = make_progress(len(identities.frames), progress)
    try:
        for frame in identities.frames:
            embeds.append(
                frame_embeddings(model, pipeline,
                                 osp.join(data_root, frame.file_name),
                                 frame.boxes_xyxy))
            labels.append(frame.identities)
            videos.append(np.full(len(frame.identities), frame.video))
            update()
    finally:
        close()
    return np.concatenate(embeds), np.concatenate(labels), np.concatenate(
        videos)


def scatter_png(points: np.ndarray, labels: np.ndarray, names: List[str],
                title: str, axis: str) -> bytes:
    """A PNG of 2-D points coloured by identity, with a legend.

    Args:
        points (np.ndarray): (N, 2) coordinates.
        labels (np.ndarray): (N,) identity of each, an index into ``names``.
        names (list[str]): Identity names, for the legend.
        title (str): The plot's title.
        axis (str): Name of the projection's axes, e.g. 'PC'.

    Returns:
        bytes: The PNG file.
    """
    fig, ax = plt.subplots(figsize=(7.5, 6))
    shown = list(dict.fromkeys(labels.tolist()))
    cmap = plt.get_cmap('tab10' if len(shown) <= 10 else 'tab20')
    for index, label in enumerate(shown):
        mask = labels == label
        ax.scatter(points[mask, 0], points[mask, 1], s=14, alpha=0.8,
                   color=cmap(index % cmap.N), label=names[label])
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(f'{axis} 1')
    ax.set_ylabel(f'{axis} 2')
    ax.legend(fontsize=7, loc='center left', bbox_to_anchor=(1.0, 0.5),
              title='identity', title_fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png', dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def plotted_subset(labels: np.ndarray, max_identities: int) -> np.ndarray:
    """Indices of the embeddings of the ``max_identities`` identities with
    the most embeddings (ties: the first identity read)."""
    ids, counts = np.unique(labels, return_counts=True)
    keep = ids[np.lexsort((ids, -counts))[:max_identities]]
    return np.flatnonzero(np.isin(labels, keep))


def report(args: argparse.Namespace, result: EmbeddingSeparation,
           identities: MOTIdentities, num_embedded: int,
           plotted: List[str]) -> dict:
    """What the JSON keeps: the result, what was embedded, and the
    command's options (to rerun it)."""
    return dict(
        separation=result.to_dict(),
        num_frames=len(identities.frames),
        num_videos=len(identities.videos),
        num_identities=len(identities.names),
        num_embedded=num_embedded,
        plotted_identities=plotted,
        options=vars(args))


def load_identities(args: argparse.Namespace) -> MOTIdentities:
    """The sampled frames and identities, checked before the model runs.

    Raises:
        EvaluationInputError: Not a MOT-layout folder, a missing frame,
            fewer than 2 identities.
    """
    if not osp.isdir(args.data_root):
        raise EvaluationInputError(args.data_root, 'data root is not a '
                                   'folder')
    ann_file = osp.join(args.data_root, 'annotations',
                        f'{args.split}_cocoformat.json')
    if not osp.isfile(ann_file):
        raise EvaluationInputError(
            ann_file, 'file not found: not a MOT-layout folder of split '
            f'{args.split!r} (tools/make_synthetic.py --format mot writes '
            'it; see --split)')
    identities = load_mot_identities(ann_file, args.max_frames_per_video,
                                     args.frame_step, args.min_visibility)
    if len(identities.names) < 2:
        raise EvaluationInputError(
            ann_file, f'{len(identities.names)} identities (instance_id) '
            'among the sampled visible objects; need at least 2')
    for frame in identities.frames:
        path = osp.join(args.data_root, frame.file_name)
        if not osp.isfile(path):
            raise EvaluationInputError(path, f'frame not found (listed in '
                                       f'{ann_file})')
    return identities


def main(argv: Optional[List[str]] = None) -> int:
    """Embed, compare, print, write; return the exit code."""
    args = parse_args(argv)
    if args.method == 'tsne' and importlib.util.find_spec('sklearn') is None:
        print('error: --method tsne needs scikit-learn, which is not '
              'installed (pip install scikit-learn, or use --method pca)',
              file=sys.stderr)
        return 2
    try:
        resolve_device(args.device, '--device')
        identities = load_identities(args)
    except (EvaluationInputError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    try:
        model, pipeline = build_reid_model(args)
    except (OSError, KeyError, TypeError, ValueError) as err:
        print(f'error: cannot build the re-id model: {type(err).__name__}: '
              f'{err}', file=sys.stderr)
        return 2
    embeds, labels, videos = embed_dataset(model, pipeline, args.data_root,
                                           identities, not args.no_progress)
    num_embedded = len(embeds)
    if num_embedded > args.max_embeddings:
        rng = np.random.default_rng(args.seed)
        keep = np.sort(
            rng.choice(num_embedded, args.max_embeddings, replace=False))
        embeds, labels, videos = embeds[keep], labels[keep], videos[keep]
    try:
        result = embedding_separation(embeds, labels, videos)
    except ValueError as err:
        print(f'error: {args.data_root}: {err}', file=sys.stderr)
        return 2
    subset = plotted_subset(labels, args.max_identities)
    points = project_2d(embeds[subset], args.method, args.seed)
    plotted = [identities.names[i] for i in dict.fromkeys(
        labels[subset].tolist())]
    print(f'{num_embedded} embeddings of {len(identities.names)} identities '
          f'in {len(identities.frames)} frames of {len(identities.videos)} '
          f'videos' + (f' ({len(embeds)} compared)'
                       if len(embeds) < num_embedded else '') + ':\n')
    print(format_separation_table(result))
    title = (f'{METHOD_NAMES[args.method]} of re-id embeddings, '
             f'{len(plotted)} identities\nmean cosine: same identity '
             f'{result.same.mean:.3f}, different '
             f'{result.different.mean:.3f} (AUC {result.auc:.3f})')
    os.makedirs(args.out_dir, exist_ok=True)
    json_path = osp.join(args.out_dir, 'embedding_separation.json')
    png_path = osp.join(args.out_dir, 'embedding_separation.png')
    write_bytes_atomic(
        png_path,
        scatter_png(points, labels[subset], identities.names, title,
                    AXIS_NAMES[args.method]))
    write_strict_json(
        json_path, report(args, result, identities, num_embedded, plotted))
    print(f'\nwritten {json_path} and {png_path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
