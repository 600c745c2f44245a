#!/usr/bin/env bash
# Runs the pinned local MLflow tracking server for the demo (what cddpm starts by itself when no
# tracking URI is configured): 127.0.0.1, sqlite backend and served artifacts under mlruns/.
# Usage: mlflow/serve.sh [PORT [DATA_DIR]]   (default 5000 and mlruns/); then export MLFLOW_TRACKING_URI=http://127.0.0.1:PORT
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${1:-5000}"
bin="${CDDPM_MLFLOW_BIN:-$here/mlflow/.venv/bin/mlflow}"
if [[ ! -x "$bin" ]]; then
  echo "no MLflow server at $bin: run 'make mlflow-env' first" >&2
  exit 1
fi
data="$(mkdir -p "${2:-$here/mlruns}" && cd "${2:-$here/mlruns}" && pwd)"
mkdir -p "$data/artifacts"
echo "MLflow UI: http://127.0.0.1:$port  (data in $data; Ctrl-C stops it)"
# mlflow runs gunicorn and its workers as child processes, which a signal to mlflow alone leaves
# serving. So the server runs as its own process group (job control gives a background job one, with
# the job's pid as its id), and stopping this script (Ctrl-C, SIGTERM, hangup) or the server ending
# stops the whole group: SIGTERM, then SIGKILL after 15 s.
set -m
"$bin" server --host 127.0.0.1 --port "$port" \
  --backend-store-uri "sqlite:///$data/mlflow.db" \
  --serve-artifacts --artifacts-destination "$data/artifacts" --workers 2 &
server=$!
set +m
stop_group() { kill -TERM -- "-$server" 2>/dev/null || true; }
trap stop_group INT TERM HUP
status=0
wait "$server" || status=$?  # returns early when one of the trapped signals arrives
stop_group
for _ in $(seq 150); do  # bash reaps mlflow itself, init gunicorn's processes
  kill -0 -- "-$server" 2>/dev/null || exit "$status"
  sleep 0.1
done
kill -KILL -- "-$server" 2>/dev/null || true
exit "$status"
