#!/usr/bin/env bash
# Build the Docker image for real without a Docker daemon, then smoke-test it.
#
#   debootstrap a minimal Debian with python3 -> podman import as localhost/pybase
#   -> podman build --build-arg BASE=localhost/pybase (host pip config + CA certs mounted for the build only)
#   -> buildah from + buildah run the image's own CMD on a free loopback port -> curl /healthz -> stop.
#
# The debootstrap rootfs is cached as a tarball (FFLAB_DOCKER_CACHE, default ~/.cache/fflab-docker),
# so reruns skip the slowest step. Needs root (debootstrap, chroot isolation).
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE=${SUITE:-bookworm}
CACHE=${FFLAB_DOCKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fflab-docker}
BASE_IMAGE=localhost/pybase:$SUITE
IMAGE=${IMAGE:-localhost/feedforward-lab:test}
export BUILDAH_ISOLATION=chroot
t0=$SECONDS
say() { printf '[docker-test %3ds] %s\n' $((SECONDS - t0)) "$*"; }

# 1. Tools.
missing=()
for tool in podman buildah debootstrap curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq podman buildah debootstrap curl >/dev/null
fi

# 2. The Debian mirror apt already uses (deb822 .sources first, then one-line sources.list).
mirror=${MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' \
           | grep -v -- '-security' | head -n1 || true)
fi
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
           | awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) {print $i; break}}' \
           | grep -v -- '-security' | head -n1 || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}

# 3. Base image: a cached debootstrap rootfs, imported into podman.
mkdir -p "$CACHE"
tarball=$CACHE/rootfs-$SUITE.tar
if [ ! -s "$tarball" ]; then
  say "debootstrap $SUITE from $mirror (cached afterwards in $tarball)"
  root=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates "$SUITE" "$root" "$mirror" \
    > "$CACHE/debootstrap.log" 2>&1 || { tail -n 30 "$CACHE/debootstrap.log"; rm -rf "$root"; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
  rm -rf "$root"
fi
if ! podman image exists "$BASE_IMAGE" || [ "$tarball" -nt "$CACHE/imported-$SUITE" ]; then
  say "podman import $tarball -> $BASE_IMAGE"
  podman import --quiet - "$BASE_IMAGE" < "$tarball" >/dev/null
  touch "$CACHE/imported-$SUITE"
fi

# 4. Build. pip inside the build sees the host's pip configuration, CA certificates and local
#    package directories through read-only mounts of this build only: nothing is baked in.
mounts=()
add_mount() { [ -e "$1" ] && mounts+=(-v "$1:$1:ro") || true; }
while read -r f; do add_mount "$f"; done < <(pip3 config debug 2>/dev/null \
  | sed -n 's/^ *\(\/[^,]*\), exists: True$/\1/p' | sort -u)
# Directories and files the configuration points at (find-links, file:// indexes, cert, constraints).
while read -r v; do
  v=${v#file://}
  case "$v" in
    */simple|*/simple/) add_mount "$(dirname "${v%/}")" ;;
    /*) add_mount "$v" ;;
  esac
done < <(pip3 config list 2>/dev/null | sed -n "s/^[^=]*='\(.*\)'$/\1/p" | tr ' ' '\n' | grep -E '^(/|file://)' | sort -u)
add_mount /etc/ssl/certs
# De-duplicate (a path may be both a config value and an env value).
mapfile -t mounts < <(printf '%s\n' "${mounts[@]}" | awk 'NR % 2 == 0 && !seen[$0]++ {print "-v"; print}')
say "podman build (base $BASE_IMAGE) with ${#mounts[@]} mount args: $(printf '%s ' "${mounts[@]}" | sed 's/-v //g')"
podman build --isolation chroot --format docker --build-arg BASE="$BASE_IMAGE" "${mounts[@]}" \
  -t "$IMAGE" -f Dockerfile . > "$CACHE/build.log" 2>&1 || { tail -n 40 "$CACHE/build.log"; exit 1; }

# The image keeps what the Dockerfile declares.
health=$(podman image inspect --format '{{json .Config.Healthcheck}}' "$IMAGE")
user=$(podman image inspect --format '{{.Config.User}}' "$IMAGE")
[ "$health" != "null" ] && [ -n "$health" ] || { echo "HEALTHCHECK missing from the image"; exit 1; }
[ "$user" = "10001" ] || { echo "image runs as '$user', expected 10001"; exit 1; }
if grep -q -E 'pypi|wheels|ca-certificates.crt' <(podman image inspect --format '{{json .Config.Env}}' "$IMAGE"); then
  echo "pip configuration leaked into the image environment"; exit 1
fi

# 5. Smoke test: the image's own CMD, moved to a free loopback port, on the host network.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mapfile -t cmd < <(podman image inspect --format '{{json .Config.Cmd}}' "$IMAGE" | python3 -c '
import json, sys
cmd = json.load(sys.stdin)
for flag, value in (("--host", "127.0.0.1"), ("--port", sys.argv[1])):
    if flag in cmd:
        cmd[cmd.index(flag) + 1] = value
    else:
        cmd += [flag, value]
print("\n".join(cmd))' "$port")
ctr=$(buildah from --quiet "$IMAGE")
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  buildah rm "$ctr" >/dev/null 2>&1 || true
}
trap cleanup EXIT
say "buildah run: ${cmd[*]}"
setsid buildah run --isolation chroot --network host "$ctr" -- "${cmd[@]}" > "$CACHE/run.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
  if body=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null); then
    say "GET /healthz -> $body"
    page=$(curl -fsS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")
    api=$(curl -fsS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/exercises")
    [ "$body" = '{"status":"ok"}' ] && [ "$page" = 200 ] && [ "$api" = 200 ] || { echo "smoke failed: / $page, /api/exercises $api"; exit 1; }
    # A query off the defaults is computed for real, by a compute child of a web worker.
    run=$(curl -fsS --max-time 30 "http://127.0.0.1:$port/api/exercises/4-4/derivative?beta=1.3")
    case "${run:0:300}" in *'"exercise":"4-4"'*'"beta":1.3'*) ;; *) echo "smoke failed: experiment -> ${run:0:300}"; tail -n 30 "$CACHE/run.log"; exit 1;; esac
    mode=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/metrics" | python3 -c 'import json,sys; c=json.load(sys.stdin)["compute"]; print(c["mode"], c["children"])')
    say "GET / -> $page, /api/exercises -> $api, an experiment -> 200 (compute: $mode); image $IMAGE works"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
echo "uvicorn inside the image did not answer /healthz"; tail -n 30 "$CACHE/run.log"; exit 1
