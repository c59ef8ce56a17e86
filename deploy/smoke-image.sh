#!/usr/bin/env bash
# CI's container check: builds the base (deploy/base-image.sh) and Titan's image, starts it with a
# fresh state volume, waits for the image's HEALTHCHECK to say healthy (GET /api/ready answered 200),
# checks that the start loaded the start bundle and compiled no built-in, and checks /api/ready from
# outside too; then removes the container and the volume.
# Host networking on a free loopback port: engines without a bridge (vfs, --bridge=none) still work.
# Usage: deploy/smoke-image.sh [IMAGE]   (default titan:ci)
set -euo pipefail
IMAGE="${1:-titan:ci}"
cd "$(dirname "$0")/.."
docker image inspect titan-base:24 >/dev/null 2>&1 || deploy/base-image.sh titan-base:24
docker build --network host -t "$IMAGE" . >/tmp/titan-image-build.log 2>&1 || { tail -30 /tmp/titan-image-build.log; exit 1; }

PORT="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
NAME="titan-smoke-$$"
VOLUME="titan-smoke-state-$$"
trap 'docker rm -f "$NAME" >/dev/null 2>&1 || true; docker volume rm "$VOLUME" >/dev/null 2>&1 || true' EXIT
docker volume create "$VOLUME" >/dev/null
docker run -d --name "$NAME" --network host -e TITAN_HOST=127.0.0.1 -e TITAN_PORT="$PORT" \
  -v "$VOLUME:/var/lib/titan" --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges "$IMAGE" >/dev/null

for _ in $(seq 1 600); do
  STATUS="$(docker inspect --format '{{.State.Health.Status}} {{.State.Status}}' "$NAME")"
  case "$STATUS" in
    healthy*) break ;;
    *exited*) docker logs "$NAME" | tail -30; echo "smoke-image: the container exited" >&2; exit 1 ;;
  esac
  sleep 1
done
[ "${STATUS%% *}" = healthy ] || { docker logs "$NAME" | tail -30; echo "smoke-image: not healthy: $STATUS" >&2; exit 1; }
# Packing's work was done in the build: the start loaded the start bundle and compiled no built-in.
# The log read once, then searched: `docker logs | grep -q` under pipefail fails whenever grep finds
# its line early and docker logs is cut off writing the rest (SIGPIPE).
LOGS="$(docker logs "$NAME" 2>&1)"
grep -q 'modules from the start bundle' <<<"$LOGS" || { tail -30 <<<"$LOGS"; echo "smoke-image: the start did not load the start bundle" >&2; exit 1; }
grep -q '(0 compiled' <<<"$LOGS" || { tail -30 <<<"$LOGS"; echo "smoke-image: the start compiled built-ins" >&2; exit 1; }
node -e "fetch('http://127.0.0.1:$PORT/api/ready').then(async (r) => { console.log('GET /api/ready', r.status, await r.text()); process.exit(r.ok ? 0 : 1) })"
[ "$(docker inspect --format '{{.Config.User}}' "$IMAGE")" = 1000:1000 ] || { echo "smoke-image: the image does not run as an unprivileged user" >&2; exit 1; }
echo "smoke-image: $IMAGE healthy as user 1000, state in a volume"
