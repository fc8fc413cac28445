package io.github.analytics.pipelines;

import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.transforms.PipelineCounters;
import java.time.ZoneOffset;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Keeps the elements whose day (the UTC day of a timestamp they carry) lies in a range, and counts
 * the others under a named counter. The batch layer reads the days after its range for late
 * arrivals; rows of other days belong to the runs of those days, which replace them, so writing them
 * here would make re-runs double count.
 */
final class KeepDays<T> extends PTransform<PCollection<T>, PCollection<T>> {
  private static final long serialVersionUID = 1L;

  private final long fromMillis;
  private final long untilMillis;
  private final SerializableFunction<T, Instant> time;
  private final String outsideCounter;
  private final @Nullable String keptCounter;

  private KeepDays(DateRange range, SerializableFunction<T, Instant> time, String outsideCounter,
      @Nullable String keptCounter) {
    this.fromMillis = range.from().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    this.untilMillis = range.to().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    this.time = time;
    this.outsideCounter = outsideCounter;
    this.keptCounter = keptCounter;
  }

  static <T> KeepDays<T> of(
      DateRange range, SerializableFunction<T, Instant> time, String outsideCounter) {
    return new KeepDays<>(range, time, outsideCounter, null);
  }

  /** As {@link #of}, also counting the elements it keeps under {@code keptCounter}. */
  static <T> KeepDays<T> counting(DateRange range, SerializableFunction<T, Instant> time,
      String outsideCounter, String keptCounter) {
    return new KeepDays<>(range, time, outsideCounter, keptCounter);
  }

  @Override
  public PCollection<T> expand(PCollection<T> input) {
    PCollection<T> kept = input.apply(ParDo.of(new KeepFn<>(this)));
    kept.setCoder(input.getCoder());
    return kept;
  }

  private static final class KeepFn<T> extends DoFn<T, T> {
    private static final long serialVersionUID = 1L;
    private final KeepDays<T> spec;
    private final Counter outside;
    private final @Nullable Counter kept;
    /** Kept in this bundle: the counter moves once a bundle, not once an element. */
    private long keptInBundle;

    KeepFn(KeepDays<T> spec) {
      this.spec = spec;
      this.outside = Metrics.counter(PipelineCounters.NAMESPACE, spec.outsideCounter);
      this.kept = spec.keptCounter == null
          ? null
          : Metrics.counter(PipelineCounters.NAMESPACE, spec.keptCounter);
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<T> out) {
      long millis = spec.time.apply(element).getMillis();
      if (millis >= spec.fromMillis && millis < spec.untilMillis) {
        out.output(element);
        keptInBundle++;
      } else {
        outside.inc();
      }
    }

    @FinishBundle
    public void finishBundle() {
      if (kept != null && keptInBundle > 0) {
        kept.inc(keptInBundle);
      }
      keptInBundle = 0;
    }
  }
}
