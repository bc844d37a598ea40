#!/bin/sh
# Discovers the portal given as $1 (HOST:PORT), logs in to every target it reports, lists the
# disks that appeared, and logs out on SIGTERM/SIGINT.
set -e
portal=${1:?usage: attach.sh HOST:PORT}
modprobe iscsi_tcp 2>/dev/null || true
[ -s /etc/iscsi/initiatorname.iscsi ] || echo "InitiatorName=$(iscsi-iname)" > /etc/iscsi/initiatorname.iscsi
iscsid
iscsiadm -m discovery -t sendtargets -p "$portal"
iscsiadm -m node -p "$portal" --login
trap 'iscsiadm -m node -p "$portal" --logout; exit 0' TERM INT
iscsiadm -m session -P 3 | grep -E "Target:|Attached scsi disk|iSCSI Session State"
while :; do sleep 3600 & wait $!; done
