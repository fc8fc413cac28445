package io.github.analytics.pipelines;

import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.transforms.PipelineCounters;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.joda.time.Duration;

/**
 * What a batch run did: its range, final state, the project's counters and where its output went.
 *
 * @param missingDays days of the range that had no archive file
 * @param counters the {@link PipelineCounters} by name, summed over steps
 */
public record BatchResult(
    DateRange range,
    List<LocalDate> missingDays,
    PipelineResult.State state,
    Map<String, Long> counters,
    String warehouseLocation,
    Duration elapsed) {

  /** The value of one counter, 0 if it never moved. */
  public long counter(String name) {
    return counters.getOrDefault(name, 0L);
  }

  /**
   * Records refused, of all partitions read, including the late-arrival ones: the dead letters of
   * every reason but {@code STEP_FAILED} (those are events, counted as such).
   */
  public long deadLetters() {
    long total = 0;
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      if (reason.isRecordRefused()) {
        total += counter(PipelineCounters.deadLetterCounterName(reason));
      }
    }
    return total;
  }

  /** Valid events a step after the parser threw on, each left out of that step only. */
  public long stepFailures() {
    return counter(PipelineCounters.deadLetterCounterName(DeadLetterReason.STEP_FAILED));
  }

  /**
   * Records in = valid + dead letters; valid = events written + duplicates dropped + events of other
   * days (read from the late-arrival partitions, written by their own day's run).
   */
  public long eventsWritten() {
    return counter(BatchPipeline.EVENTS_WRITTEN);
  }

  /**
   * True when every record read is accounted for: read = valid + dead-lettered, and valid = events
   * written + events of other days + duplicates dropped, each term counted by a different step.
   */
  public boolean accountedFor() {
    return counter(PipelineCounters.PARSE_INPUT)
            == counter(PipelineCounters.PARSE_VALID) + deadLetters()
        && counter(PipelineCounters.PARSE_VALID)
            == eventsWritten() + counter(BatchPipeline.EVENTS_FOR_OTHER_DAYS)
                + counter(PipelineCounters.DUPLICATES_DROPPED);
  }

  /** Reads the project's counters from a finished pipeline (attempted values: every runner has them). */
  static Map<String, Long> counters(PipelineResult result) {
    Map<String, Long> counters = new TreeMap<>();
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(PipelineCounters.NAMESPACE))
                    .build())
            .getCounters()) {
      Long value = counter.getAttempted();
      counters.merge(counter.getName().getName(), value == null ? 0L : value, Long::sum);
    }
    return counters;
  }
}
