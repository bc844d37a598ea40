#!/usr/bin/env bash
# Compares iscsilab with tgt (the common userspace target) on this machine, side by side in one
# run: the same clients (libiscsi's iscsi-perf, QEMU's qemu-img bench, iscsilab bench) against a
# 1 GiB RAM LUN on each target (tgt's in /dev/shm), alternating which target goes first, plus an
# iperf3 loopback stream as the wire's ceiling. A second iscsilab target serves a file LUN in
# /dev/shm, the same kind of backing as tgt's, for the rows marked "file LUN". Prints a table of
# ratios against the goals and writes bench/results/compare.json and compare.svg.
#
#   bench/compare.sh [SECONDS_PER_RUN]      (default 10; needs root for tgtd and apt-get)
set -euo pipefail
name=compare
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
secs="${1:-10}"

# ---- what the comparison needs ----
need=()
command -v tgtd >/dev/null || need+=(tgt)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v iscsi-perf >/dev/null || need+=(libiscsi-bin)
command -v qemu-img >/dev/null || need+=(qemu-utils qemu-block-extra)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "compare: install ${need[*]} first (apt-get install ${need[*]})" >&2
    exit 2
  fi
fi

# ---- the two targets and the iperf3 server, all on loopback ----
tgt_port=13261; isl_port=13262; islf_port=13264; iperf_port=15299; ctl=7791
tgt_img=/dev/shm/iscsilab-compare-tgt.img
isl_img=/dev/shm/iscsilab-compare-file.img
cleanup() {
  [ -n "${isl_pid:-}" ] && kill "$isl_pid" 2>/dev/null || true
  [ -n "${islf_pid:-}" ] && kill "$islf_pid" 2>/dev/null || true
  if [ -n "${tgt_pid:-}" ]; then  # tgtd stops on request, not on SIGTERM
    tgtadm -C "$ctl" --op delete --mode system >/dev/null 2>&1 || true
    sleep 0.5; kill -9 "$tgt_pid" 2>/dev/null || true
  fi
  [ -n "${iperf_pid:-}" ] && kill "$iperf_pid" 2>/dev/null || true
  rm -f "$tgt_img" "$isl_img"; rm -rf "$work"
}
trap cleanup EXIT

require_free_ports $tgt_port $isl_port $islf_port $iperf_port
truncate -s 1G "$tgt_img"
tgtd -f -C "$ctl" --iscsi portal=127.0.0.1:$tgt_port >"$work/tgtd.log" 2>&1 & tgt_pid=$!
disown "$tgt_pid"  # it is stopped with SIGKILL at the end; no job report for that
wait_port $tgt_port
for _ in $(seq 50); do  # the management socket comes up a moment after the portal
  tgtadm -C "$ctl" --lld iscsi --op new --mode target --tid 1 -T iqn.2026-01.org.iscsilab:compare-tgt 2>/dev/null && break
  sleep 0.1
done
tgtadm -C "$ctl" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$tgt_img"
tgtadm -C "$ctl" --lld iscsi --op bind --mode target --tid 1 -I ALL
java -XX:+UseSerialGC -jar "$jar" target --portal 127.0.0.1:$isl_port --admin off --nop-interval 0 --lun ram:1G \
  --iqn iqn.2026-01.org.iscsilab:compare >"$work/iscsilab.log" 2>&1 & isl_pid=$!
wait_port $isl_port
java -XX:+UseSerialGC -jar "$jar" target --portal 127.0.0.1:$islf_port --admin off --nop-interval 0 \
  --lun "file:$isl_img:1G" --iqn iqn.2026-01.org.iscsilab:compare-file >"$work/iscsilab-file.log" 2>&1 & islf_pid=$!
wait_port $islf_port
iperf3 -s -p $iperf_port >/dev/null 2>&1 & iperf_pid=$!
wait_port $iperf_port

declare -A url=(
  [tgt]="iscsi://127.0.0.1:$tgt_port/iqn.2026-01.org.iscsilab:compare-tgt/1"
  [iscsilab]="iscsi://127.0.0.1:$isl_port/iqn.2026-01.org.iscsilab:compare/0"
  [iscsilab-file]="iscsi://127.0.0.1:$islf_port/iqn.2026-01.org.iscsilab:compare-file/0")
isl=iscsilab  # which iscsilab target the rows measure

# ---- one measurement per client ----
perf_iops() { # url depth blocks random?
  timeout $((secs + 30)) iscsi-perf -m "$2" -b "$3" -t "$secs" ${4:+-r} "$1" 2>&1 | tr '\r' '\n' \
    | awk '/^ *iops average/ {v=$3} END {print v+0}'
}
qimg_run() { # url size count depth -> seconds the run took
  timeout 300 qemu-img bench -f raw -w -c "$3" -d "$4" -s "$2" -t none "$1" 2>&1 \
    | awk '/Run completed in/ {print $4}'
}
qimg_rate() { # url size depth probe-count -> operations per second over a run of about $secs seconds
  # qemu-img bench counts requests, not seconds: a probe of about a second (which also warms
  # the target up) sizes the measured run
  local probe n s
  probe=$(qimg_run "$1" "$2" "$4" "$3")
  n=$(awk -v p="$probe" -v c="$4" -v t="$secs" 'BEGIN {n = (p > 0 ? c / p * t : c); printf "%.0f", (n < c ? c : n)}')
  s=$(qimg_run "$1" "$2" "$n" "$3")
  awk -v c="$n" -v s="$s" 'BEGIN {printf "%.0f", (s > 0 ? c / s : 0)}'
}
isl_bench() { # url workload bs depth -> "iops mbps p50 p99"
  local f="$work/bench-$RANDOM.json"
  java -jar "$jar" bench --target "$1" -w "$2" -b "$3" -q "$4" -t "$secs" --ramp 3 --json "$f" >/dev/null 2>&1 || true
  awk -F'[:,]' '/"iops"/ {i=$2} /"megabytesPerSecond"/ {m=$2} /"p50Micros"/ {p=$2} /"p99Micros"/ {q=$2}
    END {printf "%.0f %.1f %.0f %.0f", i, m, p, q}' "$f"
}

rows=()   # workload|client|unit|tgt|iscsilab|goal-kind|goal
add_row() { rows+=("$1|$2|$3|$4|$5|$6|$7"); printf '  %-34s %-16s tgt %12s  iscsilab %12s %s\n' "$1" "$2" "$4" "$5" "$3" >&2; }
order=(tgt iscsilab)
flip() { order=("${order[1]}" "${order[0]}"); }
both() { # name client unit goal-kind goal command...
  local name="$1" client="$2" unit="$3" kind="$4" goal="$5"; shift 5
  declare -A v
  for t in "${order[@]}"; do v[$t]=$("$@" "${url[${t/iscsilab/$isl}]}"); done
  flip
  add_row "$name" "$client" "$unit" "${v[tgt]}" "${v[iscsilab]}" "$kind" "$goal"
}

echo "compare: $secs s per run, $(nproc) cores, $(uname -r)" >&2
iperf=$(iperf3 -c 127.0.0.1 -p $iperf_port -t "$secs" -f M 2>/dev/null | awk '/receiver/ {print $(NF-2)}')
iperf_mbps=$(awk -v m="$iperf" 'BEGIN {printf "%.0f", m * 1.048576}')
echo "  iperf3 loopback stream: $iperf_mbps MB/s" >&2

r_perf() { perf_iops "$1" 32 8 r; }
r_perf_qd1() { perf_iops "$1" 1 8 r; }
r_perf_seq() { awk -v i="$(perf_iops "$1" 8 2048)" 'BEGIN {printf "%.0f", i * 1048576 / 1e6}'; }
w_qimg_4k() { qimg_rate "$1" 4096 32 40000; }
w_qimg_1m() { awk -v r="$(qimg_rate "$1" 1M 8 1000)" 'BEGIN {printf "%.0f", r * 1048576 / 1e6}'; }
both "4k random read qd32" iscsi-perf IOPS min 1.5 r_perf
both "4k random read qd1" iscsi-perf IOPS min 1.25 r_perf_qd1
both "1M sequential read qd8" iscsi-perf MB/s min 2 r_perf_seq
both "4k write qd32" "qemu-img bench" IOPS min 1.5 w_qimg_4k
both "1M write qd8" "qemu-img bench" MB/s min 2 w_qimg_1m
isl=iscsilab-file
both "4k random read qd32, file LUN" iscsi-perf IOPS min 1.5 r_perf
both "1M sequential read qd8, file LUN" iscsi-perf MB/s min 2 r_perf_seq
both "1M write qd8, file LUN" "qemu-img bench" MB/s min 2 w_qimg_1m
isl=iscsilab

ib() { isl_bench "$1" "$2" "$3" "$4"; }
for spec in "randread 4k 32" "randwrite 4k 32" "read 1m 8" "write 1m 8" "randread 4k 1"; do
  set -- $spec
  declare -A b=()
  for t in "${order[@]}"; do b[$t]=$(ib "${url[$t]}" "$1" "$2" "$3"); done
  flip
  read -r ti tm tp50 tp99 <<<"${b[tgt]}"; read -r ii im ip50 ip99 <<<"${b[iscsilab]}"
  case "$1 $2 $3" in
    "randread 4k 1")
      add_row "4k random read qd1 p50 latency" "iscsilab bench" us "$tp50" "$ip50" max 0.8
      add_row "4k random read qd1 p99 latency" "iscsilab bench" us "$tp99" "$ip99" max 0.8 ;;
    *" 1m "*) add_row "1M $1 qd$3" "iscsilab bench" MB/s "$tm" "$im" min 2 ;;
    *) add_row "4k $1 qd$3" "iscsilab bench" IOPS "$ti" "$ii" min 1.5 ;;
  esac
done

# ---- the table, JSON and chart ----
date="$(date -u +%Y-%m-%d)"
cpu="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
{
  printf '\niscsilab vs tgt %s, %s s per run, %s cores (%s), iperf3 loopback %s MB/s\n\n' "$date" "$secs" "$(nproc)" "$cpu" "$iperf_mbps"
  printf '| workload | client | tgt | iscsilab | unit | ratio | goal | met |\n|---|---|---:|---:|---|---:|---|---|\n'
  for row in "${rows[@]}"; do
    IFS='|' read -r name client unit t i kind goal <<<"$row"
    awk -v n="$name" -v c="$client" -v u="$unit" -v t="$t" -v i="$i" -v k="$kind" -v g="$goal" -v ip="$iperf_mbps" 'BEGIN {
      r = (t > 0 ? i / t : 0); ok = (k == "min" ? r >= g : (r > 0 && r <= g));
      extra = ""; if (u == "MB/s") { pct = i / ip * 100; ok = ok && pct >= 75; extra = sprintf(", %.0f%% of iperf3 (goal 75%%)", pct) }
      printf "| %s | %s | %s | %s | %s | %.2f | %s %s%s | %s |\n", n, c, t, i, u, r, (k == "min" ? ">=" : "<="), g, extra, (ok ? "yes" : "no") }'
  done
} | tee "$results/compare.md"

{
  printf '{"date":"%s","secondsPerRun":%s,"cores":%s,"cpu":"%s","iperf3MBps":%s,"rows":[' "$date" "$secs" "$(nproc)" "$cpu" "$iperf_mbps"
  sep=""
  for row in "${rows[@]}"; do
    IFS='|' read -r name client unit t i kind goal <<<"$row"
    printf '%s{"workload":"%s","client":"%s","unit":"%s","tgt":%s,"iscsilab":%s,"goal":"%s %s"}' "$sep" "$name" "$client" "$unit" "${t:-0}" "${i:-0}" "$kind" "$goal"
    sep=","
  done
  printf ']}\n'
} >"$results/compare.json"

# chart: per workload a bar for each target, scaled to the larger (or to iperf3 for MB/s rows)
{
  n=${#rows[@]}; h=$((60 + n * 46))
  printf '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="%s" font-family="sans-serif" font-size="12">\n' "$h"
  printf '<text x="10" y="20" font-size="14">iscsilab (blue) vs tgt (grey), %s; red line: iperf3 loopback %s MB/s</text>\n' "$date" "$iperf_mbps"
  y=40
  for row in "${rows[@]}"; do
    IFS='|' read -r name client unit t i kind goal <<<"$row"
    awk -v n="$name ($client, $unit)" -v t="$t" -v i="$i" -v u="$unit" -v ip="$iperf_mbps" -v y="$y" 'BEGIN {
      m = (t > i ? t : i); if (u == "MB/s" && ip > m) m = ip; if (m <= 0) m = 1; w = 560;
      printf "<text x=\"10\" y=\"%d\">%s</text>\n", y + 12, n;
      printf "<rect x=\"300\" y=\"%d\" width=\"%.0f\" height=\"14\" fill=\"#999\"/><text x=\"%.0f\" y=\"%d\">%s</text>\n", y, t / m * w, 305 + t / m * w, y + 12, t;
      printf "<rect x=\"300\" y=\"%d\" width=\"%.0f\" height=\"14\" fill=\"#2a6fdb\"/><text x=\"%.0f\" y=\"%d\">%s</text>\n", y + 16, i / m * w, 305 + i / m * w, y + 28, i;
      if (u == "MB/s") printf "<line x1=\"%.0f\" y1=\"%d\" x2=\"%.0f\" y2=\"%d\" stroke=\"red\"/>\n", 300 + ip / m * w, y - 2, 300 + ip / m * w, y + 32 }'
    y=$((y + 46))
  done
  printf '</svg>\n'
} >"$results/compare.svg"
echo "wrote $results/compare.md, compare.json and compare.svg" >&2
