#!/usr/bin/env bash
# Distributed training on a Slurm cluster: one task per GPU, started by srun,
# with mmengine's slurm launcher (it reads SLURM_PROCID and friends).
# UNTESTED HERE: no Slurm cluster was available; it mirrors mmtrack's
# tools/slurm_train.sh with our tools/train.py. Needs CUDA (mmengine's slurm
# launcher pins each task to a GPU).
#
#   bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR GPUS [train.py arguments]
#
# GPUS_PER_NODE (default 8), CPUS_PER_TASK (default 2), SRUN_ARGS and
# PYTHON (default python) may be set in the environment.
set -euo pipefail

if [ $# -lt 5 ]; then
    echo "usage: bash $0 PARTITION JOB_NAME CONFIG WORK_DIR GPUS [train.py arguments]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
GPUS=$5
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-2}
SRUN_ARGS=${SRUN_ARGS:-""}
PYTHON=${PYTHON:-python}

# SRUN_ARGS is split on purpose: it holds several srun options.
# shellcheck disable=SC2086
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    "$PYTHON" -u "$(dirname "$0")/train.py" "$CONFIG" \
    --work-dir="$WORK_DIR" --launcher=slurm "${@:6}"
