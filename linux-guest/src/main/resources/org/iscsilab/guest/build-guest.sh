#!/usr/bin/env bash
# Builds a Linux guest that runs the kernel's own iSCSI initiator (open-iscsi) under QEMU:
# a Debian cloud kernel and a busybox initramfs holding iscsid/iscsiadm and the modules the
# initiator needs. Everything comes from Debian's packages; nothing is installed on the host
# except the host tools listed in REQUIRED_TOOLS (which the caller installs).
#
#   build-guest.sh SERIES OUTDIR      SERIES: 6.1 (Debian 12's cloud kernel), 6.12, or
#                                       6.1-multipath (Debian 12's generic kernel, whose ALUA
#                                       device handler the cloud flavour lacks, and
#                                       multipath-tools with the libraries it links)
#   build-guest.sh --image KERNEL DEST  a kernel image with everything the initiator needs built
#                                       in (no modules), e.g. the 4.9 image of docs/linux-guest.md
#
# Writes OUTDIR/SERIES (or DEST)/{vmlinuz,initramfs.cpio.gz,kernel-release} and skips the work
# when they exist and were built from this script, init and the kernel (a stamp holds their hash).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
image=
if [[ "${1:-}" == --image ]]; then
    image=${2:?kernel image}
    dest=${3:?destination folder}
    series=image
    krel_given=${4:?kernel release}
    stamp=$(cat "$0" "$here/init" "$here/guest-lib.sh" "$image" | sha256sum | cut -c1-16)
else
    series=${1:?series (6.1, 6.12 or 6.1-multipath)}
    outdir=${2:?output folder}
    dest="$outdir/$series"
    stamp=$(cat "$0" "$here/init" "$here/guest-lib.sh" | sha256sum | cut -c1-16)
fi

if [[ -f "$dest/stamp" && "$(cat "$dest/stamp")" == "$stamp" && -f "$dest/initramfs.cpio.gz" ]]; then
    echo "guest $series: cached in $dest"
    exit 0
fi

tools="apt-get dpkg iscsid iscsiadm ldd cpio gzip"
[[ -n "$image" ]] || tools="$tools depmod modprobe xz"
for tool in $tools; do
    command -v "$tool" >/dev/null || { echo "build-guest: missing host tool '$tool'" >&2; exit 3; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

root=$work/root
mkdir -p "$root"/{bin,sbin,etc/iscsi,proc,sys,dev,run,tmp,var/lock,modules,lib/guest}
: > "$root/modules/order"
if [[ -n "$image" ]]; then
    # A kernel with the initiator built in: no kernel package, no modules.
    echo "guest $krel_given: kernel image $image; downloading busybox-static"
    apt-get download -q busybox-static >/dev/null 2>&1 \
        || { echo "build-guest: apt-get download busybox-static failed" >&2; exit 3; }
    dpkg -x busybox-static_*.deb busybox
    krel=$krel_given
    mkdir -p kernel/boot
    cp "$image" "kernel/boot/vmlinuz-$krel"
else
    # The kernel package: 6.1 is what Debian 12's cloud meta-package depends on; 6.12 is the
    # newest signed 6.12 cloud image on the mirror.
    modules="virtio_pci virtio_net iscsi_tcp sd_mod"
    case "$series" in
        6.1) pkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-6\.1/ {print $2; exit}') ;;
        6.1-multipath)
            pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-6\.1/ {print $2; exit}')
            # iscsi_tcp finds crc32c through the crypto API: a module here, built in the cloud kernel
            modules="$modules crc32c_generic scsi_dh_alua dm_multipath dm_round_robin dm_service_time" ;;
        6.12) pkg=$(apt-cache pkgnames linux-image-6.12. | grep -E 'cloud-amd64$' | sort -V | tail -1) ;;
        *) echo "build-guest: unknown series $series" >&2; exit 2 ;;
    esac
    [[ -n "$pkg" ]] || { echo "build-guest: no kernel package for $series (apt-get update?)" >&2; exit 3; }
    echo "guest $series: downloading $pkg and busybox-static"
    apt-get download -q "$pkg" busybox-static >/dev/null 2>&1 \
        || { echo "build-guest: apt-get download $pkg busybox-static failed" >&2; exit 3; }
    dpkg -x linux-image-*.deb kernel
    dpkg -x busybox-static_*.deb busybox
    krel=$(ls kernel/lib/modules)

    # Module order for insmod, from the kernel's own dependency data. Compressed modules are
    # unpacked because busybox's insmod takes plain .ko files.
    depmod -b kernel "$krel"
    # shellcheck disable=SC2086
    modprobe -d kernel -S "$krel" --show-depends -a $modules \
        | awk '$1 == "insmod" {print $2}' | awk '!seen[$0]++' > module-paths
    while read -r path; do
        name=$(basename "$path"); name=${name%.xz}; name=${name%.zst}
        case "$path" in
            *.xz) xz -dc "$path" > "$root/modules/$name" ;;
            *) cp "$path" "$root/modules/$name" ;;
        esac
        echo "$name" >> "$root/modules/order"
    done < module-paths
fi

# open-iscsi's binaries with the shared libraries they link.
cp busybox/bin/busybox "$root/bin/busybox"
for bin in iscsid iscsiadm; do
    src=$(command -v "$bin")
    cp "$src" "$root/sbin/"
    ldd "$src" | awk '/=>/ {print $3} /^\t\/lib/ {print $1}' | while read -r lib; do
        [[ -f "$lib" ]] || continue
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
done
# multipath-tools from Debian's package with the libraries it links that the host may lack, all
# unpacked beside the build; ldd finds each library there first, then on the host.
if [[ "$series" == *-multipath ]]; then
    # multipath finds paths only among devices udev has initialized (and names them by udev's
    # ID_SERIAL), and device-mapper waits for udev to make its nodes: so udevd, the block-device
    # rules of udev, dmsetup and multipath-tools, and scsi_id come along.
    mp_debs="multipath-tools libaio1 liburcu8 libdevmapper1.02.1 libedit2 libjson-c5 libbsd0 libmd0"
    mp_debs="$mp_debs udev dmsetup libsystemd-shared libgcc-s1"
    # shellcheck disable=SC2086
    apt-get download -q $mp_debs >/dev/null 2>&1 \
        || { echo "build-guest: apt-get download $mp_debs failed" >&2; exit 3; }
    mkdir -p mp
    for pkg in $mp_debs; do
        dpkg -x "$(ls "${pkg}"_*.deb | head -1)" mp
    done
    mp=$work/mp
    libpath="$mp/lib:$mp/lib/x86_64-linux-gnu:$mp/usr/lib/x86_64-linux-gnu"
    libpath="$libpath:$mp/usr/lib/x86_64-linux-gnu/systemd"
    cp "$mp/sbin/multipath" "$mp/sbin/multipathd" "$mp/sbin/dmsetup" "$mp/bin/udevadm" "$root/sbin/"
    mkdir -p "$root/lib/multipath" "$root/lib/systemd" "$root/lib/udev/rules.d" "$root/etc/udev"
    cp "$mp"/lib/multipath/*.so "$root/lib/multipath/"
    cp "$mp/lib/systemd/systemd-udevd" "$root/lib/systemd/"
    cp "$mp/lib/udev/scsi_id" "$root/lib/udev/"
    # glibc loads libgcc_s at run time for pthread_cancel, which multipathd calls: no ldd finds it
    mkdir -p "$root/lib/x86_64-linux-gnu"
    cp -L "$mp/lib/x86_64-linux-gnu/libgcc_s.so.1" "$root/lib/x86_64-linux-gnu/"
    for rules in 50-udev-default 55-dm 56-dm-mpath 60-block 60-multipath 60-persistent-storage \
            60-persistent-storage-dm 95-dm-notify; do
        cp "$mp/lib/udev/rules.d/$rules.rules" "$root/lib/udev/rules.d/"
    done
    for obj in "$mp/sbin/multipath" "$mp/sbin/multipathd" "$mp/sbin/dmsetup" "$mp/bin/udevadm" \
            "$mp/lib/systemd/systemd-udevd" "$mp/lib/udev/scsi_id" "$mp"/lib/multipath/*.so; do
        if LD_LIBRARY_PATH=$libpath ldd "$obj" | grep -q "not found"; then
            echo "build-guest: $obj needs a library neither Debian's packages here nor the host have:" >&2
            LD_LIBRARY_PATH=$libpath ldd "$obj" | grep "not found" >&2
            exit 3
        fi
        LD_LIBRARY_PATH=$libpath ldd "$obj" | awk '/=>/ {print $3}' | while read -r lib; do
            [[ -f "$lib" ]] || continue
            dst=${lib#"$mp"} # where the package puts it: a directory the loader searches
            [[ -f "$root$dst" ]] && continue
            mkdir -p "$root$(dirname "$dst")"
            cp -L "$lib" "$root$dst"
        done
    done
fi
# The dynamic loader is found through /lib64 on amd64.
if [[ -e /lib64/ld-linux-x86-64.so.2 ]]; then
    mkdir -p "$root/lib64"; cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
fi
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
cp "$here/init" "$root/init"
cp "$here/guest-lib.sh" "$root/lib/guest/guest-lib.sh"
chmod 755 "$root/init"

mkdir -p "$dest"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$dest/initramfs.cpio.gz"
cp kernel/boot/vmlinuz-"$krel" "$dest/vmlinuz"
echo "$krel" > "$dest/kernel-release"
echo "$stamp" > "$dest/stamp"
echo "guest $series: built kernel $krel with $(wc -l < "$root/modules/order") modules in $dest"
