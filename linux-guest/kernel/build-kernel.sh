#!/usr/bin/env bash
# Builds a guest kernel for the Linux-guest suites from a plain kernel.org source tarball: the
# architecture's defconfig, then guest.config (everything the guest needs, built in), then bzImage.
#
#   linux-guest/kernel/build-kernel.sh VERSION [TARBALL] [OUTDIR]
#
# VERSION is e.g. 4.9.337. Without TARBALL the script downloads
# https://cdn.kernel.org/pub/linux/kernel/vMAJOR.x/linux-VERSION.tar.xz (a machine that can reach
# kernel.org). OUTDIR (default ~/.cache/iscsilab/kernels, where the harness looks unless
# ISCSILAB_KERNEL_DIR says otherwise) receives bzImage-VERSION and config-VERSION. Host packages:
# build-essential bc flex bison libelf-dev libssl-dev xz-utils (and curl to download).
set -euo pipefail

version=${1:?kernel version, e.g. 4.9.337}
tarball=${2:-}
outdir=${3:-${ISCSILAB_KERNEL_DIR:-$HOME/.cache/iscsilab/kernels}}
here=$(cd "$(dirname "$0")" && pwd)
major=${version%%.*}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -z "$tarball" ]]; then
    tarball=$work/linux-$version.tar.xz
    url=https://cdn.kernel.org/pub/linux/kernel/v$major.x/linux-$version.tar.xz
    echo "build-kernel: downloading $url"
    curl -fsSL -o "$tarball" "$url"
fi
echo "build-kernel: unpacking $tarball"
tar -xf "$tarball" -C "$work"
src=$work/linux-$version
[[ -d "$src" ]] || { echo "build-kernel: $tarball holds no linux-$version/" >&2; exit 2; }

cd "$src"
make -s x86_64_defconfig
# guest.config on top of the defconfig; olddefconfig settles what the options imply
scripts/kconfig/merge_config.sh -m .config "$here/guest.config" > /dev/null
make -s olddefconfig

# every option of guest.config must have survived olddefconfig (a dependency missing from it
# would silently drop one)
missing=0
while IFS= read -r line; do
    case "$line" in
        CONFIG_*=*) grep -qx "$line" .config || { echo "build-kernel: $line did not stick" >&2; missing=1; } ;;
        "# CONFIG_"*" is not set") grep -qx "$line" .config || { echo "build-kernel: '$line' did not stick" >&2; missing=1; } ;;
    esac
done < "$here/guest.config"
[[ $missing == 0 ]] || exit 3

start=$SECONDS
make -s -j"$(nproc)" bzImage
echo "build-kernel: bzImage built in $((SECONDS - start)) s"
mkdir -p "$outdir"
cp arch/x86/boot/bzImage "$outdir/bzImage-$version"
cp .config "$outdir/config-$version"
echo "build-kernel: wrote $outdir/bzImage-$version and config-$version"
