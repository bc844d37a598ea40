# E: the replacement timeout expires during the freeze: transport-offline and I/O fails fast; after
# the thaw iscsid logs in again and the device runs with its data intact.
await freeze
wait_state "$d" blocked 60
wait_state "$d" transport-offline 90
if dd if="/dev/$d" of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null; then
    fail "a read of a transport-offline device succeeded"
fi
mark IO_FAILED_FAST
await thaw
wait_state "$d" running 90
reread_region "$d" 0 4
logout_all
