package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.services.bigquery.model.TableFieldSchema;
import io.github.analytics.transforms.metrics.MetricCatalog;
import io.github.analytics.transforms.metrics.MetricDefinition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BigQuerySchemasTest {
  /** The checked-in DDL, relative to the pipelines module (where Maven runs the tests). */
  private static final Path TABLES_SQL = Paths.get("..", "deploy", "bigquery", "tables.sql");

  @Test
  void theCheckedInDdlIsWhatTheSchemasGenerate() throws Exception {
    String generated = BigQuerySchemas.ddl(null);
    if (Boolean.getBoolean("regenerateDdl")) {
      Files.writeString(TABLES_SQL, generated, StandardCharsets.UTF_8);
    }
    String checkedIn = Files.exists(TABLES_SQL)
        ? Files.readString(TABLES_SQL, StandardCharsets.UTF_8) : "(missing)";
    assertEquals(generated, checkedIn,
        "deploy/bigquery/tables.sql differs from the DDL the pipeline's schemas generate. If the"
            + " schema change is intended, regenerate it with `mvn -pl pipelines -am test"
            + " -Dtest=BigQuerySchemasTest -Dsurefire.failIfNoSpecifiedTests=false"
            + " -DregenerateDdl=true`, review the diff, and migrate existing tables (ALTER TABLE ..."
            + " ADD COLUMN) before deploying.");
  }

  @Test
  void everyOutputHasATableWithItsDayColumnAndKeys() {
    Map<String, BigQuerySchemas.Table> tables = BigQuerySchemas.tables().stream()
        .collect(Collectors.toMap(BigQuerySchemas.Table::name, t -> t));
    assertEquals("event_timestamp", tables.get("events").dayColumn());
    assertEquals("received_at", tables.get("dead_letters").dayColumn());
    for (MetricDefinition metric : java.util.stream.Stream.concat(
        MetricCatalog.all().stream(), MetricCatalog.warehouse().stream()).toList()) {
      BigQuerySchemas.Table table = tables.get(metric.name());
      assertEquals(metric.dayColumn(), table.dayColumn(), metric.name());
      assertEquals("TIMESTAMP", type(table, metric.dayColumn()), metric.name());
      // Clustering: the keys other than the day column, in key order.
      List<String> expected = metric.keyColumns().stream()
          .filter(k -> !k.equals(metric.dayColumn())).toList();
      assertEquals(expected, table.clustering(), metric.name());
    }
    assertEquals(2 + MetricCatalog.all().size() + MetricCatalog.warehouse().size(), tables.size());
  }

  @Test
  void sketchesAreBytesAndTimestampsAreTimestamps() {
    for (String name : List.of("distinct_users_hourly", "distinct_users_daily")) {
      BigQuerySchemas.Table table = BigQuerySchemas.table(name).orElseThrow();
      assertEquals("BYTES", type(table, "sketch"), name);
      assertEquals("REQUIRED", mode(table, "sketch"), name);
    }
    assertEquals("TIMESTAMP", type(BigQuerySchemas.table("events").orElseThrow(), "event_timestamp"));
    assertEquals("BYTES", type(BigQuerySchemas.table("dead_letters").orElseThrow(), "payload"));
    String ddl = BigQuerySchemas.ddl("my-project.analytics");
    assertTrue(ddl.contains("CREATE TABLE IF NOT EXISTS `my-project.analytics.distinct_users_hourly` ("),
        ddl);
    assertTrue(ddl.contains("  `sketch` BYTES NOT NULL"), ddl);
    assertTrue(ddl.contains("PARTITION BY DATE(`window_start`)\nCLUSTER BY `event_type`\n"), ddl);
  }

  private static String type(BigQuerySchemas.Table table, String column) {
    return field(table, column).getType();
  }

  private static String mode(BigQuerySchemas.Table table, String column) {
    return field(table, column).getMode();
  }

  private static TableFieldSchema field(BigQuerySchemas.Table table, String column) {
    return table.tableSchema().getFields().stream()
        .filter(f -> f.getName().equals(column)).findFirst()
        .orElseThrow(() -> new AssertionError(table.name() + " has no column " + column));
  }
}
