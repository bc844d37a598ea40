# Shared by the bench scripts (sourced, not run): where things are, the jar (from the launcher),
# a scratch directory, and loopback port checks. Each script sets "name" (its messages' prefix) first.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$root/bench/results"
mkdir -p "$results"
work="$(mktemp -d)"
jar="$("$root/iscsilab" print-jar)"  # built (or rebuilt when sources changed) by the launcher

# Fails when something already listens on any of the ports.
require_free_ports() {
  for p in "$@"; do
    if (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null; then echo "$name: port $p is in use" >&2; exit 1; fi
  done
}

# Waits up to 10 s for something to listen on the port.
wait_port() {
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "$name: nothing listens on port $1" >&2; exit 1
}
