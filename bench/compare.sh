#!/usr/bin/env bash
# Compares iscsilab with tgt (the common userspace target) on this machine, side by side in one
# run, with independent clients: libiscsi's iscsi-perf for reads, QEMU's `qemu-img bench` for
# writes. Every workload runs ROUNDS times, interleaved (each round goes through every workload,
# and the order of the targets rotates), and the table gives the medians. Beside each number: the
# target's CPU time per command (utime + stime of its process, /proc/PID/stat) and the client's.
# The same rounds measure the wire: a sockperf TCP ping-pong (48 B and 4 KiB) and an iperf3
# loopback stream. Last, a latency-at-load curve: `iscsilab bench --rate` at rising offered IOPS
# against both targets, p50 and p99.
#
# iscsilab runs as several targets, each a JVM of its own: the default (epoll), io_uring, polling
# (--poll; it spins a core, so it is stopped with SIGSTOP except while measured) and a file LUN
# in /dev/shm (tgt's LUN is a file in /dev/shm too).
#
# With BASELINE set (a git ref of this repository, or the path of an iscsilab.jar), the build it
# names runs beside this one as two more targets (RAM and file LUN), measured in the same rounds,
# and the report adds a table of this build against it: a regression check side by side.
#
# Writes bench/results/compare.md, compare.json, compare.svg (the table as bars) and
# latency-at-load.svg.
#
#   bench/compare.sh [SECONDS_PER_RUN [ROUNDS]]   (default 10 and 3; needs root for tgtd and apt-get)
#   BASELINE=REF bench/compare.sh ...             (also measures the build of REF, e.g. a tag)
set -euo pipefail
name=compare
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
secs="${1:-10}"
rounds="${2:-3}"

# ---- what the comparison needs ----
need=()
command -v tgtd >/dev/null || need+=(tgt)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v sockperf >/dev/null || need+=(sockperf)
command -v iscsi-perf >/dev/null || need+=(libiscsi-bin)
command -v qemu-img >/dev/null || need+=(qemu-utils qemu-block-extra)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "compare: install ${need[*]} first (apt-get install ${need[*]})" >&2
    exit 2
  fi
fi

# ---- the targets, the iperf3 and sockperf servers, all on loopback ----
tgt_port=13261; iperf_port=15299; sockperf_port=15300; ctl=7791
declare -A port=([isl]=13262 [isl-uring]=13265 [isl-poll]=13266 [isl-file]=13264 [base]=13267
  [base-file]=13268)
declare -A pid=()
tgt_img=/dev/shm/iscsilab-compare-tgt.img
isl_img=/dev/shm/iscsilab-compare-file.img
base_img=/dev/shm/iscsilab-compare-base.img
cleanup() {
  for t in "${!pid[@]}"; do
    [ "$t" = tgt ] && continue
    kill -CONT "${pid[$t]}" 2>/dev/null || true
    kill "${pid[$t]}" 2>/dev/null || true
  done
  if [ -n "${pid[tgt]:-}" ]; then  # tgtd stops on request, not on SIGTERM
    tgtadm -C "$ctl" --op delete --mode system >/dev/null 2>&1 || true
    sleep 0.5; kill -9 "${pid[tgt]}" 2>/dev/null || true
  fi
  [ -n "${iperf_pid:-}" ] && kill "$iperf_pid" 2>/dev/null || true
  [ -n "${sockperf_pid:-}" ] && kill "$sockperf_pid" 2>/dev/null || true
  rm -f "$tgt_img" "$isl_img" "$base_img"
  [ -n "${base_tree:-}" ] && git -C "$root" worktree remove --force "$base_tree" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# ---- the baseline build, when asked for ----
base_jar=""
if [ -n "${BASELINE:-}" ]; then
  if [ -f "$BASELINE" ]; then
    base_jar="$(cd "$(dirname "$BASELINE")" && pwd)/$(basename "$BASELINE")"
    base_label="$(basename "$BASELINE")"
  else
    commit=$(git -C "$root" rev-parse --verify --quiet "$BASELINE^{commit}") ||
      { echo "$name: BASELINE=$BASELINE is neither a jar nor a commit of this repository" >&2; exit 2; }
    base_label="$(git -C "$root" rev-parse --short "$commit")"
    base_tree="$work/baseline"
    git -C "$root" worktree add --detach "$base_tree" "$commit" >/dev/null 2>&1
    echo "compare: building the baseline $base_label" >&2
    # the jar moved between modules over time: build the whole reactor and find it
    (cd "$base_tree" && ./mvnw -q -B -o -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip package) >&2 ||
      { echo "$name: the baseline $base_label does not build" >&2; exit 1; }
    base_jar=$(find "$base_tree" -path '*/target/iscsilab.jar' | head -1)
    [ -n "$base_jar" ] || { echo "$name: the baseline $base_label built no iscsilab.jar" >&2; exit 1; }
  fi
fi

require_free_ports $tgt_port "${port[@]}" $iperf_port $sockperf_port
truncate -s 1G "$tgt_img"
tgtd -f -C "$ctl" --iscsi portal=127.0.0.1:$tgt_port >"$work/tgtd.log" 2>&1 & pid[tgt]=$!
disown "${pid[tgt]}"  # it is stopped with SIGKILL at the end; no job report for that
wait_port $tgt_port
for _ in $(seq 50); do  # the management socket comes up a moment after the portal
  tgtadm -C "$ctl" --lld iscsi --op new --mode target --tid 1 -T iqn.2026-01.org.iscsilab:compare-tgt 2>/dev/null && break
  sleep 0.1
done
tgtadm -C "$ctl" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$tgt_img"
tgtadm -C "$ctl" --lld iscsi --op bind --mode target --tid 1 -I ALL

start_isl() { # name lun extra-options...  (JAR overrides the jar)
  local t="$1" lun="$2"; shift 2
  java -XX:+UseSerialGC -jar "${JAR:-$jar}" target --portal "127.0.0.1:${port[$t]}" --admin off --nop-interval 0 \
    --lun "$lun" --iqn "iqn.2026-01.org.iscsilab:$t" "$@" >"$work/$t.log" 2>&1 & pid[$t]=$!
  wait_port "${port[$t]}"
}
start_isl isl ram:1G
start_isl isl-uring ram:1G --io-transport io_uring
start_isl isl-file "file:$isl_img:1G"
start_isl isl-poll ram:1G --poll
kill -STOP "${pid[isl-poll]}"  # it spins a core: running only while measured
if [ -n "$base_jar" ]; then
  JAR="$base_jar" start_isl base ram:1G
  JAR="$base_jar" start_isl base-file "file:$base_img:1G"
fi
iperf3 -s -p $iperf_port >/dev/null 2>&1 & iperf_pid=$!
sockperf sr --tcp -i 127.0.0.1 -p $sockperf_port >/dev/null 2>&1 & sockperf_pid=$!
wait_port $iperf_port
wait_port $sockperf_port

url() {
  case "$1" in
    tgt) echo "iscsi://127.0.0.1:$tgt_port/iqn.2026-01.org.iscsilab:compare-tgt/1" ;;
    *) echo "iscsi://127.0.0.1:${port[$1]}/iqn.2026-01.org.iscsilab:$1/0" ;;
  esac
}
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# ---- one measurement: runs a client, notes its result, the commands and both sides' CPU ----
raw="$work/raw.tsv"   # round, workload, target, value, commands, target CPU s, client CPU s
: >"$raw"
client_cpu=0
times_cpu() { # the user + system seconds of the children in the last `times` output
  awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$work/times"
}
timed() { # command... : runs it, output in $work/out, its CPU seconds in client_cpu
  ( "$@" >"$work/out" 2>&1 || true; times >"$work/times" )
  client_cpu=$(times_cpu)
}
# Each client run sets value (its result), commands (how many it completed) and client_cpu.
perf_run() { # url depth blocks random?
  timed timeout $((secs + 30)) iscsi-perf -m "$2" -b "$3" -t "$secs" ${4:+-r} "$1"
  value=$(tr '\r' '\n' <"$work/out" | awk '/^ *iops average/ {v=$3} END {printf "%.0f", v}')
  commands=$(awk -v v="$value" -v t="$secs" 'BEGIN {printf "%.0f", v * t}')
}
qimg_once() { # url size count depth: qemu-img bench's run time in $work/out
  timed timeout 300 qemu-img bench -f raw -w -c "$3" -d "$4" -s "$2" -t none "$1"
  awk '/Run completed in/ {print $4}' "$work/out"
}
declare -A probe=()
qimg_run() { # url size depth probe-count
  # qemu-img bench counts requests, not seconds: a probe of about a second (once per target and
  # workload, before the CPU count starts) sizes the measured runs
  local n s
  n=${probe["$1 $2 $3"]}
  s=$(qimg_once "$1" "$2" "$n" "$3")
  client_cpu=$(times_cpu)
  value=$(awk -v c="$n" -v s="$s" 'BEGIN {printf "%.0f", (s > 0 ? c / s : 0)}')
  commands=$(awk -v c="$n" -v s="$s" 'BEGIN {print (s > 0 ? c : 0)}')
}
qimg_probe() { # url size depth probe-count
  local key="$1 $2 $3" s
  [ -n "${probe[$key]:-}" ] && return
  s=$(qimg_once "$1" "$2" "$4" "$3")
  probe[$key]=$(awk -v p="$s" -v c="$4" -v t="$secs" 'BEGIN {n = (p > 0 ? c / p * t : c); printf "%.0f", (n < c ? c : n)}')
}
to_mbps() { value=$(awk -v v="$value" 'BEGIN {printf "%.0f", v * 1048576 / 1e6}'); }
measure() { # round workload target kind...
  local round="$1" workload="$2" t="$3" u p c0 c1; shift 3
  u=$(url "$t"); p=${pid[$t]}
  [ "$t" = isl-poll ] && kill -CONT "$p" && sleep 0.5
  case "$1" in
    write4k) qimg_probe "$u" 4096 32 40000 ;;
    write1m) qimg_probe "$u" 1M 8 1000 ;;
  esac
  c0=$(cpu_ticks "$p")
  case "$1" in
    read4k) perf_run "$u" "$2" 8 r ;;
    read1m) perf_run "$u" 8 2048; to_mbps ;;
    write4k) qimg_run "$u" 4096 32 ;;
    write1m) qimg_run "$u" 1M 8; to_mbps ;;
  esac
  c1=$(cpu_ticks "$p")
  [ "$t" = isl-poll ] && kill -STOP "$p"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$workload" "$t" "$value" "$commands" \
    "$(awk -v d="$((c1 - c0))" -v h="$hz" 'BEGIN {printf "%.3f", d / h}')" "$client_cpu" >>"$raw"
  printf '  round %s  %-34s %-10s %10s  (target %s s, client %s s CPU)\n' "$round" "$workload" "$t" "$value" \
    "$(awk -v d="$((c1 - c0))" -v h="$hz" 'BEGIN {printf "%.2f", d / h}')" "$client_cpu" >&2
}
wire() { # round
  local lat
  for m in 48 4096; do
    timed sockperf pp --tcp -i 127.0.0.1 -p $sockperf_port -t "$(( secs < 5 ? secs : 5 ))" -m "$m"
    # sockperf reports half the round trip
    lat=$(sed 's/\x1b\[[0-9;]*m//g' "$work/out" | awk '/percentile 50.000/ {print $NF * 2}')
    printf '%s\tsockperf round trip %s B p50 (us)\tloopback\t%s\t0\t0\t%s\n' "$1" "$m" "$lat" "$client_cpu" >>"$raw"
  done
  timed iperf3 -c 127.0.0.1 -p $iperf_port -t "$secs" -f M
  printf '%s\tiperf3 stream (MB/s)\tloopback\t%s\t0\t0\t%s\n' "$1" \
    "$(awk '/receiver/ {printf "%.0f", $(NF-2) * 1.048576}' "$work/out")" "$client_cpu" >>"$raw"
  echo "  round $1  wire: $(tail -3 "$raw" | cut -f2,4 | tr '\t\n' '= ' )" >&2
}

# workload | kind and its arguments | targets
workloads=(
  "4k random read qd32|read4k 32|tgt isl isl-uring isl-poll base"
  "4k random read qd1|read4k 1|tgt isl isl-uring isl-poll base"
  "1M sequential read qd8|read1m|tgt isl isl-uring base"
  "4k write qd32|write4k|tgt isl isl-uring isl-poll base"
  "1M write qd8|write1m|tgt isl isl-uring base"
  "4k random read qd32, file LUN|read4k 32|tgt isl-file base-file"
  "1M sequential read qd8, file LUN|read1m|tgt isl-file base-file"
  "1M write qd8, file LUN|write1m|tgt isl-file base-file"
)
targets_running="tgt isl isl-uring isl-poll isl-file${base_jar:+ base base-file}"

echo "compare: $secs s per run, $rounds rounds, $(nproc) cores, $(uname -r)" >&2
# warm-up, not recorded: the JVMs compile their data paths, tgt's LUN file is touched throughout
for t in $targets_running; do
  [ "$t" = isl-poll ] && kill -CONT "${pid[$t]}"
  timeout 60 iscsi-perf -m 32 -b 8 -t 5 -r "$(url "$t")" >/dev/null 2>&1 || true
  for _ in 1 2; do  # 300,000 4 KiB writes cover the 1 GiB LUN: no first-touch allocation later
    timeout 120 qemu-img bench -f raw -w -c 300000 -d 32 -s 4096 -t none "$(url "$t")" >/dev/null 2>&1 || true
  done
  [ "$t" = isl-poll ] && kill -STOP "${pid[$t]}"
  echo "  warmed up $t" >&2
done
shift_order=0
for round in $(seq "$rounds"); do
  wire "$round"
  for w in "${workloads[@]}"; do
    IFS='|' read -r workload kind targets <<<"$w"
    ts=()
    for t in $targets; do  # the baseline's targets only when there is one
      [[ -z "$base_jar" && $t == base* ]] || ts+=("$t")
    done
    n=${#ts[@]}
    for i in $(seq 0 $((n - 1))); do  # rotate which target goes first
      t=${ts[$(((i + shift_order) % n))]}
      measure "$round" "$workload" "$t" $kind
    done
    shift_order=$((shift_order + 1))
  done
done

# ---- latency at load: p50/p99 against offered IOPS, iscsilab bench as the client of both ----
curve="$work/curve.tsv"
: >"$curve"
for rate in 5000 10000 20000 40000 60000 80000 100000; do
  for t in tgt isl; do
    f="$work/curve-$t-$rate.json"
    java -jar "$jar" bench --target "$(url "$t")" -w randread -b 4k -q 32 -t "$(( secs < 5 ? secs : 5 ))" --ramp 1 \
      --rate "$rate" --json "$f" >"$work/curve.log" 2>&1 || true
    printf '%s\t%s\t%s\n' "$t" "$rate" "$f" >>"$curve"
    echo "  latency at load: $t at $rate IOPS offered" >&2
  done
done

python3 "$root/bench/compare_report.py" --raw "$raw" --curve "$curve" --seconds "$secs" --rounds "$rounds" \
  ${base_jar:+--baseline "$base_label"} --out "$results"
