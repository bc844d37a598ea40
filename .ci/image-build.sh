#!/usr/bin/env bash
# Builds the target image's default stage as a user would (docker build -f docker/Dockerfile .):
# Maven compiles inside the image from a clean clone's build context. The base images are local
# (no registry is reachable): the JRE one from container-engine.sh and a JDK one made here the
# same way. Then the image must serve a LUN that libiscsi reads. Source container-engine.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
jdk_image=localhost/iscsilab-jdk:17
image=localhost/iscsilab/target:default-stage
start=$SECONDS

bash .ci/base-image.sh "$jdk_image" openjdk-17-jdk-headless,passwd

# The build stage downloads Maven and the dependencies from Maven Central (host network); the
# host's Maven repository is lent to it as a cache so a second build does not fetch them again;
# no layer is reused, so every run really compiles this clone.
mkdir -p "$HOME/.m2"
podman build --no-cache --network host --volume "$HOME/.m2:/root/.m2" \
    --build-arg JDK_IMAGE="$jdk_image" --build-arg JRE_IMAGE="$ISCSILAB_JRE_IMAGE" \
    -f docker/Dockerfile -t "$image" . >/tmp/iscsilab-image-build.log 2>&1 \
    || { tail -40 /tmp/iscsilab-image-build.log; echo "image build: docker/Dockerfile's default stage failed"; exit 1; }

port=$((20000 + RANDOM % 20000))
while (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; do port=$((20000 + RANDOM % 20000)); done
name=iscsilab-default-stage-$$
podman run -d --rm --name "$name" --network host "$image" \
    target --portal "127.0.0.1:$port" --admin off --lun ram:64M >/dev/null
trap 'podman stop -t 2 "$name" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.2; done
inq=$(timeout 30 iscsi-inq "iscsi://127.0.0.1:$port/iqn.2026-01.org.iscsilab:target0/0")
grep -q ISCSILAB <<<"$inq" || { echo "$inq"; echo "image build: the default-stage image did not answer INQUIRY"; exit 1; }
echo "image build: the default stage built from the clone and served INQUIRY ($((SECONDS - start)) s)"
podman image prune -f >/dev/null 2>&1 || true  # the build stage's intermediate image
