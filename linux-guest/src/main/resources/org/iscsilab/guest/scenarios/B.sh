# B: delete a blocked LUN (sysfs delete while its session recovers); since v4.13 the blocked device
# goes straight to deleted and the SYNCHRONIZE CACHE of sd's shutdown fails fast.
await freeze
wait_state "$d" blocked 60
mark REMOVAL_START "$(now)"
echo 1 > "/sys/block/$d/device/delete"
mark REMOVAL_DONE "$(now)"
await thaw
logout_all
