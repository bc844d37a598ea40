# M: dm-multipath over two portal groups of one target, one path each. A stamped writer runs
# through the multipath map while the host, on each await, changes one path's access state or
# freezes portals (GUEST_MP_CASES, e.g. "M1 M2 M3 M4"), then undoes it. Every case must keep
# acknowledged writes coming (or, with no path left, hold them queued until one returns) and let
# no I/O error reach the writer; at the end every block of the map is checked.
start_udev
discover_and_login_all
start_multipathd 60 2
dm=$(multipath_dm)
[ -n "$dm" ] || fail "no multipath map"
mark MAP "$dm"
multipath_show start
blocks=${GUEST_MP_BLOCKS:-256}
start_writer "$dm" "$blocks"
expect_writes 30 20 start || fail "the writer made no progress through $dm"
for c in $GUEST_MP_CASES; do
    set_case "$c"
    mark CASE_START "$c" "$(now)"
    await "$c-fault"
    case "$c" in
        M4)
            i=0
            while [ "$(multipath_active_paths)" != 0 ]; do
                [ $i -ge 600 ] && { multipath_show "$c-fault"; fail "$c: paths still active 60 s after both portals froze"; }
                sleep 0.1; i=$((i + 1))
            done
            multipath_show "$c-fault"
            expect_no_writes 5 "$c" || fail "$c: writes completed with no path left"
            ;;
        *)
            expect_writes 90 30 "$c-fault" || { multipath_show "$c-fault"; fail "$c: writes stopped"; }
            multipath_show "$c-fault"
            ;;
    esac
    await "$c-restore"
    expect_writes 120 30 "$c-restored" || { multipath_show "$c-restored"; fail "$c: writes did not resume"; }
    wait_active_paths 90 2 || { multipath_show "$c-restored"; fail "$c: both paths not active 90 s after the restore"; }
    multipath_show "$c-restored"
    mark CASE_END "$c" "$(now)"
done
set_case end
stop_writer_and_verify "$dm" "$blocks"
multipathd shutdown > /dev/null 2>&1 || true
