#!/usr/bin/env bash
# Runs the JMH microbenchmarks (PDU codec, CRC32C digests, the command path below the transport)
# and writes bench/results/jmh.json. Arguments go to JMH, e.g. bench/jmh.sh Crc32c -p length=8192
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mkdir -p bench/results
./mvnw -q -B -pl iscsi-transport -am install -DskipTests
./mvnw -q -B -pl iscsi-transport test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/iscsi-transport/target/jmh.classpath"
cp="iscsi-transport/target/test-classes:iscsi-transport/target/classes:$(cat iscsi-transport/target/jmh.classpath)"
exec java -cp "$cp" org.openjdk.jmh.Main -rf json -rff bench/results/jmh.json "${@:-org.iscsilab.iscsi.jmh}"
