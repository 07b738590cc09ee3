# GSTP: the SiamRCNN of `siam-rcnn_r18-tiny_1xb8-8e_synthetic-lasot_*` with
# the motion model of `gstp-motion_hr2-tiny_1xb8-8e_synthetic-lasot.py`
# re-scoring its candidates, half detection score, half heatmap. The two are
# trained apart; pass the motion model's checkpoint with
#   --cfg-options model.motion_checkpoint=work_dirs/gstp_motion/epoch_8.pth
# (None keeps whatever the SiamRCNN checkpoint holds: random weights unless
# that checkpoint was saved with a trained motion model in it).
_base_ = [
    './siam-rcnn_r18-tiny_1xb8-8e_synthetic-lasot_test-synthetic-lasot.py',
    '../_base_/models/gstp-motion_hr2-tiny.py',
]
model = dict(
    motion_model={{_base_.motion_net}},
    motion_checkpoint=None,
    test_cfg=dict(motion_weight=0.5))
