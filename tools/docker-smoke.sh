#!/usr/bin/env bash
# Builds the weiyin image (Dockerfile) and smoke-tests it: the container answers /healthz and
# one /api/chat turn. Uses docker, or podman when docker is absent. Exits 0 with a "skip"
# message when neither can build (no engine or no daemon), 1 when the image fails.
#
#   tools/docker-smoke.sh [IMAGE]        (default IMAGE: weiyin:smoke)
set -euo pipefail
cd "$(dirname "$0")/.."

image=${1:-weiyin:smoke}
engine=""
for e in docker podman; do
  if command -v "$e" >/dev/null 2>&1 && "$e" info >/dev/null 2>&1; then engine=$e; break; fi
done
if [[ -z $engine ]]; then
  echo "docker-smoke: skip: neither docker nor podman can reach a container engine here"
  exit 0
fi

commit=$(git rev-parse HEAD 2>/dev/null || true)
echo "docker-smoke: building $image with $engine"
DOCKER_BUILDKIT=1 "$engine" build --build-arg COMMIT="$commit" -t "$image" .

name=weiyin-smoke-$$
port=${SMOKE_PORT:-18080}
cleanup() { "$engine" rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$engine" run -d --name "$name" -p "127.0.0.1:$port:8080" "$image" >/dev/null

fail() {
  echo "docker-smoke: FAIL: $*"
  "$engine" logs "$name" 2>&1 | tail -30
  exit 1
}

# /healthz: the server is up (the tokeniser loads its dictionaries first).
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || fail "/healthz did not answer 200 within 60 s"

# One chat turn through the image's embedded bot and sandbox bank.
reply=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"user":"smoke","text":"你好","id":"smoke-1"}' "http://127.0.0.1:$port/api/chat") ||
  fail "/api/chat did not answer 200"
grep -q '"replies":\[{"text":"' <<<"$reply" || fail "/api/chat gave no reply text: $reply"

version=$("$engine" run --rm "$image" version) || fail "weiyin version failed"
echo "docker-smoke: ok: $version; /healthz 200; /api/chat replied: ${reply:0:120}"
