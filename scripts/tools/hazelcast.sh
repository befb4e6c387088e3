#!/usr/bin/env bash
# The reference Hazelcast member for the protocol conformance suite and benchmarks:
# com.hazelcast:hazelcast:5.5.0 from Maven Central (runs on Java 17), fetched once with mvn into
# $MDC_TOOLS_CACHE/hazelcast/5.5.0/. Idempotent; prints the jar path on its last line.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

version="${MDC_HAZELCAST_VERSION:-5.5.0}"
dir="$MDC_TOOLS_CACHE/hazelcast/$version"
jar="$dir/hazelcast-$version.jar"

# The Java client interop test compiles its client with javac: the JDK, not just the runtime.
mdc_have javac || mdc_apt_install openjdk-17-jdk-headless
if [ ! -s "$jar" ]; then
  mdc_have mvn || mdc_apt_install maven
  mkdir -p "$dir"
  mdc_log "fetching com.hazelcast:hazelcast:$version with mvn"
  mvn -q -B dependency:copy -Dartifact="com.hazelcast:hazelcast:$version" -DoutputDirectory="$dir" \
    -Dmdep.overWriteIfNewer=true >&2
  [ -s "$jar" ] || mdc_die "mvn did not produce $jar"
fi
echo "$jar"
