package io.github.analytics.pipelines.backfill;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One day's completion marker: the day's rows are in {@code warehouseLocation}, computed from the
 * archive as {@code archive} describes it.
 *
 * @param day the UTC day, YYYY-MM-DD
 * @param warehouse the warehouse kind, e.g. DUCKDB
 * @param warehouseLocation the database file or dataset the rows went to
 * @param completedAt when the rows were committed (ISO-8601 UTC)
 * @param runSeconds how long the day's job took
 * @param runner the Beam runner that ran it
 * @param lateArrivalDays the late-arrival partitions read after the day
 * @param archive what the archive held when the day was read
 * @param counts the run's main counts (records read, events written, dead letters, duplicates)
 */
public record CompletionMarker(
    @JsonProperty("day") String day,
    @JsonProperty("warehouse") String warehouse,
    @JsonProperty("warehouse_location") String warehouseLocation,
    @JsonProperty("completed_at") String completedAt,
    @JsonProperty("run_seconds") double runSeconds,
    @JsonProperty("runner") String runner,
    @JsonProperty("late_arrival_days") int lateArrivalDays,
    @JsonProperty("archive") ArchiveFingerprint archive,
    @JsonProperty("counts") Map<String, Long> counts) {}
