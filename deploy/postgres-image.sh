#!/usr/bin/env bash
# Builds a PostgreSQL image for compose.yaml with no registry: the machine's PostgreSQL server (Debian's
# postgresql-15 under /usr/lib/postgresql) with the shared libraries it links, busybox-static for a shell,
# and an entry script that speaks the official image's interface (POSTGRES_USER, POSTGRES_DB,
# POSTGRES_PASSWORD, data in /var/lib/postgresql/data), then `docker import`ed.
# Where a registry answers, the official `postgres` image serves as well (POSTGRES_IMAGE in compose.yaml).
# Usage: deploy/postgres-image.sh [IMAGE]   (default titan-postgres:15). Needs apt-get, dpkg and docker.
set -euo pipefail
IMAGE="${1:-titan-postgres:15}"
PG_DIR="$(ls -d /usr/lib/postgresql/*/ 2>/dev/null | sort -V | tail -1)"
[ -n "$PG_DIR" ] && [ -x "${PG_DIR}bin/postgres" ] || { echo "postgres-image: no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)" >&2; exit 3; }
PG_VERSION="$(basename "$PG_DIR")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

if ! apt-get download busybox-static >/dev/null 2>apt.err; then
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get download busybox-static >/dev/null 2>apt.err || { cat apt.err >&2; echo "postgres-image: cannot download busybox-static" >&2; exit 3; }
fi
mkdir root
dpkg -x ./busybox-static_*.deb root
mkdir -p root/bin root/usr/bin root/tmp root/var/run/postgresql root/var/lib/postgresql/data root/usr/local/bin
chmod 1777 root/tmp
for applet in $(root/bin/busybox --list); do
  [ -e "root/bin/$applet" ] || ln -s busybox "root/bin/$applet"
done

# The server programs the entry script and compose's health check use, its extensions (not the LLVM JIT,
# which is off), its share files and the zone database Debian builds it against.
BIN="$PG_DIR/bin"
mkdir -p "root$BIN" "root${PG_DIR}lib"
for program in postgres initdb pg_ctl pg_isready psql; do cp "$BIN/$program" "root$BIN/"; done
find "${PG_DIR}lib" -maxdepth 1 -name '*.so' ! -name 'llvmjit*' -exec cp {} "root${PG_DIR}lib/" \;
mkdir -p "root/usr/share/postgresql"
cp -r "/usr/share/postgresql/$PG_VERSION" "root/usr/share/postgresql/"
cp -r /usr/share/zoneinfo root/usr/share/zoneinfo

# Every shared library those programs and extensions load, with the dynamic loader.
for object in "root$BIN"/* "root${PG_DIR}lib"/*.so; do ldd "/${object#root/}" 2>/dev/null || true; done |
  awk '/=>/ && $3 ~ /^\// {print $3} /^\t\/lib/ {print $1}' | sort -u |
  while read -r library; do
    mkdir -p "root$(dirname "$library")"
    cp -L "$library" "root$library"
  done
mkdir -p root/lib64 && cp -L /lib64/ld-linux-x86-64.so.2 root/lib64/

cat > root/usr/local/bin/postgres-entry <<'ENTRY'
#!/bin/sh
# Creates the cluster on first start (user, password, database from the environment), then runs the server.
set -eu
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
USER_NAME="${POSTGRES_USER:-postgres}"
DB_NAME="${POSTGRES_DB:-$USER_NAME}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/pwfile
  initdb -D "$PGDATA" -U "$USER_NAME" --pwfile=/tmp/pwfile -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f /tmp/pwfile
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  if [ "$DB_NAME" != postgres ]; then
    echo "CREATE DATABASE \"$DB_NAME\" OWNER \"$USER_NAME\";" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c jit=off
ENTRY
chmod 755 root/usr/local/bin/postgres-entry

mkdir -p root/etc
printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:postgres:/var/lib/postgresql:/bin/sh\n' > root/etc/passwd
printf 'root:x:0:\npostgres:x:999:\n' > root/etc/group
chown -R 999:999 root/var/lib/postgresql root/var/run/postgresql
chmod 700 root/var/lib/postgresql/data

tar -C root -c . | docker import \
  --change "ENV PATH=$BIN:/usr/local/bin:/usr/bin:/bin" \
  --change 'ENV PGDATA=/var/lib/postgresql/data' \
  --change 'USER 999:999' \
  --change 'VOLUME /var/lib/postgresql/data' \
  --change 'EXPOSE 5432' \
  --change 'CMD ["/usr/local/bin/postgres-entry"]' \
  --change "LABEL titan.postgres=$PG_VERSION" \
  - "$IMAGE" >/dev/null
echo "$IMAGE"
