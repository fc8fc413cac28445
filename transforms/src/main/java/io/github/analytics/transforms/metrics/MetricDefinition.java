package io.github.analytics.transforms.metrics;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.warehouse.DayRange;
import io.github.analytics.transforms.warehouse.RewritesDays;
import io.github.analytics.transforms.warehouse.UserHistory;
import io.github.analytics.transforms.warehouse.WarehouseMetric;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One entry of the {@link MetricCatalog}: a metric's name (its table, its Redis key prefix), what it
 * means, the timestamp column that decides which day a row belongs to, where its input comes from, and
 * how to build its transform for a {@link MetricConfig}.
 */
public final class MetricDefinition {
  private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_]*$");

  private final String name;
  private final String description;
  private final String dayColumn;
  private final @Nullable String source;
  private final Function<MetricConfig, ? extends MetricTransform<?>> factory;
  private final Schema schema;
  private final List<String> keyColumns;
  private final boolean overHistories;
  private final @Nullable RewritesDays warehousePrototype;

  private MetricDefinition(
      String name,
      String description,
      String dayColumn,
      @Nullable String source,
      Function<MetricConfig, ? extends MetricTransform<?>> factory,
      boolean overHistories) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("A metric name is lower_snake_case, got '" + name + "'");
    }
    this.name = name;
    this.description = Objects.requireNonNull(description, "description");
    this.dayColumn = dayColumn;
    this.source = source;
    this.factory = factory;
    this.overHistories = overHistories;
    MetricTransform<?> prototype = factory.apply(MetricConfig.defaults());
    this.warehousePrototype = prototype instanceof RewritesDays w ? w : null;
    if (overHistories != (prototype instanceof WarehouseMetric)) {
      throw new IllegalArgumentException(
          "Metric " + name + ": a metric over user histories is a WarehouseMetric, and only it");
    }
    this.schema = prototype.outputSchema();
    this.keyColumns = List.copyOf(prototype.keyColumns());
    for (String column : keyColumns) {
      if (!schema.hasField(column)) {
        throw new IllegalArgumentException(
            "Metric " + name + ": key column '" + column + "' is not in its schema " + schema.getFieldNames());
      }
    }
    if (!schema.hasField(dayColumn)
        || schema.getField(dayColumn).getType().getTypeName() != Schema.TypeName.DATETIME) {
      throw new IllegalArgumentException(
          "Metric " + name + ": the day column '" + dayColumn + "' must be a DATETIME field of its"
              + " schema " + schema.getFieldNames());
    }
  }

  /** A metric computed from the enriched events. */
  public static MetricDefinition onEvents(
      String name,
      String description,
      String dayColumn,
      Function<MetricConfig, ? extends MetricTransform<Event>> factory) {
    return new MetricDefinition(name, description, dayColumn, null, factory, false);
  }

  /**
   * A metric computed from the rows of the metric named {@code source}, listed earlier in the catalog:
   * for example daily distinct users merged from the hourly sketches.
   */
  public static MetricDefinition derivedFrom(
      String source,
      String name,
      String description,
      String dayColumn,
      Function<MetricConfig, ? extends MetricTransform<Row>> factory) {
    return new MetricDefinition(
        name, description, dayColumn, Objects.requireNonNull(source), factory, false);
  }

  /**
   * A warehouse metric over the users' histories across days ({@link UserHistory}): computed by the
   * batch layer only, from the catalog's {@code user_activity_daily} rows of its run and of the days
   * it reads back from the warehouse ({@link #readDays}), replacing the rows of {@link #replacedDays}.
   */
  public static MetricDefinition overUserHistories(
      String name,
      String description,
      String dayColumn,
      Function<MetricConfig, ? extends WarehouseMetric> factory) {
    return new MetricDefinition(name, description, dayColumn, null, factory, true);
  }

  /** Whether the metric reads users' histories ({@link #overUserHistories}). */
  public boolean overHistories() {
    return overHistories;
  }

  /**
   * The days whose rows a batch run over {@code run} rewrites: the run's days, or more for a metric
   * over histories (a user active today changes the retention of earlier cohorts).
   */
  public DayRange replacedDays(DayRange run) {
    return warehousePrototype == null ? run : warehousePrototype.replacedDays(run);
  }

  /** The days of users' activity a batch run over {@code run} needs for {@link #replacedDays}. */
  public DayRange readDays(DayRange run) {
    return warehousePrototype == null ? run : warehousePrototype.readDays(run);
  }

  /** {@link #replacedDays} of the metric as {@code config} builds it (a lookback may widen them). */
  public DayRange replacedDays(DayRange run, MetricConfig config) {
    return transform(config) instanceof RewritesDays w ? w.replacedDays(run) : run;
  }

  /** {@link #readDays} of the metric as {@code config} builds it. */
  public DayRange readDays(DayRange run, MetricConfig config) {
    return transform(config) instanceof RewritesDays w ? w.readDays(run) : run;
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  /** The DATETIME column whose UTC day a row belongs to: warehouses replace rows by it. */
  public String dayColumn() {
    return dayColumn;
  }

  /** The metric whose rows this one reads, or null when it reads events. */
  public @Nullable String source() {
    return source;
  }

  /** The schema of the rows, as built with the default configuration. */
  public Schema schema() {
    return schema;
  }

  /**
   * The columns that identify a row ({@link MetricTransform#keyColumns()}): sinks that keep the latest
   * value (Redis, OLAP feeds) key rows by them.
   */
  public List<String> keyColumns() {
    return keyColumns;
  }

  /** The transform for {@code config}. */
  public MetricTransform<?> transform(MetricConfig config) {
    return factory.apply(config);
  }

  @Override
  public String toString() {
    return name + (source == null ? "" : " (from " + source + ")") + ": " + description;
  }
}
