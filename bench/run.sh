#!/usr/bin/env bash
# bench/run.sh: builds the bench module and what it needs (once, and again when sources change), then
# runs the benchmark suite with the JVM flags Spark needs on Java 17. Arguments go to Bench:
#   bench/run.sh --quick                 every section at small sizes (a few minutes)
#   bench/run.sh                         the full run, into bench/results/
#   bench/run.sh --help                  every option
# BENCH_JAVA_OPTS overrides the heap (default -Xmx8g).
set -euo pipefail
cd "$(dirname "$0")/.."

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "bench: '$1' is not installed. $2" >&2
    exit 2
  fi
}
need java "Install a JDK 17 or newer (Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless)."
need mvn "Install Apache Maven 3.8+ (Debian/Ubuntu: apt-get install -y maven)."
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p')
if [ "${java_major:-0}" -lt 17 ]; then
  echo "bench: Java ${java_major:-?} found; Java 17 or newer is needed (set JAVA_HOME or PATH)." >&2
  exit 2
fi

export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
classpath_file=bench/target/classpath.txt
stale=""
if [ ! -f "$classpath_file" ] || [ ! -d bench/target/classes ]; then
  stale="first build"
elif [ -n "$(find . \( -path ./data -o -path ./.git -o -name target -o -path ./bench/results \) -prune -o \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$classpath_file" -print -quit)" ]; then
  stale="sources changed"
fi
if [ -n "$stale" ]; then
  echo "bench: building ($stale; the first build downloads about 600 MB of dependencies)..." >&2
  # package, not install: the reactor hands bench its sibling modules' fresh jars, and the classpath
  # file names them (bench/target/classes and those jars), never stale copies in ~/.m2.
  mvn -B -q -DskipTests -pl bench -am package dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
  touch "$classpath_file"  # the plugin leaves an unchanged file alone; mark this build as current
fi

exec java ${BENCH_JAVA_OPTS:--Xmx8g} \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
  -cp "bench/target/classes:$(cat "$classpath_file")" \
  io.github.analytics.bench.Bench "$@"
