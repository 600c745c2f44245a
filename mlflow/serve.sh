#!/usr/bin/env bash
# Runs the pinned local MLflow tracking server for the demo (what cddpm starts by itself when no
# tracking URI is configured): 127.0.0.1, sqlite backend and served artifacts under mlruns/.
# Usage: mlflow/serve.sh [PORT]   (default 5000); then export MLFLOW_TRACKING_URI=http://127.0.0.1:PORT
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${1:-5000}"
bin="${CDDPM_MLFLOW_BIN:-$here/mlflow/.venv/bin/mlflow}"
if [[ ! -x "$bin" ]]; then
  echo "no MLflow server at $bin: run 'make mlflow-env' first" >&2
  exit 1
fi
data="$here/mlruns"
mkdir -p "$data/artifacts"
echo "MLflow UI: http://127.0.0.1:$port  (data in $data; Ctrl-C stops it)"
exec "$bin" server --host 127.0.0.1 --port "$port" \
  --backend-store-uri "sqlite:///$data/mlflow.db" \
  --serve-artifacts --artifacts-destination "$data/artifacts" --workers 2
