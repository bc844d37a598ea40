#!/usr/bin/env bash
# Makes a local base image when the machine lacks it (no registry is reachable here): a minimal
# Debian bookworm made with debootstrap from the machine's own apt mirror, with the packages
# given, imported into Podman. Usage: base-image.sh IMAGE PACKAGE[,PACKAGE...]
set -euo pipefail
image=$1
packages=$2
podman image exists "$image" && exit 0
mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1)
mirror=${mirror:-$(awk '/^deb / && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)}
mirror=${mirror:-http://deb.debian.org/debian}
rootfs=$(mktemp -d)
echo "base image: building $image with debootstrap from $mirror"
debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" >/dev/null
tar -C "$rootfs" -c . | podman import - "$image" >/dev/null
rm -rf "$rootfs"
