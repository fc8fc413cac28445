package io.github.analytics.bench.streaming;

import static io.github.analytics.bench.streaming.BenchFiles.progress;

import io.github.analytics.pipelines.StreamingPipeline;
import io.github.analytics.pipelines.StreamingPipelineOptions;
import io.github.analytics.pipelines.options.IngestSettings;
import io.github.analytics.pipelines.options.MetricSettings;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.EventCoder;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.transforms.AnalyzeEvents;
import io.github.analytics.transforms.ingest.IngestEvents;
import io.github.analytics.transforms.metrics.ApplyMetricCatalog;
import io.github.analytics.transforms.metrics.MetricCatalog;
import io.github.analytics.transforms.metrics.MetricConfig;
import io.github.analytics.transforms.users.UserStage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * What Beam on Flink costs before any metric, and what each stage of the pipeline adds: the streaming
 * job's own source, options and checkpoints, cut down to its first steps and built up again, over the
 * same topic as the pipeline. Each shape counts what reaches its end in this JVM (Flink {@code
 * [local]} runs here) and is timed from submission until all of it has, like the pipeline. They run
 * after the pipeline, in a warm JVM: compare them with the pipeline's second half, not its whole run.
 *
 * <ul>
 *   <li>{@link Shape#READ}: {@code ReadKafka} (KafkaIO through Beam's unbounded-source wrapper, which
 *       updates the step's metrics on every record) and one counting step;
 *   <li>{@link Shape#PARSE}: also {@code ParseEvents}, the production parser;
 *   <li>{@link Shape#KEYED_STATE}: also the shuffle by {@code user_id} and one value-state read and
 *       write per event in a stateful step: the least a per-user stage does;
 *   <li>{@link Shape#USER_STAGE}: the production per-user stage instead (dedupe, sessions, funnels,
 *       early values), counting the unique valid events it passes on;
 *   <li>{@link Shape#ENRICHED}: and enrichment;
 *   <li>{@link Shape#METRICS}: the whole shared path ({@code AnalyzeEvents}, every metric of the
 *       catalog) without the sinks.
 * </ul>
 *
 * <p>A shape's rate bounds the pipeline's from above: the pipeline does all of it and more.
 */
public final class FrameworkFloor {
  private FrameworkFloor() {}

  /** The cut-down jobs, each one step longer than the one before. */
  public enum Shape {
    READ("read from Kafka, count"),
    PARSE("read, parse, count"),
    KEYED_STATE("read, parse, shuffle by user, one state read and write per event, count"),
    USER_STAGE("read, parse, the production per-user stage (dedupe, sessions, funnels), count"),
    ENRICHED("read, parse, per-user stage, enrichment, count"),
    METRICS("read, parse, per-user stage, enrichment, every metric (no sinks), count");

    private final String description;

    Shape(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  /** One shape's run: its time from submission until every record reached the end. */
  public record Run(Shape shape, long records, double seconds) {
    public double recordsPerSecond() {
      return records / seconds;
    }
  }

  /** Records that reached the end of the running shape (one shape runs at a time). */
  private static final LongAdder REACHED = new LongAdder();

  /**
   * Runs every shape over {@code records} records of the topic the pipeline's {@code args} name, of
   * which {@code validEvents} are unique and valid.
   */
  static List<Run> runAll(List<String> args, long records, long validEvents, Duration timeout) {
    List<Run> runs = new ArrayList<>();
    for (Shape shape : Shape.values()) {
      // A consumer group of its own, so each shape reads the topic from the start.
      List<String> shapeArgs = new ArrayList<>(args);
      shapeArgs.removeIf(arg -> arg.startsWith("--consumerGroup="));
      shapeArgs.add("--consumerGroup=floor-" + shape.name().toLowerCase() + "-" + System.nanoTime());
      runs.add(run(shape, shapeArgs, records, countsRecords(shape) ? records : validEvents, timeout));
    }
    return runs;
  }

  /** Runs {@code shape} until {@code expected} elements reached its end; the rate is of {@code records}. */
  static Run run(Shape shape, List<String> args, long records, long expected, Duration timeout) {
    PipelineOptionsFactory.register(StreamingPipelineOptions.class);
    StreamingPipelineOptions options = PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .withValidation()
        .as(StreamingPipelineOptions.class);
    options.setStreaming(true);
    Pipeline pipeline = Pipeline.create(options);
    PCollection<RawEvent> raw = pipeline.apply("ReadKafka", StreamingPipeline.source(options));
    build(shape, raw, IngestSettings.configure(options),
        MetricSettings.configure(options, StreamingPipeline.windowPolicy(options)));
    REACHED.reset();
    progress("cut-down job: " + shape.description());
    long submitted = System.nanoTime();
    PipelineResult result = pipeline.run();
    try {
      long deadline = submitted + timeout.toNanos();
      while (REACHED.sum() < expected) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(String.format(
              "The cut-down job (%s) saw %,d of %,d elements after %s", shape.description(),
              REACHED.sum(), expected, timeout));
        }
        if (result.getState().isTerminal()) {
          throw new IllegalStateException("The cut-down job (" + shape.description()
              + ") ended early: " + result.getState() + "; see the log above");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      double seconds = (System.nanoTime() - submitted) / 1e9;
      progress(String.format("cut-down job: %s: %,d records in %.1f s", shape.description(),
          records, seconds));
      return new Run(shape, records, seconds);
    } finally {
      StreamingJob.cancel(result, "the cut-down job (" + shape.description() + ")");
    }
  }

  /**
   * Appends {@code shape}'s steps to {@code raw}, ending in a step that counts what reaches it (see
   * {@link #reached()}): the same steps over the streaming layer's source and the batch layer's.
   */
  public static void build(Shape shape, PCollection<RawEvent> raw, IngestEvents ingest, MetricConfig config) {
    switch (shape) {
      case READ -> raw.apply("Count", ParDo.of(new CountFn<>()));
      case METRICS -> raw.apply("Analyze", AnalyzeEvents.of(ingest, MetricCatalog.all(), config))
          .events()
          .apply("Count", ParDo.of(new CountFn<>()));
      default -> {
        WithFailures.Result<PCollection<Event>, DeadLetter> parsed =
            raw.apply("ParseEvents", ingest.parse());
        if (shape == Shape.PARSE) {
          parsed.failures().apply("CountDeadLetters", ParDo.of(new CountFn<>()));
          parsed.output().apply("Count", ParDo.of(new CountFn<>()));
        } else if (shape == Shape.KEYED_STATE) {
          parsed.failures().apply("CountDeadLetters", ParDo.of(new CountFn<>()));
          parsed.output()
              .apply("KeyByUser", MapElements
                  .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(Event.class)))
                  .via((Event e) -> KV.of(e.getUserId(), e)))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), EventCoder.of()))
              .apply("PerUser", ParDo.of(new PerUserCountFn()));
        } else {
          PCollection<Event> unique = parsed.output()
              .apply("PerUser", UserStage.of(ApplyMetricCatalog.userMetrics(MetricCatalog.all(), config))
                  .withDeduplication(ingest.deduplicate().horizon())
                  .withEarlyFirings(config.policy().earlyFiringDelay()))
              .get(UserStage.EVENTS);
          if (shape == Shape.ENRICHED) {
            unique = unique.apply("EnrichEvents", ingest.enrich());
          }
          unique.apply("Count", ParDo.of(new CountFn<>()));
        }
      }
    }
  }

  /** Whether the end of {@code shape} sees every record, or the unique valid events only. */
  public static boolean countsRecords(Shape shape) {
    return shape.ordinal() <= Shape.KEYED_STATE.ordinal();
  }

  /** What reached the end of the shape that ran last, since {@link #resetReached()}. */
  public static long reached() {
    return REACHED.sum();
  }

  /** Starts counting again, before a shape runs (one runs at a time). */
  public static void resetReached() {
    REACHED.reset();
  }

  /** Counts what reaches it. */
  private static final class CountFn<T> extends DoFn<T, Void> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process() {
      REACHED.increment();
    }
  }

  /** One value-state read and write per event, as a per-user stage does at the least. */
  private static final class PerUserCountFn extends DoFn<KV<String, Event>, Void> {
    private static final long serialVersionUID = 1L;

    @StateId("seen")
    private final StateSpec<ValueState<Long>> seenSpec = StateSpecs.value(VarLongCoder.of());

    @ProcessElement
    public void process(@StateId("seen") ValueState<Long> seen) {
      Long before = seen.read();
      seen.write(before == null ? 1L : before + 1);
      REACHED.increment();
    }
  }
}
