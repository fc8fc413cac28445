#!/usr/bin/env bash
# The batch layer on a schedule: every run is `analytics backfill`, so it is safe to repeat. Days whose
# completion marker matches the archive are skipped; a day whose archive gained files (late arrivals)
# is replaced, never added to. A lock keeps two runs from writing the same warehouse at once.
#
#   analytics-batch.sh hourly              yesterday and today (UTC): today's partial day, and
#                                          yesterday's late arrivals as they land
#   analytics-batch.sh backfill FROM TO    the days FROM..TO (YYYY-MM-DD, inclusive)
#   analytics-batch.sh backfill FROM TO --force    re-run them all
#
# Environment:
#   ANALYTICS_JAR   the bundle to run (default /opt/analytics/analytics.jar; see the README, Packaging)
#   ANALYTICS_ARGS  archive, warehouse and runner options, e.g.
#                   "--archiveRoot=s3://events-archive/events --warehouse=BIGQUERY
#                    --bigQueryDataset=acme:analytics --bigQueryTempLocation=gs://acme-tmp/bq
#                    --markerRoot=gs://acme-tmp/analytics/markers --runner=FlinkRunner
#                    --flinkMaster=flink-jobmanager:8081 --parallelism=8"
#   JAVA_OPTS       JVM options of the launcher (default -Xmx2g -XX:+UseParallelGC: a batch job's
#                   throughput collector, as `analytics backfill` uses)
#   LOCK_FILE       default /tmp/analytics-batch.lock
# Exit codes: 0 every day done or skipped; 1 a day failed (the summary says which; run again to retry
# only those); 2 a usage error; 75 another run holds the lock (this one did nothing).
set -euo pipefail

jar="${ANALYTICS_JAR:-/opt/analytics/analytics.jar}"
lock="${LOCK_FILE:-/tmp/analytics-batch.lock}"
mode="${1:-}"
case "$mode" in
  hourly)
    from=$(date -u -d yesterday +%F)
    to=$(date -u +%F)
    shift
    ;;
  backfill)
    if [ $# -lt 3 ]; then
      echo "usage: $0 backfill FROM TO [--force] [options]" >&2
      exit 2
    fi
    from="$2"
    to="$3"
    shift 3
    ;;
  *)
    echo "usage: $0 hourly | backfill FROM TO [--force] [options]" >&2
    exit 2
    ;;
esac
if [ ! -f "$jar" ]; then
  echo "$0: no bundle at $jar: build one (README, Packaging) and set ANALYTICS_JAR" >&2
  exit 2
fi

echo "$(date -u +%FT%TZ) analytics-batch $mode: $from to $to"
set +e
# shellcheck disable=SC2086  # ANALYTICS_ARGS and JAVA_OPTS are lists of options
flock -n -E 75 "$lock" java ${JAVA_OPTS:--Xmx2g -XX:+UseParallelGC} -jar "$jar" backfill --from "$from" --to "$to" \
  ${ANALYTICS_ARGS:-} "$@"
code=$?
set -e
if [ "$code" -eq 75 ]; then
  echo "$(date -u +%FT%TZ) analytics-batch $mode: another run holds $lock; nothing done" >&2
fi
exit "$code"
