#!/usr/bin/env bash
# Applies the numbered .sql files of this folder, in order, to a ClickHouse server over its HTTP port.
#
#   KAFKA_BROKERS=broker1:9092,broker2:9092 CLICKHOUSE_URL=http://127.0.0.1:8123 ./apply.sh
#
# Environment (defaults in brackets):
#   CLICKHOUSE_URL   the HTTP interface, with credentials if any [http://127.0.0.1:8123]
#                    e.g. http://user:password@host:8123
#   KAFKA_BROKERS    host:port list of the Kafka brokers (required)
#   METRICS_TOPIC    [metrics.events_per_minute]   METRICS_GROUP [clickhouse-events-per-minute]
#   ALERTS_TOPIC     [alerts.anomalies]            ALERTS_GROUP  [clickhouse-anomaly-alerts]
#
# Each file holds one statement (the HTTP interface refuses several in one request); every statement
# is CREATE ... IF NOT EXISTS, so running it again is harmless. Only the placeholders above are
# substituted: ${NAME} for those names and nothing else, so a stray $ in SQL is left alone.
set -euo pipefail
cd "$(dirname "$0")"

: "${KAFKA_BROKERS:?set KAFKA_BROKERS to the brokers ClickHouse reads from, e.g. KAFKA_BROKERS=kafka:9092}"
CLICKHOUSE_URL="${CLICKHOUSE_URL:-http://127.0.0.1:8123}"
METRICS_TOPIC="${METRICS_TOPIC:-metrics.events_per_minute}"
METRICS_GROUP="${METRICS_GROUP:-clickhouse-events-per-minute}"
ALERTS_TOPIC="${ALERTS_TOPIC:-alerts.anomalies}"
ALERTS_GROUP="${ALERTS_GROUP:-clickhouse-anomaly-alerts}"

# Values go inside single-quoted SQL strings: refuse quotes and backslashes rather than escape them.
for name in KAFKA_BROKERS METRICS_TOPIC METRICS_GROUP ALERTS_TOPIC ALERTS_GROUP; do
  case "${!name}" in
    *"'"*|*'\'*|*'|'*) echo "apply.sh: $name must not contain ', \\ or |: ${!name}" >&2; exit 2 ;;
  esac
done

for file in [0-9][0-9]_*.sql; do
  sql=$(sed -e "s|\${KAFKA_BROKERS}|${KAFKA_BROKERS}|g" \
            -e "s|\${METRICS_TOPIC}|${METRICS_TOPIC}|g" -e "s|\${METRICS_GROUP}|${METRICS_GROUP}|g" \
            -e "s|\${ALERTS_TOPIC}|${ALERTS_TOPIC}|g" -e "s|\${ALERTS_GROUP}|${ALERTS_GROUP}|g" "$file")
  echo "apply.sh: $file"
  if ! out=$(curl -sS --fail-with-body --data-binary "$sql" "$CLICKHOUSE_URL/" 2>&1); then
    echo "apply.sh: $file failed: $out" >&2
    exit 1
  fi
done
echo "apply.sh: done"
