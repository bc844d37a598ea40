# Helpers for guest test scripts, sourced by /init; /test.sh sources them again itself.
#
# Markers: every line the host harness acts on starts with "@@ ".

mark() { echo "@@ $*"; }

now() { cut -d' ' -f1 /proc/uptime; }

# Prints "@@ AWAIT NAME" and blocks until the host answers with a line on the console.
await() {
    mark AWAIT "$1"
    read -r _reply < /dev/console
}

fail() { mark FAIL "$*"; exit 1; }

write_iscsi_config() {
    echo "InitiatorName=${GUEST_INITIATOR:-iqn.2026-11.org.iscsilab:linux-guest}" > /etc/iscsi/initiatorname.iscsi
    cat > /etc/iscsi/iscsid.conf <<CONF
node.startup = manual
node.session.timeo.replacement_timeout = ${GUEST_REPLACEMENT_TIMEOUT:-15}
node.conn[0].timeo.login_timeout = 15
node.conn[0].timeo.logout_timeout = 15
node.conn[0].timeo.noop_out_interval = ${GUEST_NOOP_INTERVAL:-5}
node.conn[0].timeo.noop_out_timeout = ${GUEST_NOOP_TIMEOUT:-5}
node.session.err_timeo.abort_timeout = ${GUEST_ABORT_TIMEOUT:-15}
node.session.err_timeo.lu_reset_timeout = ${GUEST_LU_RESET_TIMEOUT:-30}
node.session.err_timeo.tgt_reset_timeout = ${GUEST_TGT_RESET_TIMEOUT:-30}
node.session.initial_login_retry_max = 4
node.conn[0].iscsi.HeaderDigest = ${GUEST_HEADER_DIGEST:-None}
node.conn[0].iscsi.DataDigest = ${GUEST_DATA_DIGEST:-None}
CONF
    if [ -n "${GUEST_CHAP_USER:-}" ]; then
        cat >> /etc/iscsi/iscsid.conf <<CONF
node.session.auth.authmethod = CHAP
node.session.auth.username = ${GUEST_CHAP_USER}
node.session.auth.password = ${GUEST_CHAP_SECRET}
CONF
        if [ -n "${GUEST_CHAP_TARGET_USER:-}" ]; then
            cat >> /etc/iscsi/iscsid.conf <<CONF
node.session.auth.username_in = ${GUEST_CHAP_TARGET_USER}
node.session.auth.password_in = ${GUEST_CHAP_TARGET_SECRET}
CONF
        fi
    fi
}

# Discovery through SendTargets at the portal the host gave (GUEST_PORTAL), then login to
# GUEST_TARGET at the address the target advertised.
discover_and_login() {
    iscsiadm -m discovery -t sendtargets -p "$GUEST_PORTAL" > /tmp/discovered || fail "discovery failed"
    while read -r line; do mark DISCOVERED "$line"; done < /tmp/discovered
    grep -q " $GUEST_TARGET\$" /tmp/discovered || fail "target $GUEST_TARGET not discovered"
    portal=$(grep " $GUEST_TARGET\$" /tmp/discovered | head -1 | cut -d, -f1)
    iscsiadm -m node -T "$GUEST_TARGET" -p "$portal" --login > /dev/null || fail "login failed"
    mark LOGGED_IN "$portal"
}

logout_all() {
    iscsiadm -m node --logoutall=all > /dev/null || fail "logout failed"
    mark LOGGED_OUT
}

# The block device of LUN $1 of the first iSCSI host (waits up to 10 s for it to appear).
disk_of_lun() {
    i=0
    while [ $i -lt 100 ]; do
        for d in /sys/class/scsi_disk/*:"$1"; do
            [ -d "$d/device/block" ] && { ls "$d/device/block"; return 0; }
        done
        sleep 0.1; i=$((i + 1))
    done
    fail "no disk for LUN $1"
}

device_state() { cat "/sys/block/$1/device/state" 2>/dev/null || echo gone; }

# Prints "@@ STATE <uptime> <disk> <state>" when the disk's sysfs state differs from the last one
# printed (the watcher, wait_state and the end of the run all report through here).
record_state() {
    s=$(device_state "$1")
    [ "$s" = "$(cat "/tmp/state.$1" 2>/dev/null)" ] && return 0
    echo "$s" > "/tmp/state.$1"
    mark STATE "$(now)" "$1" "$s"
}

# Records the last state of every disk watch_state watched.
record_final_states() {
    for w in $(cat /tmp/watched 2>/dev/null); do record_state "$w"; done
}

# Samples the disk's state every 0.1 s in the background until the disk is gone; /init records
# the final state of every watched disk before the run ends.
watch_state() {
    echo "$1" >> /tmp/watched
    (
        while :; do
            record_state "$1"
            # decide on what was recorded: a second read could see the file vanish unrecorded
            [ "$(cat "/tmp/state.$1")" = gone ] && exit 0
            sleep 0.1
        done
    ) &
}

# Waits up to $3 seconds for disk $1 to reach sysfs state $2.
wait_state() {
    i=0
    while [ "$(device_state "$1")" != "$2" ]; do
        [ $i -ge $(($3 * 10)) ] && fail "$1 did not become $2 within $3 s (it is $(device_state "$1"))"
        sleep 0.1; i=$((i + 1))
    done
    record_state "$1"
}

# Reads back the region the last verify_region wrote (MiB offset $2, $3 MiB) and compares.
reread_region() {
    dd if="/dev/$1" of=/tmp/readback bs=1M skip="$2" count="$3" iflag=direct 2>/dev/null \
        || fail "read of $1 at ${2} MiB failed"
    cmp -s /tmp/pattern /tmp/readback || fail "$1 at ${2} MiB no longer holds what was written"
    mark INTACT "$1" "offset_mib=$2" "mib=$3"
    rm -f /tmp/readback
}

# Describes a disk: vendor, model, serial (VPD page 80h), size in bytes and block size.
describe_disk() {
    dev=/sys/block/$1
    vendor=$(cat $dev/device/vendor | tr -d ' ')
    model=$(cat $dev/device/model | tr -d ' ')
    serial=$(tail -c +5 $dev/device/vpd_pg80 2>/dev/null | tr -d '\0 ')
    bytes=$(( $(cat $dev/size) * 512 ))
    lbs=$(cat $dev/queue/logical_block_size)
    mark DISK "$1" "vendor=$vendor" "model=$model" "serial=$serial" "bytes=$bytes" "block=$lbs" "state=$(device_state "$1")"
}

# Writes a distinct pseudo-random pattern of $3 MiB at MiB offset $2 of disk $1 with O_DIRECT,
# reads it back with O_DIRECT and compares; prints the pattern's SHA-256 for the host to check
# against the target's store.
verify_region() {
    dd if=/dev/urandom of=/tmp/pattern bs=1M count="$3" 2>/dev/null
    dd if=/tmp/pattern of="/dev/$1" bs=1M seek="$2" count="$3" oflag=direct conv=fsync 2>/dev/null \
        || fail "write to $1 at ${2} MiB failed"
    dd if="/dev/$1" of=/tmp/readback bs=1M skip="$2" count="$3" iflag=direct 2>/dev/null \
        || fail "read of $1 at ${2} MiB failed"
    cmp -s /tmp/pattern /tmp/readback || fail "read back of $1 at ${2} MiB differs from what was written"
    mark VERIFIED "$1" "offset_mib=$2" "mib=$3" "sha256=$(sha256sum < /tmp/pattern | cut -d' ' -f1)"
    rm -f /tmp/readback
}

# Kernel-side tracing of the device state machine with kprobe events, for kernels where the sysfs
# state file is gone while a device is removed (4.9): scsi_device_set_state (the old state read at
# GUEST_SDEV_STATE_OFFSET in struct scsi_device when the harness knows it, the new one in the second
# argument), device_block, device_unblock (the unblock writes the state itself, without
# scsi_device_set_state: its new state is what its second argument points to), scsi_target_unblock,
# scsi_device_get and its result, sd_sync_cache. A probe a kernel cannot place is noted and left out.
trace_kernel() {
    mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
    t=/sys/kernel/debug/tracing
    [ -w $t/kprobe_events ] || { mark NOTE "no kprobe events in this kernel"; return 0; }
    off=${GUEST_SDEV_STATE_OFFSET:-}
    old=; state=
    if [ -n "$off" ]; then old="old=+$off(%di):u32"; state="state=+$off(%di):u32"; fi
    for probe in "p:iscsilab/set_state scsi_device_set_state $old new=%si:u32" \
        "p:iscsilab/device_block device_block" \
        "p:iscsilab/device_unblock device_unblock $state new=+0(%si):u32" \
        "p:iscsilab/target_unblock scsi_target_unblock new=%si:u32" \
        "p:iscsilab/device_get scsi_device_get $state" \
        "r:iscsilab/device_get_ret scsi_device_get ret=\$retval:s32" \
        "p:iscsilab/sync_cache sd_sync_cache"; do
        echo "$probe" >> $t/kprobe_events 2>/dev/null || mark NOTE "kprobe not placed: $probe"
    done
    echo 1 > $t/events/iscsilab/enable 2>/dev/null || mark NOTE "kprobe events not enabled"
    echo 1 > $t/tracing_on
    mark TRACING "sdev_state_offset=${off:-unknown}"
}

# Prints what trace_kernel recorded, one "@@ KTRACE" line per event, in the kernel's order.
dump_trace() {
    t=/sys/kernel/debug/tracing
    [ -r $t/trace ] || return 0
    grep -v '^#' $t/trace | while read -r line; do mark KTRACE "$line"; done
}

# Waits up to $2 seconds for process $1 to end; fails (returns 1) when it is still there.
wait_exit() {
    i=0
    while kill -0 "$1" 2>/dev/null; do
        [ $i -ge $(($2 * 5)) ] && return 1
        sleep 0.2; i=$((i + 1))
    done
    return 0
}

# Waits up to $1 seconds for every iSCSI session to be logged in (after a recovery).
wait_logged_in() {
    i=0
    while grep -qv LOGGED_IN /sys/class/iscsi_session/session*/state 2>/dev/null; do
        [ $i -ge $(($1 * 10)) ] && fail "the session did not log in again within $1 s"
        sleep 0.1; i=$((i + 1))
    done
}

# Prints the kernel stack of process $1 as "@@ STACK NAME FRAME" lines.
print_stack() {
    [ -r "/proc/$1/stack" ] || { mark NOTE "no stack for $2 (pid $1)"; return 0; }
    while read -r frame; do mark STACK "$2" "$frame"; done < "/proc/$1/stack"
}

# Ends the run at once with the script's status: after a removal that hangs in the kernel, a clean
# power-off hangs too, so the guest resets (QEMU runs with -no-reboot and exits).
reset_now() {
    record_final_states
    mark EXIT "$1"
    sleep 1 # the console drains before the reset
    echo 1 > /proc/sys/kernel/sysrq
    echo b > /proc/sysrq-trigger
}

# ---- dm-multipath (the 6.1-multipath guest: udev, multipath-tools) ----

# udevd, with every device already present announced to it, as an init system would start it.
start_udev() {
    /lib/systemd/systemd-udevd --daemon --resolve-names=never || fail "udevd did not start"
    udevadm trigger --type=subsystems --action=add > /dev/null
    udevadm trigger --type=devices --action=add > /dev/null
    udevadm settle -t 30 || mark NOTE "udev did not settle within 30 s"
}

# Discovery at GUEST_PORTAL, then login to GUEST_TARGET at every portal it advertised (one path
# per portal group).
discover_and_login_all() {
    iscsiadm -m discovery -t sendtargets -p "$GUEST_PORTAL" > /tmp/discovered || fail "discovery failed"
    while read -r line; do mark DISCOVERED "$line"; done < /tmp/discovered
    grep " $GUEST_TARGET\$" /tmp/discovered | cut -d, -f1 | while read -r portal; do
        iscsiadm -m node -T "$GUEST_TARGET" -p "$portal" --login > /dev/null || fail "login at $portal failed"
        mark LOGGED_IN "$portal"
    done
    udevadm settle -t 30 || true
}

# multipath.conf for iscsilab's disks, as a storage vendor ships it for an ALUA array: group paths
# by ALUA priority, the ALUA device handler, TUR path checker, immediate failback and
# queue_if_no_path (no_path_retry queue).
write_multipath_config() {
    cat > /etc/multipath.conf <<CONF
defaults {
    user_friendly_names yes
    find_multipaths no
    polling_interval 1
}
devices {
    device {
        vendor "ISCSILAB"
        product ".*"
        path_grouping_policy group_by_prio
        prio alua
        hardware_handler "1 alua"
        path_checker tur
        path_selector "service-time 0"
        failback immediate
        no_path_retry queue
    }
}
CONF
}

# Starts multipathd and waits up to $1 seconds for one map with $2 active paths; prints its name.
start_multipathd() {
    write_multipath_config
    multipathd || fail "multipathd did not start"
    i=0
    while [ "$(multipath_active_paths)" != "$2" ]; do
        [ $i -ge $(($1 * 10)) ] && { multipath_show "no map"; fail "no multipath map with $2 active paths within $1 s"; }
        sleep 0.1; i=$((i + 1))
    done
}

# The number of paths of the first map that are active and ready.
multipath_active_paths() {
    multipathd show paths format "%d %t %T" 2>/dev/null | grep -c "active *ready" || true
}

# The dm device of the first multipath map (dm-0).
multipath_dm() {
    multipathd show maps format "%d" 2>/dev/null | sed -n 2p | tr -d ' '
}

# Prints `multipath -ll` and the paths as "@@ MPATH LABEL line" markers.
multipath_show() {
    multipath -ll 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | while IFS= read -r line; do mark MPATH "$1" "$line"; done
    multipathd show paths format "%d %g %t %T %p %s" 2>&1 | while IFS= read -r line; do mark MPATH "$1" "$line"; done
}

# Waits up to $1 seconds for $2 paths to be active and ready again.
wait_active_paths() {
    i=0
    while [ "$(multipath_active_paths)" != "$2" ]; do
        [ $i -ge $(($1 * 10)) ] && return 1
        sleep 0.1; i=$((i + 1))
    done
    return 0
}

# Uptime in hundredths of a second (busybox sh has integer arithmetic only).
now_cs() {
    read -r up _ < /proc/uptime
    echo "${up%.*}${up#*.}"
}

# Replaces file $1 with the line $2 in one step (a rename), so a reader never sees it half written.
put() {
    echo "$2" > "$1.new" && mv "$1.new" "$1"
}

# The stamped writer: rewrites $2 blocks of 4 KiB on /dev/$1 in rounds with O_DIRECT, each block
# stamped with its round and number, until /tmp/writer.stop appears. After every acknowledged write
# it records "COUNT ROUND BLOCK" in /tmp/writer.progress. A failed write is an I/O error that
# reached the workload: it is marked, recorded as "ROUND BLOCK" in /tmp/writer.error and ends the
# writer. For each case (the name in /tmp/mp.case, see set_case) it marks the longest time between
# two acknowledged writes as "PAUSE CASE ms=N".
start_writer() {
    rm -f /tmp/writer.stop /tmp/writer.error
    put /tmp/writer.progress "0 0 -1"
    [ -f /tmp/mp.case ] || put /tmp/mp.case start
    (
        set +e # the writer ends only by its stop file or a failed write
        n=0; r=1; last=$(now_cs); pc=; longest=0
        while [ ! -f /tmp/writer.stop ]; do
            i=0
            while [ $i -lt "$2" ] && [ ! -f /tmp/writer.stop ]; do
                if ! printf '%-4095s\n' "iscsilab-mp round=$r block=$i" \
                        | dd of="/dev/$1" bs=4096 seek=$i count=1 iflag=fullblock oflag=direct conv=notrunc 2>/tmp/writer.dd; then
                    mark WRITE_ERROR "$(cat /tmp/mp.case)" "round=$r" "block=$i" "$(tr '\n' ' ' < /tmp/writer.dd)"
                    put /tmp/writer.error "$r $i"
                    exit 1
                fi
                n=$((n + 1))
                put /tmp/writer.progress "$n $r $i"
                t=$(now_cs)
                read -r c < /tmp/mp.case || c=$pc
                if [ "$c" != "$pc" ]; then
                    [ -n "$pc" ] && mark PAUSE "$pc" "ms=$((longest * 10))"
                    pc=$c; longest=0
                fi
                [ $((t - last)) -gt $longest ] && longest=$((t - last))
                last=$t
                i=$((i + 1))
            done
            r=$((r + 1))
        done
        mark PAUSE "$pc" "ms=$((longest * 10))"
    ) &
    writer_pid=$!
}

writer_count() { cut -d' ' -f1 /tmp/writer.progress; }

# The case the following writes count under.
set_case() { put /tmp/mp.case "$1"; }

# Waits up to $1 seconds for $2 more acknowledged writes; marks PROGRESS with how many came and
# how long it took. Returns 1 when too few came (or the writer failed).
expect_writes() {
    n0=$(writer_count); t0=$(now_cs); i=0
    while [ $(($(writer_count) - n0)) -lt "$2" ]; do
        [ -f /tmp/writer.error ] && { mark PROGRESS "$3" "writes=$(($(writer_count) - n0))" "error"; return 1; }
        [ $i -ge $(($1 * 10)) ] && { mark PROGRESS "$3" "writes=$(($(writer_count) - n0))" "timeout=$1s"; return 1; }
        sleep 0.1; i=$((i + 1))
    done
    mark PROGRESS "$3" "writes=$(($(writer_count) - n0))" "ms=$((($(now_cs) - t0) * 10))"
}

# Checks that no write completes for $1 seconds (I/O queued while no path is left); marks HELD.
expect_no_writes() {
    n0=$(writer_count)
    sleep "$1"
    n1=$(writer_count)
    mark HELD "$2" "writes=$((n1 - n0))" "seconds=$1"
    [ "$n1" = "$n0" ]
}

# Stops the writer and checks every block of the map: each holds the stamp of the last round that
# wrote it (the block of a failed write may hold that write's stamp too). Marks WROTE and VERIFIED,
# or FAIL.
stop_writer_and_verify() {
    touch /tmp/writer.stop
    wait_exit "$writer_pid" 60 || fail "the writer did not stop within 60 s"
    read -r n r i < /tmp/writer.progress
    er=-1; ei=-1
    [ -f /tmp/writer.error ] && read -r er ei < /tmp/writer.error
    mark WROTE "writes=$n" "round=$r" "block=$i" "blocks=$2" "failed_round=$er" "failed_block=$ei"
    dd if="/dev/$1" of=/tmp/region bs=4096 count="$2" iflag=direct 2>/dev/null || fail "read back of $1 failed"
    bad=0; b=0
    while [ $b -lt "$2" ]; do
        if [ $b -le "$i" ]; then want=$r; else want=$((r - 1)); fi
        got=$(dd if=/tmp/region bs=4096 skip=$b count=1 2>/dev/null | head -1 | sed 's/ *$//')
        if [ "$want" -ge 1 ] && [ "$got" != "iscsilab-mp round=$want block=$b" ]; then
            if [ "$b" != "$ei" ] || [ "$got" != "iscsilab-mp round=$er block=$b" ]; then
                mark MISMATCH "block=$b" "want=round $want" "got=$got"
                bad=$((bad + 1))
            fi
        fi
        b=$((b + 1))
    done
    [ $bad -eq 0 ] || fail "$bad blocks do not hold what was acknowledged"
    mark VERIFIED "$1" "blocks=$2" "round=$r" "block=$i"
}
