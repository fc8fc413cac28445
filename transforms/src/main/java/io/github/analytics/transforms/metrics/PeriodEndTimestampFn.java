package io.github.analytics.transforms.metrics;

import io.github.analytics.transforms.PipelineCounters;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Timestamps a metric row at the last millisecond of the period it describes ({@code startField} plus
 * {@code period}, minus 1 ms), so that a derived metric can window the row by that period.
 *
 * <p>A row straight from a windowed metric already has that timestamp (a combine emits at the end of
 * its window) and passes unchanged. A row timestamped earlier, for example one read back from a table
 * at the minimum timestamp, is moved forward to it: moving a timestamp forward needs no allowed skew
 * and never makes a row late. A row timestamped after its period cannot be moved back without
 * allowed skew (which would make it late behind the watermark); it is dropped and counted in {@link
 * PipelineCounters#METRIC_ROWS_AFTER_THEIR_PERIOD}. The catalog never produces such a row.
 */
final class PeriodEndTimestampFn extends DoFn<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final String startField;
  private final Duration period;
  private final Counter afterPeriod =
      PipelineCounters.counter(PipelineCounters.METRIC_ROWS_AFTER_THEIR_PERIOD);

  PeriodEndTimestampFn(String startField, Duration period) {
    this.startField = startField;
    this.period = period;
  }

  @ProcessElement
  public void process(@Element Row row, @Timestamp Instant timestamp, OutputReceiver<Row> out) {
    Instant last = row.getDateTime(startField).toInstant().plus(period).minus(Duration.millis(1));
    if (timestamp.equals(last)) {
      out.output(row);
    } else if (timestamp.isBefore(last)) {
      out.outputWithTimestamp(row, last);
    } else {
      afterPeriod.inc();
    }
  }
}
