#!/usr/bin/env bash
# Builds the Dataflow bundle and the two Flex Templates (streaming and batch) from it.
#   deploy/dataflow/build.sh PROJECT REGION BUCKET [REPOSITORY]
# Needs: JDK 17, Maven, gcloud authenticated for PROJECT, an Artifact Registry Docker repository
# (REPOSITORY, default "analytics") in REGION, and write access to gs://BUCKET. See README.md.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 PROJECT REGION BUCKET [REPOSITORY]   (e.g. $0 my-project europe-west1 my-bucket)" >&2
  exit 2
fi
PROJECT=$1 REGION=$2 BUCKET=$3 REPOSITORY=${4:-analytics}
cd "$(dirname "$0")/../.."
command -v gcloud >/dev/null || { echo "build.sh: gcloud is not installed: https://cloud.google.com/sdk/docs/install" >&2; exit 2; }

# 1. The bundle: one jar with every dependency (about 2.5 minutes and 335 MB). No `mvn install`.
mvn -B -q -Pdataflow-bundle -pl runners/dataflow -am package -DskipTests
BUNDLE=runners/dataflow/target/analytics-dataflow-bundle.jar
test -f "$BUNDLE" || { echo "build.sh: $BUNDLE was not built" >&2; exit 1; }

# 2. Check the streaming job offline before publishing it (no credentials used).
java -cp "$BUNDLE" io.github.analytics.runners.dataflow.DataflowCheck stream \
  --project="$PROJECT" --region="$REGION" --tempLocation="gs://$BUCKET/tmp" \
  --enableStreamingEngine --experiments=use_runner_v2 \
  --bootstrapServers=kafka.invalid:9092 --redisUri=redis://redis.invalid:6379 \
  --archiveRoot="gs://$BUCKET/archive"

# 3. The templates: an image with the bundle, and a spec file on Cloud Storage for each job.
IMAGE_BASE="$REGION-docker.pkg.dev/$PROJECT/$REPOSITORY"
gcloud dataflow flex-template build "gs://$BUCKET/templates/analytics-stream.json" \
  --project="$PROJECT" \
  --image-gcr-path="$IMAGE_BASE/analytics-stream:latest" \
  --sdk-language=JAVA \
  --flex-template-base-image=JAVA17 \
  --jar="$BUNDLE" \
  --env=FLEX_TEMPLATE_JAVA_MAIN_CLASS=io.github.analytics.runners.dataflow.LaunchStreamingJob \
  --metadata-file=deploy/dataflow/metadata-stream.json

gcloud dataflow flex-template build "gs://$BUCKET/templates/analytics-batch.json" \
  --project="$PROJECT" \
  --image-gcr-path="$IMAGE_BASE/analytics-batch:latest" \
  --sdk-language=JAVA \
  --flex-template-base-image=JAVA17 \
  --jar="$BUNDLE" \
  --env=FLEX_TEMPLATE_JAVA_MAIN_CLASS=io.github.analytics.runners.dataflow.LaunchBatchJob \
  --metadata-file=deploy/dataflow/metadata-batch.json

echo "Templates: gs://$BUCKET/templates/analytics-stream.json and gs://$BUCKET/templates/analytics-batch.json"
