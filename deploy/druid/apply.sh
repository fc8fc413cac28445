#!/usr/bin/env bash
# Submits (or updates: the same call replaces a running supervisor's spec) the Kafka supervisors of
# this folder to a Druid Overlord (or a Router, which forwards to it).
#
#   KAFKA_BROKERS=broker1:9092 DRUID_URL=http://router:8888 ./apply.sh
#
# Environment (defaults in brackets):
#   DRUID_URL       the Router or Overlord, with credentials if any [http://127.0.0.1:8888]
#   KAFKA_BROKERS   host:port list of the Kafka brokers (required)
#   METRICS_TOPIC   [metrics.events_per_minute]     ALERTS_TOPIC [alerts.anomalies]
# Druid's Kafka supervisor manages its own offsets in its metadata store: there is no consumer group
# to name.
set -euo pipefail
cd "$(dirname "$0")"

: "${KAFKA_BROKERS:?set KAFKA_BROKERS to the brokers Druid reads from, e.g. KAFKA_BROKERS=kafka:9092}"
DRUID_URL="${DRUID_URL:-http://127.0.0.1:8888}"
METRICS_TOPIC="${METRICS_TOPIC:-metrics.events_per_minute}"
ALERTS_TOPIC="${ALERTS_TOPIC:-alerts.anomalies}"

# Values go inside JSON strings: refuse characters that would need escaping.
for name in KAFKA_BROKERS METRICS_TOPIC ALERTS_TOPIC; do
  case "${!name}" in
    *'"'*|*'\'*|*'|'*) echo "apply.sh: $name must not contain \", \\ or |: ${!name}" >&2; exit 2 ;;
  esac
done

for file in *-supervisor.json; do
  spec=$(sed -e "s|\${KAFKA_BROKERS}|${KAFKA_BROKERS}|g" -e "s|\${METRICS_TOPIC}|${METRICS_TOPIC}|g" \
             -e "s|\${ALERTS_TOPIC}|${ALERTS_TOPIC}|g" "$file")
  echo "apply.sh: $file"
  if ! out=$(curl -sS --fail-with-body -H 'Content-Type: application/json' --data-binary "$spec" \
      "$DRUID_URL/druid/indexer/v1/supervisor" 2>&1); then
    echo "apply.sh: $file failed: $out" >&2
    exit 1
  fi
  echo "apply.sh: $out"
done
