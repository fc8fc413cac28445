package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.schemas.RawEventCoder;
import io.github.analytics.transforms.ingest.DeduplicateEvents;
import io.github.analytics.transforms.ingest.ParseEvents;
import io.github.analytics.transforms.metrics.DetectAnomalies;
import io.github.analytics.transforms.metrics.WindowPolicy;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link DetectAnomalies} over whole generated days (the hand-worked cases and every lateness regime
 * are in {@code DetectAnomaliesTest}): the generator's planted error burst raises alerts and nothing
 * else does, and a day without a burst raises none.
 *
 * <p>On Flink {@code [local]}: the direct runner's state commits scan every window a key holds, so a
 * day of minute windows per event type took 45 s a case there, against a few seconds here.
 */
class AnomaliesOnAGeneratedDayTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 27);

  /** The day's alerts, parsed and deduplicated as both layers do, under the batch policy. */
  private static PCollection<Row> alertsOfAGeneratedDay(Pipeline pipeline, LocalTime anomalyAt) {
    List<RawEvent> raws = new ArrayList<>();
    for (GeneratedRecord record : EventGenerator.of(
        GeneratorConfig.forDay(DAY).withEvents(20_000).withAnomalyAt(anomalyAt))) {
      raws.add(record.raw());
    }
    return pipeline.apply(Create.of(raws).withCoder(RawEventCoder.of()))
        .apply(ParseEvents.of()).output()
        .apply(DeduplicateEvents.of())
        .apply(DetectAnomalies.of(WindowPolicy.batch()));
  }

  private static Pipeline onFlink() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs(
        "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2", "--objectReuse=true").create());
  }

  private static void runToCompletion(Pipeline pipeline) {
    // A failed PAssert fails the job, and run() throws it.
    PipelineResult.State state = pipeline.run().waitUntilFinish();
    assertTrue(state == PipelineResult.State.DONE, "the job ended " + state);
  }

  @Test
  void findsTheGeneratorsErrorBurstAndNothingElse() {
    Pipeline pipeline = onFlink();
    Instant burstStart = Instant.parse(DAY + "T14:00:00Z");
    Instant burstEnd = burstStart.plus(Duration.standardMinutes(GeneratorConfig.ANOMALY_MINUTES));
    PAssert.that(alertsOfAGeneratedDay(pipeline, LocalTime.of(14, 0))).satisfies(rows -> {
      List<String> all = new ArrayList<>();
      rows.forEach(r -> all.add(describe(r)));
      assertTrue(!all.isEmpty(), "the burst raised no alert");
      for (Row r : rows) {
        Instant start = r.getDateTime("window_start").toInstant();
        boolean inBurst = r.getString("series_key").equals("error")
            && r.getString("direction").equals("spike")
            && !start.isBefore(burstStart) && start.isBefore(burstEnd);
        assertTrue(inBurst, "an alert outside the error burst: " + describe(r) + "; all: " + all);
      }
      return null;
    });
    runToCompletion(pipeline);
  }

  @Test
  void aGeneratedDayWithoutAnomalyRaisesNothing() {
    Pipeline pipeline = onFlink();
    PAssert.that(alertsOfAGeneratedDay(pipeline, null)).satisfies(rows -> {
      List<String> all = new ArrayList<>();
      rows.forEach(r -> all.add(describe(r)));
      assertTrue(all.isEmpty(), "alerts on a day without anomaly: " + all);
      return null;
    });
    runToCompletion(pipeline);
  }

  private static String describe(Row alert) {
    return alert.getString("series_key") + " " + alert.getDateTime("window_start") + " "
        + alert.getInt64("value") + " " + alert.getString("direction");
  }
}
