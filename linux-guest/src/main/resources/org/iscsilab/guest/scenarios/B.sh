# B: delete a blocked LUN (sysfs delete while its session recovers), then let recovery succeed.
# Up to v4.12 the delete never returns: the device goes BLOCK -> CANCEL, sd's SYNCHRONIZE CACHE
# waits on the stopped queue, and the unblock after the relogin skips the CANCEL device
# (scsi_device_get refuses it). Since v4.13 the blocked device goes straight to deleted and the
# SYNCHRONIZE CACHE fails fast. The delete runs in the background so the script can see it hang:
# GUEST_HANG_AFTER seconds after the relogin it is HUNG, its stack is printed, and a logout shows
# the cascade behind it (iscsid waits for the scan_mutex the delete holds).
hang_after=${GUEST_HANG_AFTER:-20}
await freeze
wait_state "$d" blocked 60
mark REMOVAL_START "$(now)"
(echo 1 > "/sys/block/$d/device/delete"; mark REMOVAL_DONE "$(now)") &
removal=$!
sleep 1
await thaw
wait_logged_in 60
mark RELOGIN "$(now)"
if ! wait_exit "$removal" "$hang_after"; then
    mark HUNG removal "after_relogin_s=$hang_after"
    print_stack "$removal" delete
    (iscsiadm -m node --logoutall=all > /dev/null 2>&1; mark LOGGED_OUT) &
    logout=$!
    if ! wait_exit "$logout" "${GUEST_CASCADE_AFTER:-10}"; then
        mark HUNG logout "after_s=${GUEST_CASCADE_AFTER:-10}"
        print_stack "$(pidof iscsid | cut -d' ' -f1)" iscsid
    fi
    dump_trace
    reset_now 0
fi
logout_all
dump_trace
