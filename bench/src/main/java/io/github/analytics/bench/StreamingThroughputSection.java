package io.github.analytics.bench;

import io.github.analytics.bench.streaming.FrameworkFloor;
import io.github.analytics.bench.streaming.HotMethod;
import io.github.analytics.bench.streaming.StreamingThroughputBench;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Streaming throughput: a pre-loaded Kafka backlog through the streaming pipeline on Flink [local]
 * until every minute is complete in Redis, beside a one-thread plain-Java consumer of the same topic
 * (see {@link StreamingThroughputBench}). The pipeline runs with JFR on; its hottest frames go into
 * the notes.
 */
public final class StreamingThroughputSection implements Section {
  public static final String NAME = "streaming";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "Streaming throughput: the streaming pipeline beside a plain-Java consumer";
  }

  @Override
  public String description() {
    return "A generated day (2% retried, 1% malformed) written 96x faster (the day in 15 minutes of"
        + " event time, so windows are as full as a stream at this rate fills them) and pre-loaded"
        + " into a 4-partition topic of a real Kafka broker, then read by the streaming pipeline"
        + " (`StreamingPipeline`: parse, dedupe, geo and user-agent enrichment, every metric of the"
        + " catalog with 5 s early firings, the Redis sinks and the Kafka feeds, 60 s checkpoints as"
        + " deploy/flink, --objectReuse as the CLI) on Flink [local] with one slot per core, timed from"
        + " submission until every minute's count in Redis equals the generator's. The"
        + " baseline is one plain-Java thread reading the same topic (Jackson parse, the same checks,"
        + " a dedupe set, per-minute counts in a map, hourly HLL++): what a core does without a"
        + " framework, windowing, state or sinks. Then, in the same (now warm) JVM, the same source,"
        + " options and checkpoints cut down to their first steps and built up again (read; parse; a"
        + " shuffle by user with one state read and write per event; the production per-user stage;"
        + " enrichment; every metric without sinks), each counting what reaches its end: what each"
        + " stage costs, and what Beam on Flink costs before any of it. Per core divides the pipeline by its slots and the baseline by"
        + " one; the broker and Redis share the same cores.";
  }

  @Override
  public List<Measurement> run(BenchContext context) throws Exception {
    long events = context.settings().streamEvents();
    StreamingThroughputBench.Params params = StreamingThroughputBench.Params.defaults()
        .withEvents(events)
        .withUsers(BenchSettings.usersFor(events))
        .withParallelism(context.cores())
        .withProfile(true)
        .withWorkDir(context.workDir());
    context.log(NAME, "%,d events through the streaming pipeline on Flink [local] parallelism %d",
        events, context.cores());
    StreamingThroughputBench.Result r = StreamingThroughputBench.run(params);
    context.log(NAME, "%s", r.summary().strip());

    List<Measurement> rows = new ArrayList<>();
    rows.add(Measurement.of(NAME, "records in the topic", r.records(), Measurement.EVENTS)
        .withNote(String.format(Locale.ROOT, "%,d valid events of a generated day written %dx faster"
            + " (the day in %d minutes of event time); loaded at %,.0f records/s (not timed)",
            r.validEvents(), params.timeCompression(), 1440 / params.timeCompression(),
            r.loadEventsPerSecond())));
    rows.add(Measurement.of(NAME, "pipeline: time", r.pipelineSeconds(), Measurement.SECONDS)
        .withNote("submission to the last minute complete in Redis, job start included"));
    rows.add(Measurement.of(NAME, "pipeline: events/s", r.pipelineEventsPerSecond(),
        Measurement.EVENTS_PER_SECOND));
    rows.add(Measurement.of(NAME, "pipeline: events/s per core", r.pipelineEventsPerSecondPerCore(),
            Measurement.EVENTS_PER_SECOND_PER_CORE)
        .withTarget(Target.atLeast(StreamingThroughputBench.TARGET_EVENTS_PER_SECOND_PER_CORE))
        .withNote(hotFrames(r)));
    if (!Double.isNaN(r.secondHalfEventsPerSecond())) {
      rows.add(Measurement.of(NAME, "pipeline, second half: events/s per core",
              r.secondHalfEventsPerSecond() / r.parallelism(), Measurement.EVENTS_PER_SECOND_PER_CORE)
          .withNote("from when the minutes complete in Redis held half of the valid events to the end:"
              + " the rate once the JVM has warmed up (class loading, JIT compilation) and the job runs"));
    }
    rows.add(Measurement.of(NAME, "pipeline: Redis total minus valid events",
            Math.abs(r.redisTotal() - r.validEvents()), Measurement.EVENTS)
        .withTarget(Target.atMost(0))
        .withNote(String.format(Locale.ROOT, "sanity: Redis %,d, generator %,d", r.redisTotal(),
            r.validEvents())));
    if (!Double.isNaN(r.baselineEventsPerSecond())) {
      rows.add(Measurement.of(NAME, "plain-Java baseline: events/s per core", r.baselineEventsPerSecond(),
              Measurement.EVENTS_PER_SECOND_PER_CORE)
          .withNote(String.format(Locale.ROOT, "baseline, one thread; %,d valid events counted",
              r.baselineValidEvents())));
      rows.add(Measurement.of(NAME, "pipeline per core / baseline", r.ratioToBaselinePerCore(),
              Measurement.FRACTION)
          .withTarget(Target.atLeast(StreamingThroughputBench.TARGET_RATIO_TO_BASELINE_PER_CORE)));
    }
    for (FrameworkFloor.Run run : r.floor()) {
      rows.add(Measurement.of(NAME, "warm JVM, cut-down job: " + run.shape().description()
                  + ": events/s per core", run.recordsPerSecond() / r.parallelism(),
              Measurement.EVENTS_PER_SECOND_PER_CORE)
          .withNote(String.format(Locale.ROOT, "%.1f s for the same %,d records, job start included;"
              + " the pipeline does this and every metric", run.seconds(), run.records())));
    }
    rows.add(Measurement.of(NAME, "warm JVM, the whole pipeline again: events/s per core",
            r.records() / r.warmPipelineSeconds() / r.parallelism(), Measurement.EVENTS_PER_SECOND_PER_CORE)
        .withNote(String.format(Locale.ROOT, "%.1f s: every metric and sink again, from an empty Redis"
            + " until every minute is complete, after the cut-down jobs", r.warmPipelineSeconds())));
    if (!r.notes().isEmpty()) {
      rows.set(2, rows.get(2).withNote(String.join("; ", r.notes())));
    }
    return rows;
  }

  /** The hottest frames of the pipeline's JFR profile, for the notes. */
  private static String hotFrames(StreamingThroughputBench.Result r) {
    if (r.hotProjectFrames().isEmpty() && r.hotMethods().isEmpty()) {
      return "";
    }
    StringBuilder note = new StringBuilder("JFR (" + r.jfrFile() + "): hottest methods ");
    note.append(String.join(", ", r.hotMethods().stream().limit(5).map(HotMethod::toString).toList()));
    if (!r.hotProjectFrames().isEmpty()) {
      note.append("; by innermost project frame ");
      note.append(String.join(", ", r.hotProjectFrames().stream().limit(5).map(HotMethod::toString).toList()));
    }
    return note.toString().replaceAll("\\s+", " ");
  }
}
