/**
 * The Java SDK: {@link io.github.analytics.sdk.Analytics} queues an app's events without blocking it
 * and sends them in gzipped batches to the collector's {@code /v1/batch} (Segment's tracking API),
 * retrying with exponential backoff and full jitter. No Beam, no Kafka: an app adds this jar and Jackson.
 */
package io.github.analytics.sdk;
