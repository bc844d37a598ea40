#!/usr/bin/env bash
# Scale and memory of iscsilab on this machine, against a target in its own JVM on loopback:
#   - the curve: mixed 70/30 random 4 KiB I/O at depth 16 per session with 1, 4, 16 and 64
#     sessions, each point SECONDS long: IOPS, p99 latency, errors;
#   - memory: the target's RSS after a 1 GiB RAM LUN is fully written;
#   - allocation: heap bytes the target allocates per SCSI command (its /metrics: the JVM's
#     allocated-bytes gauge over iscsi_target_commands_total) at each point.
# Prints a table and writes bench/results/scale.json and scale.md.
#
#   bench/scale.sh [SECONDS_PER_POINT]      (default 60)
set -euo pipefail
name=scale
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
secs="${1:-60}"
command -v curl >/dev/null || { echo "scale: needs curl" >&2; exit 2; }

port=13263; admin=19263
require_free_ports $port $admin
java -XX:+UseSerialGC -jar "$jar" target --portal 127.0.0.1:$port --admin 127.0.0.1:$admin --nop-interval 0 --lun ram:1G \
  --max-sessions 256 >"$work/target.log" 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
wait_port $port
url="iscsi://127.0.0.1:$port/iqn.2026-01.org.iscsilab:target0/0"

# allocated heap bytes and SCSI commands completed so far, from the target's /metrics
counters() {
  curl -s "http://127.0.0.1:$admin/metrics" \
    | awk '/^jvm_threads_allocated_bytes / {a=$2} /^iscsi_target_commands_total/ {c+=$2} END {printf "%.0f %.0f\n", a, c}'
}
field() { awk -F'[:,]' -v k="\"$2\"" '$1 ~ k {gsub(/[ }]/, "", $2); print $2; exit}' "$1"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }

# ---- memory: fill the whole LUN with 1 MiB sequential writes, then read RSS ----
written=0
while [ "$written" -lt $((1 << 30)) ]; do
  java -jar "$jar" bench --target "$url" -w write -b 1m -q 8 -t 3 --json "$work/fill.json" >/dev/null 2>&1
  written=$((written + $(field "$work/fill.json" bytes)))
done
rss_full=$(rss_kib)

# ---- the curve ----
rows=()
for s in 1 4 16 64; do
  read -r a0 c0 < <(counters)
  java -jar "$jar" bench --target "$url" -w randrw --mix 70 -b 4k -q 16 -s "$s" -t "$secs" --ramp 5 \
    --json "$work/s$s.json" >"$work/run.log" 2>&1 || true
  read -r a1 c1 < <(counters)
  f="$work/s$s.json"
  alloc=$(awk -v a="$((a1 - a0))" -v c="$((c1 - c0))" 'BEGIN {printf "%.0f", (c > 0 ? a / c : 0)}')
  [ -s "$f" ] || { echo "scale: the $s-session run failed:" >&2; cat "$work/run.log" >&2; exit 1; }
  rows+=("$s $(field "$f" iops) $(field "$f" megabytesPerSecond) $(field "$f" p50Micros) $(field "$f" p99Micros) \
$(field "$f" errors) $alloc $(rss_kib)")
done

cpu="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
{
  echo "Scale ($(date -u +%Y-%m-%d), $(nproc) cores, $cpu; randrw 70/30 4 KiB, depth 16 per session, ${secs} s per point)"
  echo
  echo "| sessions | IOPS | MB/s | p50 us | p99 us | errors | heap bytes/command | RSS MiB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
  for r in "${rows[@]}"; do
    set -- $r
    printf '| %s | %.0f | %.1f | %.0f | %.0f | %s | %s | %.0f |\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$(($8 / 1024))"
  done
  echo
  printf 'RSS with the 1 GiB RAM LUN fully written: %.2f GiB (goal: under 1.3 GiB)\n' \
    "$(awk -v k="$rss_full" 'BEGIN {print k / 1048576}')"
} | tee "$results/scale.md"

{
  echo "{"
  echo "  \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"secondsPerPoint\": $secs,"
  echo "  \"rssKibAfterFullWrite\": $rss_full,"
  echo "  \"points\": ["
  n=0
  for r in "${rows[@]}"; do
    set -- $r
    n=$((n + 1))
    sep=$([ $n -lt ${#rows[@]} ] && echo "," || true)
    echo "    {\"sessions\": $1, \"depth\": 16, \"iops\": $2, \"megabytesPerSecond\": $3, \"p50Micros\": $4, \"p99Micros\": $5, \"errors\": $6, \"heapBytesPerCommand\": $7, \"rssKib\": $8}$sep"
  done
  echo "  ]"
  echo "}"
} >"$results/scale.json"
echo "wrote $results/scale.md and scale.json" >&2
