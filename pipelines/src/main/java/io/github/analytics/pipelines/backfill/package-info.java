/**
 * Backfills: the batch layer run day by day over a range, resumable through per-day completion markers
 * that record what the archive held when each day was written.
 */
package io.github.analytics.pipelines.backfill;
