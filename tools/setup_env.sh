#!/usr/bin/env bash
# Provision .venv with the pinned OpenMMLab tracking stack (idempotent).
#
# Why this script instead of `pip install mmtrack`: mmtrack 1.0.0rc1 pins
# pandas<=1.3.5 and scipy<=1.7.3 (no Python 3.11 builds), and mmcv 2.0.0rc4's
# setup.py compiles with -std=c++14, which torch >= 2.1 refuses. See the README's
# stack table. A stamp file keyed on this script and the constraints makes a second
# run that has nothing to do take a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
CONSTRAINTS="$ROOT/requirements/constraints.txt"
# The mmcv wheel takes ~11 min to build on 2 cores; keep it outside the repo so that
# fresh clones (CI) reuse it.
WHEEL_CACHE="${MMTRACK_SMALLOBJ_WHEELS:-${XDG_CACHE_HOME:-$HOME/.cache}/mmtrack_smallobj/wheels}"
MMCV_VERSION="2.0.0rc4"
TORCH_VERSION="${TORCH_VERSION:-2.13.0}"

stamp_key="$(cat "$0" "$CONSTRAINTS" "$ROOT/pyproject.toml" 2>/dev/null | sha256sum | cut -c1-16)"
STAMP="$VENV/.stack-$stamp_key"
if [[ -f "$STAMP" ]]; then
  exit 0
fi

log() { printf '[setup_env] %s\n' "$*" >&2; }

if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check -c "$CONSTRAINTS")

log "step 1/5: torch $TORCH_VERSION (kept as installed: never pull a CUDA build here) + build tools"
if ! "$PY" -c "import torch" 2>/dev/null; then
  "${PIP[@]}" "torch==$TORCH_VERSION"
fi
"${PIP[@]}" "setuptools>=77,<81" wheel numpy ninja

log "step 2/5: mmcv $MMCV_VERSION with ops, built with -std=c++17"
if ! "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null; then
  mkdir -p "$WHEEL_CACHE"
  torch_tag="$("$PY" -c 'import torch; print(torch.__version__.replace("+", "_"))')"
  wheel_dir="$WHEEL_CACHE/mmcv-$MMCV_VERSION-torch$torch_tag"
  if ! ls "$wheel_dir"/mmcv-*.whl >/dev/null 2>&1; then
    build_dir="$(mktemp -d)"
    trap 'rm -rf "$build_dir"' EXIT
    log "building mmcv from its sdist (about 11 minutes on 2 cores; cached in $wheel_dir)"
    "$PY" -m pip download --no-deps --no-binary :all: --no-build-isolation \
      -d "$build_dir" "mmcv==$MMCV_VERSION"
    tar -xzf "$build_dir"/mmcv-*.tar.gz -C "$build_dir"
    src="$(find "$build_dir" -maxdepth 1 -type d -name 'mmcv-*' | head -n 1)"
    sed -i 's/-std=c++14/-std=c++17/g' "$src/setup.py"
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
      "$PY" -m pip wheel --no-deps --no-build-isolation -w "$build_dir/out" "$src"
    mkdir -p "$wheel_dir"
    # Move into place only once complete, so an interrupted build leaves no half wheel.
    mv "$build_dir"/out/mmcv-*.whl "$wheel_dir/"
  fi
  "$PY" -m pip install --no-deps "$wheel_dir"/mmcv-*.whl
fi

log "step 3/5: mmengine, then mmdet/mmcls/mmtrack without their stale pins"
"${PIP[@]}" "mmengine==0.10.7"
"$PY" -m pip install --no-deps "mmdet==3.0.0rc5" "mmcls==1.0.0rc5" "mmtrack==1.0.0rc1"

log "step 4/5: their real runtime needs, and ours"
"${PIP[@]}" pycocotools scipy terminaltables six matplotlib modelindex rich lap \
  motmetrics pandas seaborn tabulate scikit-learn attributee tqdm trackeval \
  addict yapf opencv-python Pillow pyyaml packaging pytest
# The got10k toolkit is the reference our `got10k` convention is tested against; its
# metadata drags in old pins we do not need, so only its small import needs come along.
"$PY" -m pip install --no-deps got10k
"${PIP[@]}" shapely fire wget

log "step 5/5: openmim, then setuptools back in range, then this package"
"${PIP[@]}" openmim
"${PIP[@]}" "setuptools>=77,<81"
"$PY" -m pip install --no-deps --no-build-isolation -e "$ROOT"
# mim passes test checkpoints positionally, which mmtrack's test.py rejects; the shim
# (see mmtrack_smallobj/utils/mmtrack_tools.py) makes `mim test mmtrack CONFIG
# --checkpoint CKPT` work in this environment.
"$PY" -c "from mmtrack_smallobj.utils.mmtrack_tools import install_mim_test_shim as f; print('[setup_env] mim test shim:', f())"

"$PY" - <<'PYCHECK'
import mmcv, mmdet, mmtrack, mmengine, torch
from mmcv.ops import RoIAlign, nms  # noqa: F401  (fails if the ops were not built)
print(f'[setup_env] torch {torch.__version__}, mmcv {mmcv.__version__}, '
      f'mmengine {mmengine.__version__}, mmdet {mmdet.__version__}, '
      f'mmtrack {mmtrack.__version__}')
PYCHECK
rm -f "$VENV"/.stack-*
touch "$STAMP"
