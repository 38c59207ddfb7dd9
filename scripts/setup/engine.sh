#!/usr/bin/env bash
# Makes a Docker engine answer on /var/run/docker.sock (../shared/environment.md):
#   - installs Debian's docker.io (dockerd 20.10), busybox-static, mmdebstrap, docker-registry and
#     apache2-utils and docker-compose when missing;
#   - starts dockerd in the background when the socket does not answer, logging to
#     .cache/engine/dockerd.log, and writes its pid to .cache/engine/dockerd.pid so the caller
#     (.ci/run, scripts/demo.sh) can stop exactly what was started here;
#   - waits until `docker version` works (MLLAB_ENGINE_TIMEOUT_S, default 60 s).
# An engine that already answers is used as it is, and no pid file is written.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
state="$repo/.cache/engine"
timeout_s=${MLLAB_ENGINE_TIMEOUT_S:-60}
log() { echo "[engine] $*"; }
die() { echo "[engine] ERROR: $*" >&2; exit 1; }
mkdir -p "$state"

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)  # static /bin/busybox for FROM scratch
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
# A local registry for the registry tests (test/support/localRegistry.ts), with htpasswd for its
# password file; no registry can be reached from these machines.
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
# The Compose v1 CLI (1.29) for the Compose tests: the v2 plugin is not in Debian's archive.
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if (( ${#missing[@]} )); then
  [[ $(id -u) == 0 ]] || die "missing ${missing[*]}; run this script as root (it uses apt-get)"
  log "installing ${missing[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -qq || die "apt-get update failed: is Debian's package archive reachable?"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
fi

# The 20.10 client at /usr/bin/docker understands BuildKit here; any client works for `version`.
docker_cli=$(command -v docker || echo /usr/bin/docker)
answers() { timeout 5 "$docker_cli" version >/dev/null 2>&1; }

if answers; then
  log "engine already running: $("$docker_cli" version --format '{{.Server.Version}}' 2>/dev/null)"
  exit 0
fi

# A stale pid file from an engine that died: forget it.
rm -f "$state/dockerd.pid"
if pgrep -x dockerd >/dev/null 2>&1; then
  log "a dockerd process exists but the socket does not answer yet; waiting for it"
else
  log "starting dockerd (log: $state/dockerd.log)"
  # containerd comes with docker.io; dockerd starts its own when none is running.
  setsid dockerd >"$state/dockerd.log" 2>&1 < /dev/null &
  echo $! > "$state/dockerd.pid"
fi

for ((i = 0; i < timeout_s; i++)); do
  if answers; then
    log "engine ready after ${i} s: $("$docker_cli" version --format '{{.Server.Version}}' 2>/dev/null)"
    exit 0
  fi
  if [[ -f "$state/dockerd.pid" ]] && ! kill -0 "$(cat "$state/dockerd.pid")" 2>/dev/null; then
    tail -n 30 "$state/dockerd.log" >&2 || true
    rm -f "$state/dockerd.pid"
    die "dockerd exited at start; its log is above ($state/dockerd.log)"
  fi
  sleep 1
done
tail -n 30 "$state/dockerd.log" >&2 2>/dev/null || true
die "the Docker engine did not answer within ${timeout_s} s; see $state/dockerd.log (raise MLLAB_ENGINE_TIMEOUT_S if the machine is slow)"
