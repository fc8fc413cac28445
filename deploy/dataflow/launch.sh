#!/usr/bin/env bash
# Launches the analytics jobs on Dataflow. See README.md for the prerequisites.
#   deploy/dataflow/launch.sh stream       the streaming job from its Flex Template
#   deploy/dataflow/launch.sh update       replaces the running streaming job in place (same name)
#   deploy/dataflow/launch.sh batch DAY    one day of the archive into BigQuery, from the batch template
#   deploy/dataflow/launch.sh direct       the streaming job straight from this machine's bundle
# Settings come from the environment (defaults in brackets):
#   PROJECT, REGION, BUCKET                required
#   KAFKA (host:port,...), REDIS (redis://host:port)   required for stream/update/direct
#   DATASET (PROJECT:DATASET)              required for batch
#   NETWORK [default], SUBNETWORK [none], SERVICE_ACCOUNT [the Compute Engine default]
#   JOB_NAME [analytics-stream]
set -euo pipefail
SELF=$(realpath "$0")
cd "$(dirname "$0")/../.."

if [ -z "${1:-}" ]; then sed -n '2,13p' "$SELF" >&2; exit 2; fi
: "${PROJECT:?set PROJECT}" "${REGION:?set REGION}" "${BUCKET:?set BUCKET}"
JOB_NAME=${JOB_NAME:-analytics-stream}
NETWORK=${NETWORK:-default}
common=(--project="$PROJECT" --region="$REGION" --network="$NETWORK"
        --temp-location="gs://$BUCKET/tmp" --staging-location="gs://$BUCKET/staging")
[ -n "${SUBNETWORK:-}" ] && common+=(--subnetwork="$SUBNETWORK")
[ -n "${SERVICE_ACCOUNT:-}" ] && common+=(--service-account-email="$SERVICE_ACCOUNT")

# '^;^' makes ';' the separator of --parameters (see `gcloud topic escaping`): the broker list has commas.
stream_parameters() {
  : "${KAFKA:?set KAFKA to the brokers, host:port[,host:port]}" "${REDIS:?set REDIS to redis://HOST:PORT}"
  echo "^;^bootstrapServers=$KAFKA;redisUri=$REDIS;archiveRoot=gs://$BUCKET/archive"
}

case "${1:-}" in
  stream)
    parameters=$(stream_parameters)
    gcloud dataflow flex-template run "$JOB_NAME" \
      --template-file-gcs-location="gs://$BUCKET/templates/analytics-stream.json" \
      "${common[@]}" \
      --enable-streaming-engine \
      --additional-experiments=use_runner_v2 \
      --parameters="$parameters"
    ;;
  update)
    parameters=$(stream_parameters)
    # Same job name, same step names: Dataflow moves the running job's state into the new one.
    gcloud dataflow flex-template run "$JOB_NAME" \
      --template-file-gcs-location="gs://$BUCKET/templates/analytics-stream.json" \
      "${common[@]}" \
      --enable-streaming-engine \
      --additional-experiments=use_runner_v2 \
      --update \
      --parameters="$parameters"
    ;;
  batch)
    DAY=${2:?usage: $0 batch YYYY-MM-DD}
    : "${DATASET:?set DATASET to PROJECT:DATASET}"
    gcloud dataflow flex-template run "analytics-batch-$DAY" \
      --template-file-gcs-location="gs://$BUCKET/templates/analytics-batch.json" \
      "${common[@]}" \
      --parameters="fromDate=$DAY,archiveRoot=gs://$BUCKET/archive,warehouse=BIGQUERY,bigQueryDataset=$DATASET,bigQueryTempLocation=gs://$BUCKET/bq-tmp"
    ;;
  direct)
    # The classic launch from this machine: it needs credentials (gcloud auth application-default
    # login) and, for the topic check, Kafka reachable from here. It follows the job until it ends;
    # Ctrl-C stops following, not the job.
    : "${KAFKA:?set KAFKA}" "${REDIS:?set REDIS}"
    java -jar runners/dataflow/target/analytics-dataflow-bundle.jar stream \
      --runner=DataflowRunner --project="$PROJECT" --region="$REGION" \
      --tempLocation="gs://$BUCKET/tmp" --jobName="$JOB_NAME" \
      --enableStreamingEngine --experiments=use_runner_v2 \
      --network="$NETWORK" ${SUBNETWORK:+--subnetwork="$SUBNETWORK"} \
      ${SERVICE_ACCOUNT:+--serviceAccount="$SERVICE_ACCOUNT"} \
      --bootstrapServers="$KAFKA" --redisUri="$REDIS" --archiveRoot="gs://$BUCKET/archive"
    ;;
  *)
    sed -n '2,13p' "$SELF" >&2
    exit 2
    ;;
esac
