package io.github.analytics.pipelines.io;

import com.google.api.services.bigquery.model.Clustering;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableSchema;
import com.google.api.services.bigquery.model.TimePartitioning;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.metrics.MetricCatalog;
import io.github.analytics.transforms.metrics.MetricDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryUtils;
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The BigQuery form of the warehouse's tables, derived from the Beam schemas of the pipeline's
 * outputs (never kept by hand): the {@link TableSchema} ({@link BigQueryUtils#toTableSchema}), DAY
 * partitioning on the table's day column, clustering on its key columns, and the DDL of every table
 * ({@link #ddl}), from which {@code deploy/bigquery/tables.sql} is generated.
 *
 * <p>Type mapping: Beam {@code DATETIME} is {@code TIMESTAMP}, {@code INT64} is {@code INT64},
 * {@code DOUBLE} is {@code FLOAT64}, {@code BYTES} is {@code BYTES} (so the HLL++ {@code sketch}
 * columns are what BigQuery's {@code HLL_COUNT.MERGE} and {@code HLL_COUNT.EXTRACT} read), a
 * non-nullable field is {@code NOT NULL}.
 */
public final class BigQuerySchemas {
  /** BigQuery clusters on at most four columns. */
  static final int MAX_CLUSTERING_COLUMNS = 4;
  /** Column types BigQuery can cluster on (not FLOAT64, BYTES, arrays or structs). */
  private static final Set<String> CLUSTERABLE =
      Set.of("STRING", "INT64", "TIMESTAMP", "DATE", "DATETIME", "BOOL", "NUMERIC", "BIGNUMERIC",
          "GEOGRAPHY");
  /** The events table's filters of choice: by type, then a user's events together. */
  static final List<String> EVENTS_CLUSTERING = List.of("event_type", "user_id");
  /** Dead letters are read by reason, then by the step that rejected them. */
  static final List<String> DEAD_LETTERS_CLUSTERING = List.of("reason", "step");

  /** One warehouse table: what the batch pipeline writes under {@code name}. */
  public record Table(
      String name, String description, Schema schema, String dayColumn, List<String> clustering) {
    public Table {
      clustering = List.copyOf(clustering);
    }

    /** The BigQuery schema, converted from the Beam schema. */
    public TableSchema tableSchema() {
      return BigQuerySchemas.tableSchema(schema);
    }

    /** DAY partitioning on the day column. */
    public TimePartitioning timePartitioning() {
      return new TimePartitioning().setType("DAY").setField(dayColumn);
    }

    /** The clustering, or null when the table has no column to cluster on. */
    public @Nullable Clustering bigQueryClustering() {
      return clustering.isEmpty() ? null : new Clustering().setFields(clustering);
    }
  }

  private BigQuerySchemas() {}

  /**
   * Every table the batch pipeline writes, in its order: {@code events}, {@code dead_letters}, then
   * one per metric of the {@link MetricCatalog}.
   */
  public static List<Table> tables() {
    List<Table> tables = new ArrayList<>();
    SchemaRegistry registry = SchemaRegistry.createDefault();
    try {
      Schema events = registry.getSchema(Event.class);
      Schema deadLetters = registry.getSchema(DeadLetter.class);
      tables.add(new Table("events",
          "One row per unique valid event, enriched; partitioned by the UTC day of its event time",
          events, "event_timestamp", clustering(events, "event_timestamp", EVENTS_CLUSTERING)));
      tables.add(new Table("dead_letters",
          "One row per rejected record with its original payload, the reason and the step;"
              + " partitioned by the UTC day it arrived",
          deadLetters, "received_at",
          clustering(deadLetters, "received_at", DEAD_LETTERS_CLUSTERING)));
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException("Event and DeadLetter must have Beam schemas", e);
    }
    for (MetricDefinition metric : java.util.stream.Stream.concat(
        MetricCatalog.all().stream(), MetricCatalog.warehouse().stream()).toList()) {
      tables.add(new Table(metric.name(), metric.description(), metric.schema(),
          metric.dayColumn(), clustering(metric.schema(), metric.dayColumn(), metric.keyColumns())));
    }
    return tables;
  }

  /** The table of that name, if the pipeline writes one. */
  public static Optional<Table> table(String name) {
    return tables().stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** The BigQuery schema of a Beam schema. */
  public static TableSchema tableSchema(Schema schema) {
    return BigQueryUtils.toTableSchema(schema);
  }

  /**
   * The columns to cluster on: the key columns other than the day column (partitioning already
   * covers it), of types BigQuery clusters on, at most four, in key order.
   */
  static List<String> clustering(Schema schema, String dayColumn, List<String> keyColumns) {
    List<String> columns = new ArrayList<>();
    for (TableFieldSchema field : tableSchema(schema).getFields()) {
      if (keyColumns.contains(field.getName()) && !field.getName().equals(dayColumn)
          && !"REPEATED".equals(field.getMode()) && CLUSTERABLE.contains(field.getType())) {
        columns.add(field.getName());
      }
    }
    columns.sort(java.util.Comparator.comparingInt(keyColumns::indexOf));
    return columns.subList(0, Math.min(columns.size(), MAX_CLUSTERING_COLUMNS));
  }

  /**
   * The DDL of every table: {@code CREATE TABLE IF NOT EXISTS}, partitioned by {@code DATE(day
   * column)}, clustered, with the table's description. Table names are qualified with {@code dataset}
   * ({@code PROJECT.DATASET} or {@code DATASET}), or unqualified when it is null, for {@code bq query
   * --dataset_id=PROJECT:DATASET}.
   */
  public static String ddl(@Nullable String dataset) {
    StringBuilder out = new StringBuilder();
    out.append("-- The warehouse's tables in BigQuery, one per output of the batch pipeline.\n")
        .append("-- GENERATED from the pipeline's Beam schemas by BigQuerySchemas.ddl: do not edit.\n")
        .append("-- Regenerate with: mvn -pl pipelines -am test -Dtest=BigQuerySchemasTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -DregenerateDdl=true\n")
        .append("-- Apply with: bq query --use_legacy_sql=false --dataset_id=PROJECT:DATASET"
            + " < deploy/bigquery/tables.sql\n");
    for (Table table : tables()) {
      out.append('\n');
      out.append("CREATE TABLE IF NOT EXISTS `")
          .append(dataset == null ? "" : dataset + ".").append(table.name()).append("` (\n");
      List<TableFieldSchema> fields = table.tableSchema().getFields();
      for (int i = 0; i < fields.size(); i++) {
        out.append("  ").append(column(fields.get(i))).append(i + 1 < fields.size() ? ",\n" : "\n");
      }
      out.append(")\n");
      out.append("PARTITION BY DATE(").append(quoteName(table.dayColumn())).append(")\n");
      if (!table.clustering().isEmpty()) {
        out.append("CLUSTER BY ")
            .append(String.join(", ", table.clustering().stream().map(BigQuerySchemas::quoteName).toList()))
            .append('\n');
      }
      out.append("OPTIONS (description = ").append(quote(table.description())).append(");\n");
    }
    return out.toString();
  }

  private static String column(TableFieldSchema field) {
    String type = type(field);
    if ("REPEATED".equals(field.getMode())) {
      return quoteName(field.getName()) + " ARRAY<" + type + ">";
    }
    return quoteName(field.getName()) + " " + type + ("REQUIRED".equals(field.getMode()) ? " NOT NULL" : "");
  }

  private static String type(TableFieldSchema field) {
    if (field.getFields() == null || field.getFields().isEmpty()) {
      return field.getType();
    }
    List<String> members = new ArrayList<>();
    for (TableFieldSchema member : field.getFields()) {
      members.add(column(member));
    }
    return "STRUCT<" + String.join(", ", members) + ">";
  }

  /** Column names in backticks: some (day, value, step, precision) read like SQL words. */
  private static String quoteName(String name) {
    return "`" + name + "`";
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
