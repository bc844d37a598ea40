#!/usr/bin/env bash
# Builds (or finds cached) the Linux guest image before the guest suites run in a network
# namespace without the network. When the host programs are missing it only says so: the guest
# suites then skip, or fail when ISCSILAB_REQUIRE_EXTERNAL=1.
build=${1:?path of build-guest.sh}
missing=()
for p in qemu-system-x86_64 iscsiadm modprobe xz cpio apt-get; do
    command -v "$p" >/dev/null || missing+=("$p")
done
if (( ${#missing[@]} )); then
    echo "guest image: not built, missing ${missing[*]} (apt-get install qemu-system-x86 open-iscsi kmod xz-utils cpio)"
    exit 0
fi
cache=${ISCSILAB_GUEST_CACHE:-$HOME/.cache/iscsilab/guest}
for series in 6.1 6.12; do
    bash "$build" "$series" "$cache" || echo "guest image $series: build failed (see above); the guest suites will report it"
done
exit 0
