#!/usr/bin/env bash
# Installs what the remote-engine tests need to make a second machine on this one
# (test/support/remoteEngine.ts): iproute2 (ip netns, veth), util-linux (nsenter), openssl (a CA
# and certificates for TCP+TLS), openssh-server/openssh-client (the SSH transport) and podman
# (Podman's Docker-compatible API as a fourth engine: test/support/podmanEngine.ts; without
# recommends, which would pull in buildah, fuse-overlayfs, slirp4netns and more that the tests
# do not need).
# Idempotent; needs root only when something is missing.
set -euo pipefail
log() { echo "[remote] $*"; }
die() { echo "[remote] ERROR: $*" >&2; exit 1; }
missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
command -v podman >/dev/null 2>&1 || missing+=(podman)
if (( ${#missing[@]} )); then
  [[ $(id -u) == 0 ]] || die "missing ${missing[*]}; run 'sudo bash scripts/setup/remote.sh' (it uses apt-get)"
  log "installing ${missing[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -qq || die "apt-get update failed: is Debian's package archive reachable?"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi
# sshd refuses to start without its privilege-separation folder.
mkdir -p /run/sshd
log "ready: ip, nsenter, openssl, sshd, podman"
