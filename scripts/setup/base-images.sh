#!/usr/bin/env bash
# Builds the local images the tests use, when they are missing. No registry is reachable on
# the CI machines (../shared/environment.md), so the Python base image is made from Debian's
# packages with mmdebstrap and `docker import`ed under a project-specific name; it is never
# tagged as an official name such as python:3.12.
#   MLLAB_BASE_IMAGE  (default mllab-test/python-ml:bookworm): python3, pip, scikit-learn, flask,
#                     debugpy (the debugger the Debug Profile command runs the script under)
# The Python image carries the hash of its package list and hooks in the label
# org.mllab.base-recipe: an image made from another list (an older checkout) is rebuilt.
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

PACKAGES=python3,python3-pip,python3-sklearn,python3-flask,python3-venv,python3-debugpy,ca-certificates
HOOKS=('rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED' 'chroot "$1" ln -sf /usr/bin/python3 /usr/local/bin/python')
RECIPE=$(printf '%s\n' "$PACKAGES" "${HOOKS[@]}" | sha256sum | cut -c1-16)
have=$(docker image inspect --format '{{ index .Config.Labels "org.mllab.base-recipe" }}' "$BASE_IMAGE" 2>/dev/null || true)
if [[ $have != "$RECIPE" ]]; then
  [[ -n $have || $(docker image ls -q "$BASE_IMAGE") ]] && echo "[base-images] $BASE_IMAGE was made from another package list: rebuilding"
  echo "[base-images] building $BASE_IMAGE with mmdebstrap (about a minute)"
  mmdebstrap --quiet --variant=apt --include="$PACKAGES" \
    --customize-hook="${HOOKS[0]}" --customize-hook="${HOOKS[1]}" \
    bookworm "$work/rootfs.tar"
  docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PYTHONUNBUFFERED=1' \
    --change 'LABEL org.mllab.test-fixture=true' \
    --change "LABEL org.mllab.base-recipe=$RECIPE" \
    --change 'CMD ["python3"]' \
    "$work/rootfs.tar" "$BASE_IMAGE" >/dev/null
fi
echo "[base-images] ready: $BASE_IMAGE $TINY_IMAGE"
