#!/usr/bin/env bash
# Builds Titan's sandbox image from Debian packages, with no registry: busybox-static unpacked into a
# root folder (a shell and the usual tools, one static binary), imported with `docker import`.
# Usage: scripts/sandbox-image.sh [IMAGE] [--c-runtime]   (default titan-sandbox:1). Titan's job
# preflight runs it when the image is missing; CI runs it before the job tests. Needs apt-get, dpkg
# and docker. --c-runtime adds Debian's C and C++ runtime (libc6, libstdc++6, libgcc-s1): the agent
# image, where Titan's own Node binary and its worker script are mounted read-only (a Node baked in
# would be copied whole for every container by the vfs storage driver: about 2 s a start).
set -euo pipefail
IMAGE="${1:-titan-sandbox:1}"
PACKAGES="busybox-static"
if [ "${2:-}" = "--c-runtime" ]; then PACKAGES="busybox-static libc6 libstdc++6 libgcc-s1"; fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# `apt-get download` fetches the .deb only (no install, no root needed beyond reading the lists).
# shellcheck disable=SC2086
if ! apt-get download $PACKAGES >/dev/null 2>apt.err; then
  apt-get update -qq >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  apt-get download $PACKAGES >/dev/null 2>apt.err || { cat apt.err >&2; echo "sandbox-image: cannot download $PACKAGES" >&2; exit 3; }
fi
mkdir root
for deb in ./*.deb; do dpkg -x "$deb" root; done

# One link per applet, so /bin/sh, ls, cat, dd, sleep... exist in the image.
mkdir -p root/bin root/usr/bin root/sbin root/tmp root/workspace root/etc root/proc root/sys root/dev root/opt/titan
chmod 1777 root/tmp
for applet in $(root/bin/busybox --list); do
  [ -e "root/bin/$applet" ] || [ -e "root/usr/bin/$applet" ] || ln -s busybox "root/bin/$applet"
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
