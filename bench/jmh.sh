#!/usr/bin/env bash
# Runs the JMH microbenchmarks (PDU codec, CRC32C digests, the command path below the transport)
# and writes bench/results/jmh.json. Arguments go to JMH, e.g. bench/jmh.sh Crc32c -p length=8192
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mkdir -p bench/results
./mvnw -q -B -pl benchmarks -am install -DskipTests
./mvnw -q -B -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$root/benchmarks/target/jmh.classpath"
cp="benchmarks/target/classes:$(cat benchmarks/target/jmh.classpath)"
exec java -cp "$cp" org.openjdk.jmh.Main -rf json -rff bench/results/jmh.json "${@:-org.iscsilab.benchmarks}"
