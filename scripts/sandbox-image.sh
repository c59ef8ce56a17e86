#!/usr/bin/env bash
# Builds Titan's sandbox image from Debian packages, with no registry: busybox-static unpacked into a
# root folder (a shell and the usual tools, one static binary), imported with `docker import`.
# Usage: scripts/sandbox-image.sh [IMAGE]   (default titan-sandbox:1). Titan's job preflight runs it
# when the image is missing; CI runs it before the job tests. Needs apt-get, dpkg and docker.
set -euo pipefail
IMAGE="${1:-titan-sandbox:1}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# `apt-get download` fetches the .deb only (no install, no root needed beyond reading the lists).
if ! apt-get download busybox-static >/dev/null 2>apt.err; then
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get download busybox-static >/dev/null 2>apt.err || { cat apt.err >&2; echo "sandbox-image: cannot download busybox-static" >&2; exit 3; }
fi
mkdir root
dpkg -x busybox-static_*.deb root

# One link per applet, so /bin/sh, ls, cat, dd, sleep... exist in the image.
mkdir -p root/bin root/usr/bin root/sbin root/tmp root/workspace root/etc root/proc root/sys root/dev
chmod 1777 root/tmp
for applet in $(root/bin/busybox --list); do
  [ -e "root/bin/$applet" ] || ln -s busybox "root/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > root/etc/passwd
echo 'sandbox:x:1000:1000:sandbox:/workspace:/bin/sh' >> root/etc/passwd
printf 'root:x:0:\nsandbox:x:1000:\n' > root/etc/group

tar -C root -c . | docker import \
  --change 'WORKDIR /workspace' \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' \
  --change 'LABEL titan.sandbox=1' \
  - "$IMAGE" >/dev/null
echo "$IMAGE"
