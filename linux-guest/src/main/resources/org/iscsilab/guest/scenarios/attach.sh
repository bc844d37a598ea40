# Shared start of every scenario: trace the kernel's device states, log in, find LUN 0's disk,
# watch its state, write a pattern.
trace_kernel
discover_and_login
d=$(disk_of_lun 0)
describe_disk "$d"
watch_state "$d"
echo "${GUEST_SCSI_TIMEOUT:-30}" > "/sys/block/$d/device/timeout"
verify_region "$d" 0 4
