package io.github.analytics.transforms.metrics;

import io.github.analytics.schemas.Event;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionRowTuple;
import org.apache.beam.sdk.values.Row;

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
 * <p>Each metric's steps are named after the metric, so a streaming job keeps its state across
 * upgrades as long as the catalog keeps its names.
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
  @SuppressWarnings("unchecked")
  public PCollectionRowTuple expand(PCollection<Event> events) {
    Map<String, PCollection<Row>> outputs = new LinkedHashMap<>();
    Set<String> names = new HashSet<>();
    for (MetricDefinition metric : catalog) {
      if (!names.add(metric.name())) {
        throw new IllegalArgumentException("The catalog lists metric '" + metric.name() + "' twice");
      }
      MetricTransform<?> transform = metric.transform(config);
      PCollection<Row> rows;
      if (metric.source() == null) {
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
      outputs.put(metric.name(), rows);
    }
    PCollectionRowTuple tuple = PCollectionRowTuple.empty(events.getPipeline());
    for (Map.Entry<String, PCollection<Row>> output : outputs.entrySet()) {
      tuple = tuple.and(output.getKey(), output.getValue());
    }
    return tuple;
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
