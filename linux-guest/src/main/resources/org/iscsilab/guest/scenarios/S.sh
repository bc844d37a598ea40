# S and S2: SCSI commands stall while NOP-Outs are answered, and the disk is deleted: sd's
# SYNCHRONIZE CACHE is stuck in the removal path. The host lifts the stall after a while.
await stall
mark REMOVAL_START "$(now)"
( echo 1 > "/sys/block/$d/device/delete"; mark REMOVAL_DONE "$(now)" ) &
await lift
wait
logout_all
