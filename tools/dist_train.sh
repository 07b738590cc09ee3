#!/usr/bin/env bash
# Distributed training on one or several nodes with torchrun and our
# tools/train.py (mmtrack's dist_train.sh uses torch.distributed.launch,
# whose --local-rank mmtrack's train.py rejects under torch 2).
#
#   bash tools/dist_train.sh CONFIG NPROC [train.py arguments]
#
# NPROC processes per node: one per GPU, or CPU processes (gloo) on a
# machine without CUDA. Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and
# PORT on every node (untested here, see docs/distributed.md). PYTHON picks
# the interpreter (default: python).
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: bash $0 CONFIG NPROC [train.py arguments]" >&2
    exit 2
fi
CONFIG=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PYTHON=${PYTHON:-python}

exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --master_port="$PORT" \
    --nproc_per_node="$NPROC" \
    "$(dirname "$0")/train.py" \
    "$CONFIG" \
    --launcher pytorch \
    "${@:3}"
