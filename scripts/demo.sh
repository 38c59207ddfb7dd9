#!/usr/bin/env bash
# The demo (`npm run demo`): installs what it needs (Docker engine, local base images, VS Code
# for the browser), packages the extension, and serves it in code-server on
# http://127.0.0.1:${MLLAB_DEMO_PORT:-8080}/ with a copy of the iris-train lab opened (builds use
# the local base image mllab-test/python-ml:bookworm, so they work offline). Runs until Ctrl-C,
# then stops what it started (code-server, and dockerd if it started one).
#   bash scripts/demo.sh            serve until Ctrl-C
#   bash scripts/demo.sh --check    start, verify the workbench in headless Chromium, screenshot, exit 0/1
#                                   (also MLLAB_DEMO_CHECK=1; `npm run demo -- --check` in .ci/run)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
engine_pid_file="$repo/.cache/engine/dockerd.pid"
had_engine_pid=0; [[ -f "$engine_pid_file" ]] && had_engine_pid=1

cleanup() {
  # Stop dockerd only when this run started it (engine.sh wrote a new pid file).
  if (( ! had_engine_pid )) && [[ -f "$engine_pid_file" ]]; then
    pid=$(cat "$engine_pid_file")
    echo "[demo] stopping the dockerd this demo started (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    rm -f "$engine_pid_file"
  fi
}
trap cleanup EXIT

bash scripts/setup/engine.sh
bash scripts/setup/base-images.sh
bash scripts/setup/vscode.sh
if [[ ! -d node_modules ]]; then
  echo "[demo] installing npm dependencies"
  npm ci --no-audit --no-fund --ignore-scripts
fi
echo "[demo] packaging the extension"
npm run package --silent
node scripts/demo.mjs "$@"
