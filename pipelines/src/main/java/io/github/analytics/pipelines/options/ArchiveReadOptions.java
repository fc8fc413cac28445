package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Which part of the Parquet archive a bounded pipeline reads. */
public interface ArchiveReadOptions extends ArchiveOptions {
  @Description("First archive day to read (UTC, YYYY-MM-DD, inclusive).")
  @Validation.Required
  String getFromDate();

  void setFromDate(String value);

  @Description("Last archive day to read (UTC, YYYY-MM-DD, inclusive). Defaults to --fromDate.")
  String getToDate();

  void setToDate(String value);

  @Description(
      "Late arrivals: the archive is partitioned by arrival, so a day's events and metrics also take in"
          + " the events archived up to this many days after it (offline clients catching up). Those"
          + " later partitions are read, but only rows of the requested days are written. Events that"
          + " arrive later still are counted (events_for_other_days) and reach the metrics when their"
          + " day is re-run.")
  @Default.Integer(1)
  int getLateArrivalDays();

  void setLateArrivalDays(int value);
}
