# R: the target freezes (no answers, TCP kept open): NOP-Out timeout, conn error, blocked; after the
# thaw iscsid logs in again and the device runs with the data written before the freeze intact.
await freeze
wait_state "$d" blocked 60
await thaw
wait_state "$d" running 90
reread_region "$d" 0 4
verify_region "$d" 8 4
logout_all
