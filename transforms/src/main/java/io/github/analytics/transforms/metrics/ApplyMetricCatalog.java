package io.github.analytics.transforms.metrics;

import io.github.analytics.transforms.warehouse.DayRange;
import io.github.analytics.transforms.warehouse.FirstSeen;
import io.github.analytics.transforms.warehouse.UserActivityDaily;
import io.github.analytics.transforms.warehouse.UserHistories;
import io.github.analytics.transforms.warehouse.UserHistory;
import io.github.analytics.transforms.warehouse.WarehouseMetric;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.joda.time.Duration;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollectionList;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.users.UserMetric;
import io.github.analytics.transforms.users.UserStage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionRowTuple;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Applies every metric of a catalog to the enriched events: what both layers call, so they compute
 * the same metrics with the same code. The output holds one {@code PCollection<Row>} per metric,
 * tagged with its name; each has its definition's schema.
 *
 * <pre>{@code
 * PCollectionRowTuple metrics =
 *     events.apply("Metrics", ApplyMetricCatalog.of(MetricCatalog.all(), MetricConfig.of(policy)));
 * PCollection<Row> perMinute = metrics.get("event_counts_per_minute");
 * }</pre>
 *
 * <p>The per-user parts of the metrics that have one ({@link PerUserMetric}: sessions, funnels) run in
 * one shared stage keyed by user ({@code PerUser}), so the events are shuffled by user once for all of
 * them. Each metric's steps are named after the metric, so a streaming job keeps its state across
 * upgrades as long as the catalog keeps its names (and the per-user stage its list of metrics).
 */
public final class ApplyMetricCatalog extends PTransform<PCollection<Event>, PCollectionRowTuple> {
  private static final long serialVersionUID = 1L;

  private final List<MetricDefinition> catalog;
  private final MetricConfig config;

  private ApplyMetricCatalog(List<MetricDefinition> catalog, MetricConfig config) {
    this.catalog = List.copyOf(catalog);
    this.config = config;
  }

  /** Applies {@code catalog} (in its order; a derived metric after its source) with {@code config}. */
  public static ApplyMetricCatalog of(List<MetricDefinition> catalog, MetricConfig config) {
    return new ApplyMetricCatalog(catalog, config);
  }

  @Override
  public PCollectionRowTuple expand(PCollection<Event> events) {
    List<UserMetric<?, ?>> userMetrics = userMetrics(catalog, config);
    // Every per-user metric in one stage: the events are shuffled by user once for all of them.
    PCollectionTuple perUser =
        userMetrics.isEmpty()
            ? null
            : events.apply("PerUser",
                UserStage.of(userMetrics).withEarlyFirings(config.policy().earlyFiringDelay()));
    return apply(catalog, config, events, perUser);
  }

  /**
   * The per-user parts of the catalog's {@link PerUserMetric}s, in catalog order: what a stage that
   * also deduplicates ({@code AnalyzeEvents}) runs, before {@link #apply} reads their outputs.
   */
  public static List<UserMetric<?, ?>> userMetrics(
      List<MetricDefinition> catalog, MetricConfig config) {
    List<UserMetric<?, ?>> userMetrics = new ArrayList<>();
    for (MetricDefinition metric : catalog) {
      if (metric.source() == null && metric.transform(config) instanceof PerUserMetric<?> perUser) {
        userMetrics.add(perUser.userMetric());
      }
    }
    return userMetrics;
  }

  /**
   * Applies {@code catalog} to {@code events}, reading the per-user metrics' values from {@code
   * perUser}, the output of a {@link UserStage} that ran {@link #userMetrics} (null if there are
   * none). Steps are named after the metrics, in the current scope.
   */
  public static PCollectionRowTuple apply(
      List<MetricDefinition> catalog,
      MetricConfig config,
      PCollection<Event> events,
      @Nullable PCollectionTuple perUser) {
    return apply(catalog, config, events, perUser, new ArrayList<>());
  }

  /**
   * As {@link #apply(List, MetricConfig, PCollection, PCollectionTuple)}, adding to {@code failures}
   * the dead letters of the events the metrics' guarded steps threw on ({@link
   * MetricTransform#failures}).
   */
  @SuppressWarnings("unchecked")
  public static PCollectionRowTuple apply(
      List<MetricDefinition> catalog,
      MetricConfig config,
      PCollection<Event> events,
      @Nullable PCollectionTuple perUser,
      List<PCollection<DeadLetter>> failures) {
    Map<String, PCollection<Row>> outputs = new LinkedHashMap<>();
    Set<String> names = new HashSet<>();
    for (MetricDefinition metric : catalog) {
      if (!names.add(metric.name())) {
        throw new IllegalArgumentException("The catalog lists metric '" + metric.name() + "' twice");
      }
      MetricTransform<?> transform = metric.transform(config).inDeadLettersAs(stepName(metric.name()));
      PCollection<Row> rows;
      if (metric.source() == null && transform instanceof PerUserMetric<?> perUserMetric) {
        if (perUser == null) {
          throw new IllegalArgumentException(
              "Metric '" + metric.name() + "' is computed per user, but no per-user stage ran");
        }
        rows = rowsOf(perUser, perUserMetric, metric.name());
      } else if (metric.source() == null) {
        rows = events.apply(stepName(metric.name()), (MetricTransform<Event>) transform);
      } else {
        PCollection<Row> input = outputs.get(metric.source());
        if (input == null) {
          throw new IllegalArgumentException(
              "Metric '" + metric.name() + "' reads '" + metric.source()
                  + "', which must be listed before it in the catalog");
        }
        rows = input.apply(stepName(metric.name()), (MetricTransform<Row>) transform);
      }
      if (!rows.hasSchema() || !rows.getSchema().equivalent(metric.schema())) {
        throw new IllegalStateException(
            "Metric '" + metric.name() + "' must output rows of its declared schema "
                + metric.schema() + (rows.hasSchema() ? ", got " + rows.getSchema() : ", got no schema"));
      }
      failures.addAll(transform.failures());
      outputs.put(metric.name(), rows);
    }
    PCollectionRowTuple tuple = PCollectionRowTuple.empty(events.getPipeline());
    for (Map.Entry<String, PCollection<Row>> output : outputs.entrySet()) {
      tuple = tuple.and(output.getKey(), output.getValue());
    }
    return tuple;
  }

  /**
   * Applies the warehouse metrics ({@link MetricCatalog#warehouse}) of a batch run over {@code
   * config.runDays()}: the metrics over events to {@code events}; a metric derived from another reads
   * that metric's rows of the run's days with the warehouse's rows of other days ({@code history},
   * by table name); the metrics over users' histories read the histories joined from {@code
   * user_activity_daily} so completed and the first days the warehouse recorded ({@code
   * firstSeenHistory}, {@link FirstSeen#SCHEMA}). Each metric emits every row of its {@link
   * MetricDefinition#replacedDays}.
   */
  @SuppressWarnings("unchecked")
  public static PCollectionRowTuple applyWarehouse(
      List<MetricDefinition> catalog,
      MetricConfig config,
      PCollection<Event> events,
      Map<String, PCollection<Row>> history,
      PCollection<Row> firstSeenHistory,
      List<PCollection<DeadLetter>> failures) {
    DayRange run = config.runDays();
    if (run == null) {
      throw new IllegalArgumentException(
          "The warehouse metrics rewrite the rows a run changes: set the run's days with"
              + " MetricConfig.withRunDays(...)");
    }
    Map<String, PCollection<Row>> outputs = new LinkedHashMap<>();
    PCollection<UserHistory> histories = null;
    for (MetricDefinition metric : catalog) {
      MetricTransform<?> transform = metric.transform(config).inDeadLettersAs(stepName(metric.name()));
      PCollection<Row> rows;
      if (metric.overHistories()) {
        if (histories == null) {
          histories = UserHistories.input(
                  withHistory(outputs, history, UserActivityDaily.NAME, metric.name(), run),
                  firstSeenHistory)
              .apply("UserHistories", UserHistories.of());
        }
        rows = histories.apply(stepName(metric.name()), (WarehouseMetric) transform);
      } else if (metric.source() == null) {
        rows = events.apply(stepName(metric.name()), (MetricTransform<Event>) transform);
      } else {
        rows = withHistory(outputs, history, metric.source(), metric.name(), run)
            .apply(stepName(metric.name()), (MetricTransform<Row>) transform);
      }
      if (!rows.hasSchema() || !rows.getSchema().equivalent(metric.schema())) {
        throw new IllegalStateException(
            "Metric '" + metric.name() + "' must output rows of its declared schema " + metric.schema());
      }
      failures.addAll(transform.failures());
      outputs.put(metric.name(), rows);
    }
    PCollectionRowTuple tuple = PCollectionRowTuple.empty(events.getPipeline());
    for (Map.Entry<String, PCollection<Row>> output : outputs.entrySet()) {
      tuple = tuple.and(output.getKey(), output.getValue());
    }
    return tuple;
  }

  /**
   * The rows of the warehouse metric {@code source} for a metric that reads it across runs: this
   * run's rows of its own days, and the warehouse's rows of the other days, in the global window.
   */
  private static PCollection<Row> withHistory(Map<String, PCollection<Row>> outputs,
      Map<String, PCollection<Row>> history, String source, String reader, DayRange run) {
    PCollection<Row> rows = outputs.get(source);
    PCollection<Row> before = history.get(source);
    if (rows == null || before == null) {
      throw new IllegalArgumentException(
          "Metric '" + reader + "' reads '" + source + "' across runs: list it before, and read its"
              + " history from the warehouse (got history of " + history.keySet() + ")");
    }
    String step = stepName(source);
    String dayColumn = MetricCatalog.named(source).dayColumn();
    org.apache.beam.sdk.schemas.Schema schema = rows.getSchema();
    PCollection<Row> ofTheRun = rows
        .apply(step + "OfTheRunFor" + stepName(reader), Filter.by(
            (Row row) -> run.contains(Math.floorDiv(row.getDateTime(dayColumn).getMillis(), 86_400_000L))))
        .setRowSchema(schema)
        .apply(step + "InOneWindowFor" + stepName(reader), Window.<Row>into(new GlobalWindows())
            .triggering(DefaultTrigger.of())
            .withAllowedLateness(Duration.ZERO)
            .discardingFiredPanes());
    return PCollectionList.of(ofTheRun).and(before)
        .apply(step + "WithHistoryFor" + stepName(reader), Flatten.pCollections())
        .setRowSchema(schema);
  }

  /** A per-user metric's rows, from its values in the shared stage, under the metric's step name. */
  @SuppressWarnings("unchecked")
  private static <OutputT> PCollection<Row> rowsOf(
      PCollectionTuple perUser, PerUserMetric<OutputT> metric, String name) {
    PCollection<OutputT> values = perUser.get(UserStage.output(metric.userMetric()));
    return values.apply(stepName(name), new RowsOf<>(metric));
  }

  /** Names the steps that turn a per-user metric's values into rows. */
  private static final class RowsOf<OutputT> extends PTransform<PCollection<OutputT>, PCollection<Row>> {
    private static final long serialVersionUID = 1L;
    private final PerUserMetric<OutputT> metric;

    RowsOf(PerUserMetric<OutputT> metric) {
      this.metric = metric;
    }

    @Override
    public PCollection<Row> expand(PCollection<OutputT> values) {
      return metric.rows(values);
    }
  }

  /**
   * The step name of a metric: {@code event_counts_per_minute} becomes {@code EventCountsPerMinute}.
   * Pipelines name their own steps around a metric with it, so names stay stable across releases.
   */
  public static String stepName(String metricName) {
    StringBuilder out = new StringBuilder();
    for (String part : metricName.split("_")) {
      out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return out.toString();
  }
}
