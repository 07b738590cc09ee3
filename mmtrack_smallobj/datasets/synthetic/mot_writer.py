"""MOTChallenge (MOT17-style) layout, for re-identification training.

Every object (target id 1, distractors 2..K+1) keeps its identity through the
video, including across the target's out-of-view spans. Besides ``gt/gt.txt``
and ``seqinfo.ini`` the writer emits the COCO-VID json that mmtrack's
``MOTChallengeDataset`` reads, in the format of mmtrack's ``mot2coco.py``.
"""
import json
import os
import os.path as osp
from typing import List

from .render import Appearance
from .scene import VideoScene
from .writers import DatasetWriter, write_text

# Category table of mot2coco.py; all synthetic objects are category 1.
MOT_CLASSES = ('pedestrian', 'person_on_vehicle', 'car', 'bicycle',
               'motorbike', 'non_mot_vehicle', 'static_person', 'distractor',
               'occluder', 'occluder_on_ground', 'occluder_full',
               'reflection', 'crowd')
FRAME_RATE = 30


def format_visibility(value: float) -> str:
    """Visibility as MOT17 writes it: '1', '0.86105', '0'."""
    return format(round(float(value), 5), 'g')


class MOTWriter(DatasetWriter):
    """``<seq>/img1/%06d.jpg``, ``<seq>/gt/gt.txt``, ``<seq>/seqinfo.ini``
    and ``annotations/<split>_cocoformat.json``.

    Boxes are 0-based continuous ``x, y, w, h`` clipped to the frame (the
    convention mmtrack reads MOT files with), not MOTChallenge's 1-based
    pixel indices. Rows exist only for frames where the object shows.

    Args:
        root (str): Output folder (filled in place).
        split (str): 'train', 'val' or 'test'.
        jpeg_quality (int): JPEG quality of every frame.
    """

    frame_template = '%06d.jpg'

    def __init__(self, root: str, split: str, jpeg_quality: int) -> None:
        super().__init__(root, split, jpeg_quality)
        self.coco = dict(
            categories=[
                dict(id=i + 1, name=name) for i, name in enumerate(MOT_CLASSES)
            ],
            videos=[],
            images=[],
            annotations=[])
        self.num_instances = 0

    def add_video(self, index: int, scene: VideoScene,
                  appearance: Appearance) -> str:
        """Write one sequence and return its name (``SYNTH-%04d``)."""
        name = f'SYNTH-{index + 1:04d}'
        seq_dir = osp.join(self.root, name)
        self.write_frames(osp.join(seq_dir, 'img1'), scene, appearance)
        os.makedirs(osp.join(seq_dir, 'gt'), exist_ok=True)
        width, height = scene.frame_size
        write_text(
            osp.join(seq_dir, 'seqinfo.ini'), '\n'.join([
                '[Sequence]', f'name={name}', 'imDir=img1',
                f'frameRate={FRAME_RATE}', f'seqLength={scene.num_frames}',
                f'imWidth={width}', f'imHeight={height}', 'imExt=.jpg'
            ]) + '\n\n')
        clipped = scene.clipped_boxes
        rows = []
        # MOT17 orders gt.txt by identity, then frame.
        for obj in range(len(scene.boxes)):
            for t in range(scene.num_frames):
                if scene.visible_ratio[obj, t] <= 0:
                    continue
                x, y, w, h = (int(v) for v in clipped[obj, t])
                vis = format_visibility(scene.visible_ratio[obj, t])
                rows.append(f'{t + 1},{obj + 1},{x},{y},{w},{h},1,1,{vis}')
        write_text(osp.join(seq_dir, 'gt', 'gt.txt'), '\n'.join(rows) + '\n')
        self._add_coco(name, scene)
        return name

    def _add_coco(self, name: str, scene: VideoScene) -> None:
        """Append one sequence to the COCO-VID dict, numbering as mot2coco
        does (1-based ids, 0-based frame_id, per-split instance ids)."""
        coco = self.coco
        video_id = len(coco['videos']) + 1
        width, height = scene.frame_size
        coco['videos'].append(
            dict(
                id=video_id,
                name=name,
                fps=FRAME_RATE,
                width=width,
                height=height))
        instance_ids: List[int] = []
        for obj in range(len(scene.boxes)):
            if (scene.visible_ratio[obj] > 0).any():
                instance_ids.append(self.num_instances)
                self.num_instances += 1
            else:
                instance_ids.append(-1)
        clipped = scene.clipped_boxes
        for t in range(scene.num_frames):
            image_id = len(coco['images']) + 1
            coco['images'].append(
                dict(
                    id=image_id,
                    video_id=video_id,
                    file_name=f'{name}/img1/{t + 1:06d}.jpg',
                    height=height,
                    width=width,
                    frame_id=t,
                    mot_frame_id=t + 1))
            for obj in range(len(scene.boxes)):
                ratio = float(scene.visible_ratio[obj, t])
                if ratio <= 0:
                    continue
                x, y, w, h = (float(v) for v in clipped[obj, t])
                coco['annotations'].append(
                    dict(
                        category_id=1,
                        bbox=[x, y, w, h],
                        area=w * h,
                        iscrowd=False,
                        visibility=round(ratio, 5),
                        mot_instance_id=obj + 1,
                        mot_conf=1.0,
                        id=len(coco['annotations']) + 1,
                        image_id=image_id,
                        instance_id=instance_ids[obj]))

    def finish(self) -> str:
        """Write the COCO-VID json; return its path relative to the root."""
        rel = osp.join('annotations', f'{self.split}_cocoformat.json')
        os.makedirs(osp.join(self.root, 'annotations'), exist_ok=True)
        payload = dict(self.coco, num_instances=self.num_instances)
        with open(osp.join(self.root, rel), 'w') as f:
            json.dump(payload, f)
        return rel
