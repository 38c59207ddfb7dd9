#!/usr/bin/env bash
# Builds the local images the tests use, when they are missing. No registry is reachable on
# the CI machines (../shared/environment.md), so the Python base image is made from Debian's
# packages with mmdebstrap and `docker import`ed under a project-specific name; it is never
# tagged as an official name such as python:3.12.
#   MLLAB_BASE_IMAGE  (default mllab-test/python-ml:bookworm): python3, pip, scikit-learn, flask
#   MLLAB_TINY_IMAGE  (default mllab-test/busybox:1): busybox only, for fast engine tests
set -euo pipefail
BASE_IMAGE=${MLLAB_BASE_IMAGE:-mllab-test/python-ml:bookworm}
TINY_IMAGE=${MLLAB_TINY_IMAGE:-mllab-test/busybox:1}
if ! timeout 10 docker version >/dev/null 2>&1; then
  echo "[base-images] ERROR: the Docker engine does not answer: run 'bash scripts/setup/engine.sh' first" >&2
  exit 1
fi
for tool in mmdebstrap busybox; do
  if [[ $tool == busybox && ! -x /bin/busybox ]] || ! command -v "$tool" >/dev/null 2>&1; then
    echo "[base-images] ERROR: $tool is missing: run 'bash scripts/setup/engine.sh' (installs mmdebstrap and busybox-static)" >&2
    exit 1
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! docker image inspect "$TINY_IMAGE" >/dev/null 2>&1; then
  echo "[base-images] building $TINY_IMAGE"
  cp /bin/busybox "$work/busybox"
  cat > "$work/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
LABEL org.mllab.test-fixture=true
CMD ["sh"]
DOCKERFILE
  docker build -q -t "$TINY_IMAGE" "$work" >/dev/null
fi

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  echo "[base-images] building $BASE_IMAGE with mmdebstrap (about a minute)"
  mmdebstrap --quiet --variant=apt \
    --include=python3,python3-pip,python3-sklearn,python3-flask,python3-venv,ca-certificates \
    --customize-hook='rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED' \
    --customize-hook='chroot "$1" ln -sf /usr/bin/python3 /usr/local/bin/python' \
    bookworm "$work/rootfs.tar"
  docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PYTHONUNBUFFERED=1' \
    --change 'LABEL org.mllab.test-fixture=true' \
    --change 'CMD ["python3"]' \
    "$work/rootfs.tar" "$BASE_IMAGE" >/dev/null
fi
echo "[base-images] ready: $BASE_IMAGE $TINY_IMAGE"
