#!/usr/bin/env bash
# Sets up a Docker-API container engine for the Testcontainers suites where Docker's own engine
# does not run and no registry is reachable: rootful Podman (runc, host networking) serving the
# Docker API on a socket, and a JRE base image built locally with debootstrap (kept while the
# machine keeps it). Source it: it exports DOCKER_HOST and the settings the suites read.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base_image=localhost/iscsilab-jre:17

apt-get install -y -qq --no-install-recommends podman runc debootstrap curl >/dev/null
export CONTAINERS_CONF=$here/containers.conf

bash "$here/base-image.sh" "$base_image" openjdk-17-jre-headless,passwd

mkdir -p /run/podman
# a service left by an earlier checkout reads that checkout's containers.conf, which may be gone:
# such a service is stopped and started again with this one's
for pid in $(pgrep -f 'podman system service' || true); do
    conf=$(tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | sed -n 's/^CONTAINERS_CONF=//p')
    if [ "$conf" != "$CONTAINERS_CONF" ]; then
        kill "$pid" 2>/dev/null || true
        sleep 1
        rm -f /run/podman/podman.sock
    fi
done
if [ ! -S /run/podman/podman.sock ] || ! curl -sf --unix-socket /run/podman/podman.sock http://d/_ping >/dev/null; then
    # from /: the service outlives this checkout, and conmon fails in a deleted working directory
    (cd / && nohup podman system service --time=0 unix:///run/podman/podman.sock >/tmp/podman-service.log 2>&1 &)
    for _ in $(seq 50); do
        curl -sf --unix-socket /run/podman/podman.sock http://d/_ping >/dev/null && break
        sleep 0.2
    done
fi

export DOCKER_HOST=unix:///run/podman/podman.sock
export TESTCONTAINERS_RYUK_DISABLED=true      # no Ryuk image can be pulled
export TESTCONTAINERS_CHECKS_DISABLE=true
export ISCSILAB_JRE_IMAGE=$base_image         # the Dockerfile's JRE_IMAGE build argument
export ISCSILAB_CONTAINER_NETWORK=host        # the suites' containers share the host's loopback
echo "container engine: podman on $DOCKER_HOST, base image $base_image"
