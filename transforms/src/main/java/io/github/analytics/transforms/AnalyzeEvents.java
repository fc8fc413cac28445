package io.github.analytics.transforms;

import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.transforms.ingest.IngestEvents;
import io.github.analytics.transforms.metrics.ApplyMetricCatalog;
import io.github.analytics.transforms.metrics.MetricConfig;
import io.github.analytics.transforms.metrics.MetricDefinition;
import io.github.analytics.transforms.users.UserMetric;
import io.github.analytics.transforms.users.UserStage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionRowTuple;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The one code path both layers run: raw records in; dead letters, the unique enriched events and every
 * metric of the catalog out. Steps:
 *
 * <ol>
 *   <li>{@code ParseEvents}: records to events or dead letters ({@link IngestEvents#parse()}).
 *   <li>{@code PerUser}: one stateful stage keyed by {@code user_id} ({@link UserStage}) that
 *       deduplicates ({@link IngestEvents#deduplicate()}) and runs the per-user part of every
 *       per-user metric (sessions, funnels), so the events are shuffled once for all of it.
 *   <li>{@code EnrichEvents}: geolocation and device of the unique events ({@link
 *       IngestEvents#enrich()}).
 *   <li>The metrics, each under its own step name ({@link ApplyMetricCatalog#apply}); the per-user
 *       metrics read their values from the stage.
 * </ol>
 *
 * <p>It is {@link IngestEvents} followed by {@link ApplyMetricCatalog} with the two per-user stages
 * (deduplication, metrics) fused into one; the per-user metrics see the parsed events before
 * enrichment (they use no enriched field).
 *
 * <pre>{@code
 * AnalyzeEvents.Result result = raw.apply("Analyze",
 *     AnalyzeEvents.of(IngestEvents.of(parse, dedupe, enrich), MetricCatalog.all(), config));
 * result.events(); result.deadLetters(); result.metrics().get("sessions");
 * }</pre>
 */
public final class AnalyzeEvents extends PTransform<PCollection<RawEvent>, AnalyzeEvents.Result> {
  private static final long serialVersionUID = 1L;

  private final IngestEvents ingest;
  private final List<MetricDefinition> catalog;
  private final MetricConfig config;

  private AnalyzeEvents(IngestEvents ingest, List<MetricDefinition> catalog, MetricConfig config) {
    this.ingest = ingest;
    this.catalog = List.copyOf(catalog);
    this.config = config;
  }

  public static AnalyzeEvents of(
      IngestEvents ingest, List<MetricDefinition> catalog, MetricConfig config) {
    return new AnalyzeEvents(ingest, catalog, config);
  }

  @Override
  public Result expand(PCollection<RawEvent> raw) {
    WithFailures.Result<PCollection<Event>, DeadLetter> parsed =
        raw.apply("ParseEvents", ingest.parse());
    List<UserMetric<?, ?>> userMetrics = ApplyMetricCatalog.userMetrics(catalog, config);
    PCollectionTuple perUser =
        parsed.output().apply("PerUser",
            UserStage.of(userMetrics)
                .withDeduplication(ingest.deduplicate().horizon())
                .withEarlyFirings(config.policy().earlyFiringDelay()));
    PCollection<Event> events = perUser.get(UserStage.EVENTS).apply("EnrichEvents", ingest.enrich());
    List<PCollection<DeadLetter>> stepFailures = new ArrayList<>();
    stepFailures.add(perUser.get(UserStage.FAILURES));
    PCollectionRowTuple metrics = ApplyMetricCatalog.apply(catalog, config, events, perUser, stepFailures);
    return new Result(raw.getPipeline(), events, parsed.failures(),
        PCollectionList.of(stepFailures).apply("StepFailures", Flatten.pCollections()), metrics);
  }

  /** The unique enriched events, the dead letters, and one collection of rows per metric. */
  public static final class Result implements POutput {
    private static final TupleTag<Event> EVENTS = new TupleTag<>("events");
    private static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters");
    private static final TupleTag<DeadLetter> STEP_FAILURES = new TupleTag<>("stepFailures");

    private final Pipeline pipeline;
    private final PCollection<Event> events;
    private final PCollection<DeadLetter> deadLetters;
    private final PCollection<DeadLetter> stepFailures;
    private final PCollectionRowTuple metrics;

    private Result(
        Pipeline pipeline,
        PCollection<Event> events,
        PCollection<DeadLetter> deadLetters,
        PCollection<DeadLetter> stepFailures,
        PCollectionRowTuple metrics) {
      this.pipeline = pipeline;
      this.events = events;
      this.deadLetters = deadLetters;
      this.stepFailures = stepFailures;
      this.metrics = metrics;
    }

    /** Unique valid events, enriched, at their event times. */
    public PCollection<Event> events() {
      return events;
    }

    /** Records that could not be parsed (or that the parser threw on), with their reasons. */
    public PCollection<DeadLetter> deadLetters() {
      return deadLetters;
    }

    /**
     * Valid events a step after the parser threw on ({@code STEP_FAILED} dead letters), each left
     * out of that step only; kept apart from {@link #deadLetters} because they are events, not
     * refused records (and because a Flatten of the two lost records on Spark's batch runner, see
     * the README's <i>Poison pills</i>).
     */
    public PCollection<DeadLetter> stepFailures() {
      return stepFailures;
    }

    /** One collection of rows per metric of the catalog, under the metric's name. */
    public PCollectionRowTuple metrics() {
      return metrics;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      java.util.Map<TupleTag<?>, PValue> values = new java.util.LinkedHashMap<>();
      values.put(EVENTS, events);
      values.put(DEAD_LETTERS, deadLetters);
      values.put(STEP_FAILURES, stepFailures);
      values.putAll(metrics.expand());
      return values;
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName, PInput input, PTransform<?, ?> transform) {}
  }
}
