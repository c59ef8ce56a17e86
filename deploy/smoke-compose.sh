#!/usr/bin/env bash
# CI's compose check: `compose up` of compose.yaml (Titan on PostgreSQL) with the image smoke-image.sh
# built and a PostgreSQL image built from the machine's server (postgres-image.sh), both without a
# registry. Passes when Titan is healthy on /api/ready, a thread created over the API is a row in
# PostgreSQL, and it is still there after Titan's container restarts; then the stack and its volumes go.
# Usage: deploy/smoke-compose.sh [TITAN_IMAGE]   (default titan:ci). Uses `docker compose`, or `docker-compose`.
set -euo pipefail
TITAN_IMAGE="${1:-titan:ci}"
cd "$(dirname "$0")/.."
if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
docker image inspect "$TITAN_IMAGE" >/dev/null 2>&1 || deploy/smoke-image.sh "$TITAN_IMAGE"
docker image inspect titan-postgres:15 >/dev/null 2>&1 || deploy/postgres-image.sh titan-postgres:15 >/dev/null

PORT="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
export TITAN_IMAGE TITAN_PUBLISH_PORT="$PORT" POSTGRES_IMAGE=titan-postgres:15
TITAN_DB_PASSWORD="$(node -e "console.log(require('crypto').randomBytes(18).toString('base64url'))")"
export TITAN_DB_PASSWORD
PROJECT="titan-smoke-$$"
compose() { "${COMPOSE[@]}" -f compose.yaml -p "$PROJECT" "$@"; }
trap 'compose logs --no-color titan 2>/dev/null | tail -20 >/tmp/titan-compose-smoke.log; compose down -v --remove-orphans >/dev/null 2>&1 || true' EXIT

compose up -d --no-build >/tmp/titan-compose-up.log 2>&1 || { cat /tmp/titan-compose-up.log; exit 1; }

healthy() {
  local id status
  id="$(compose ps -q titan)"
  for _ in $(seq 1 300); do
    status="$(docker inspect --format '{{.State.Health.Status}} {{.State.Status}}' "$id")"
    case "$status" in
      healthy*) return 0 ;;
      *exited*) compose logs --no-color titan | tail -30; echo "smoke-compose: titan exited" >&2; return 1 ;;
    esac
    sleep 1
  done
  compose logs --no-color titan | tail -30
  echo "smoke-compose: titan not healthy: $status" >&2
  return 1
}
healthy

TOKEN="$(compose exec -T titan cat /var/lib/titan/gateway-token | tr -d '\r\n')"
TITLE="compose smoke $$"
node -e "
const base = 'http://127.0.0.1:$PORT';
const ready = await fetch(base + '/api/ready');
if (!ready.ok) { console.error('GET /api/ready', ready.status, await ready.text()); process.exit(1); }
const made = await fetch(base + '/api/threads', { method: 'POST', headers: { authorization: 'Bearer $TOKEN', 'content-type': 'application/json' }, body: JSON.stringify({ title: '$TITLE' }) });
if (made.status !== 201) { console.error('POST /api/threads', made.status, await made.text()); process.exit(1); }
console.log('GET /api/ready 200; POST /api/threads 201');
" --input-type=module

ROWS="$(compose exec -T postgres psql -U titan -d titan -tAc "SELECT count(*) FROM threads WHERE title = '$TITLE'" | tr -d '\r\n ')"
[ "$ROWS" = 1 ] || { echo "smoke-compose: the thread is not in PostgreSQL (rows: $ROWS)" >&2; exit 1; }

compose restart titan >/dev/null 2>&1
healthy
node -e "
const answer = await fetch('http://127.0.0.1:$PORT/api/threads', { headers: { authorization: 'Bearer $TOKEN' } });
const { threads } = await answer.json();
if (!threads.some((t) => t.title === '$TITLE')) { console.error('the thread is gone after a restart'); process.exit(1); }
" --input-type=module
echo "smoke-compose: Titan on PostgreSQL healthy, a thread kept in PostgreSQL across a restart ($("${COMPOSE[@]}" version --short 2>/dev/null || echo compose))"
