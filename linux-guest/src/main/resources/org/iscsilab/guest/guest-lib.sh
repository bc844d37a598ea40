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
