#!/usr/bin/env bash
# The batch layer on Spark 3.5.x with spark-submit: the Spark bundle (runners/spark) over a date range
# of the archive, into the warehouse. Spark (Scala 2.12, Hadoop 3) comes from the distribution.
#
#   SPARK_HOME=/opt/spark-3.5.4-bin-hadoop3 deploy/spark/submit-batch.sh \
#     --fromDate=2026-11-27 --archiveRoot=s3://my-bucket/archive --awsRegion=eu-west-1
#
# Environment: SPARK_HOME (required), SPARK_MASTER (default local[2]; spark://host:7077, yarn, k8s://...),
# BUNDLE (default: the jar `mvn -B package -Pbundles -pl runners/spark -am -DskipTests` builds),
# SPARK_SUBMIT_OPTS_EXTRA (more spark-submit flags, e.g. "--executor-memory 4g").
# Every other argument is a batch pipeline option (`java -jar <bundle> batch --help` lists them).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ -z "${SPARK_HOME:-}" ] || [ ! -x "$SPARK_HOME/bin/spark-submit" ]; then
  echo "submit-batch.sh: set SPARK_HOME to a Spark 3.5.x distribution (Scala 2.12, e.g." \
    "spark-3.5.4-bin-hadoop3); \$SPARK_HOME/bin/spark-submit was not found." >&2
  exit 2
fi
bundle="${BUNDLE:-$(ls runners/spark/target/analytics-spark-*.jar 2>/dev/null | grep -v original- | head -1)}"
if [ -z "$bundle" ] || [ ! -f "$bundle" ]; then
  echo "submit-batch.sh: no Spark bundle; build it with" \
    "\`mvn -B package -Pbundles -pl runners/spark -am -DskipTests\` or set BUNDLE." >&2
  exit 2
fi

# Spark binds to this address; loopback unless told otherwise (a cluster sets the node's address).
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# What Spark and Beam need opened on Java 17, on the driver and the executors alike.
java17_opens="--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
java17_opens+=" --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED"
java17_opens+=" --add-opens=java.base/java.lang.invoke=ALL-UNNAMED"

# The master comes from spark-submit (--master): Beam's SparkRunner uses spark.master when it is set.
# shellcheck disable=SC2086
exec "$SPARK_HOME/bin/spark-submit" \
  --master "${SPARK_MASTER:-local[2]}" \
  --deploy-mode client \
  --class io.github.analytics.runners.AnalyticsCli \
  --conf "spark.driver.extraJavaOptions=$java17_opens" \
  --conf "spark.executor.extraJavaOptions=$java17_opens" \
  ${SPARK_SUBMIT_OPTS_EXTRA:-} \
  "$bundle" \
  batch --runner=SparkRunner "$@"
