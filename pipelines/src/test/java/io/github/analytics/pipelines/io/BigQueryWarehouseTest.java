package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import com.google.zetasketch.HyperLogLogPlusPlus;
import io.github.analytics.generator.ArchiveWriter;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.MmdbWriter;
import io.github.analytics.pipelines.BackfillOptions;
import io.github.analytics.pipelines.BatchPipeline;
import io.github.analytics.pipelines.backfill.Backfill;
import io.github.analytics.pipelines.BatchPipelineOptions;
import io.github.analytics.pipelines.BatchResult;
import io.github.analytics.pipelines.options.DateRange;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BigQuery warehouse end to end on two small generated days, on Flink [local], against Beam's BigQuery
 * fakes given BigQuery's partition semantics ({@link PartitionedFakeBigQuery}). The oracle is an
 * independent sink: the same pipeline run writes the DuckDB warehouse too, and every BigQuery table
 * must hold the same rows, row for row, in the partitions of their days. Sketches are checked with
 * the ZetaSketch library, the implementation BigQuery's HLL_COUNT functions share.
 */
class BigQueryWarehouseTest {
  private static final LocalDate DAY_1 = LocalDate.parse("2026-11-27");
  private static final LocalDate DAY_2 = LocalDate.parse("2026-11-28");
  private static final String PROJECT = "test-project";
  private static final String DATASET = "analytics";
  private static final DateTimeFormatter BIGQUERY_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'");

  @TempDir static Path dir;
  private static Path archive;
  private static Path geoDatabase;

  @BeforeAll
  static void generateTwoDays() throws Exception {
    archive = dir.resolve("archive");
    geoDatabase = dir.resolve("geo.mmdb");
    MmdbWriter.writeGeoFixture(geoDatabase);
    try (ArchiveWriter writer = ArchiveWriter.open(archive, "test")) {
      for (LocalDate day : List.of(DAY_1, DAY_2)) {
        GeneratorConfig config = GeneratorConfig.forDay(day).withSeed(day.getDayOfMonth())
            .withEvents(1_500).withUsers(200).withMalformedShare(0.03)
            .withAnomalyAt(LocalTime.of(14, 0));
        EventGenerator.of(config).generate(record -> writer.write(record.raw()));
      }
    }
  }

  private static BatchPipelineOptions options(LocalDate from, LocalDate to, String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "--archiveRoot=" + archive,
        "--fromDate=" + from,
        "--toDate=" + to,
        "--geoDatabase=" + geoDatabase,
        "--duckDbPath=" + dir.resolve("oracle.duckdb"),
        "--warehouse=BIGQUERY",
        "--bigQueryDataset=" + PROJECT + ":" + DATASET,
        "--bigQueryTempLocation=" + dir.resolve("bigquery-temp"),
        // Flink, not the direct runner: the direct runner walks the whole graph for every bundle,
        // and ten BigQuery loads beside ten DuckDB writes make that graph large.
        "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=1"));
    args.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).withValidation()
        .as(BatchPipelineOptions.class);
  }

  /** Runs the batch layer into BigQuery (the fakes) and the DuckDB oracle in the same pipeline. */
  private static BigQueryWarehouse runIntoBoth(
      BatchPipelineOptions options, FakeBigQueryServices services) throws Exception {
    BigQueryWarehouse bigQuery = BigQueryWarehouse.from(options).withTestServices(services);
    DuckDbWarehouse duckDb = DuckDbWarehouse.at(options.getDuckDbPath(), null, "run-" + System.nanoTime());
    BatchResult result = BatchPipeline.run(options, new BothWarehouses(bigQuery, duckDb));
    assertEquals(PipelineResult.State.DONE, result.state());
    assertTrue(result.accountedFor(), "read = valid + dead-lettered, valid = written + other days + duplicates");
    return bigQuery;
  }

  @Test
  void writesEveryTableByPartitionAndReRunsReplaceDays() throws Exception {
    FakeBigQueryServices services = PartitionedFakeBigQuery.create(PROJECT, DATASET);

    // Run 1: both days, with a low anomaly threshold so that both days have anomalies.
    BigQueryWarehouse first = runIntoBoth(options(DAY_1, DAY_2, "--anomalyThreshold=1.5"), services);
    Map<String, Map<LocalDate, List<String>>> afterFirst = assertEqualsOracle(services);
    assertTablesArePartitionedAndClustered(services);
    // Every (table, day) with rows was loaded into its own partition, with exactly its rows; the
    // fake refuses a load whose rows belong to another day.
    Map<String, Long> expectedLoads = new TreeMap<>();
    afterFirst.forEach((table, days) -> days.forEach((day, rows) ->
        expectedLoads.put(table + "$" + day.toString().replace("-", ""), (long) rows.size())));
    assertEquals(expectedLoads, PartitionedFakeBigQuery.loads(), "rows loaded per partition");
    for (BigQueryWarehouse.PartitionResult p : first.partitions()) {
      assertEquals(afterFirst.get(p.table()).getOrDefault(p.day(), List.of()).size(), p.rows(),
          "reported rows of " + p.table() + " on " + p.day());
    }
    // Guards: what the re-run checks must be there to check.
    for (String table : List.of("events", "dead_letters", "anomalies", "distinct_users_hourly",
        "sessions", "funnel_conversion")) {
      for (LocalDate day : List.of(DAY_1, DAY_2)) {
        assertTrue(afterFirst.get(table).containsKey(day), table + " has rows on " + day);
      }
    }
    assertSketchesRoundTrip(services);

    // Run 2: day 1 only, with a threshold no minute reaches, so day 1 has no anomaly any more.
    BigQueryWarehouse second = runIntoBoth(options(DAY_1, DAY_1, "--anomalyThreshold=1000000"), services);
    Map<String, Map<LocalDate, List<String>>> afterSecond = assertEqualsOracle(services);
    for (String table : afterFirst.keySet()) {
      // Day 2 is outside the re-run's range: untouched, row for row.
      assertEquals(afterFirst.get(table).get(DAY_2), afterSecond.get(table).get(DAY_2),
          table + " on " + DAY_2 + " after a re-run of " + DAY_1);
    }
    // Day 1 was replaced, not appended to.
    assertEquals(afterFirst.get("events").get(DAY_1).size(), afterSecond.get("events").get(DAY_1).size(),
        "events of " + DAY_1 + " after its re-run");
    assertEquals(0, duplicates(afterSecond.get("events")), "no event twice");
    // The day whose anomalies are gone in the re-run is empty, the other day kept its anomalies.
    assertEquals(List.of(), afterSecond.get("anomalies").getOrDefault(DAY_1, List.of()),
        "anomalies of " + DAY_1 + " after a re-run that finds none");
    assertTrue(afterSecond.get("anomalies").containsKey(DAY_2), "anomalies of " + DAY_2 + " kept");
    assertTrue(second.partitions().contains(
        new BigQueryWarehouse.PartitionResult("anomalies", DAY_1, 0)), second.report());
    assertTrue(second.report().contains("anomalies$20261127  emptied"), second.report());
  }

  @Test
  void refusesToCommitWithoutRowCounts() throws Exception {
    FakeBigQueryServices services = PartitionedFakeBigQuery.create(PROJECT, DATASET);
    BigQueryWarehouse warehouse = BigQueryWarehouse.from(options(DAY_1, DAY_1)).withTestServices(services);
    // On Flink [local], as the other cases: the direct runner was once seen spinning on its timers for
    // 20 minutes over this empty input (QuiescenceDriver.fireTimers, never finishing).
    org.apache.beam.sdk.Pipeline pipeline = org.apache.beam.sdk.Pipeline.create(
        PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=1").create());
    warehouse.write("events", "event_timestamp", pipeline.apply(org.apache.beam.sdk.transforms.Create
        .empty(pipeline.getSchemaRegistry().getSchemaCoder(io.github.analytics.schemas.Event.class))));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> warehouse.commit(new DateRange(DAY_1, DAY_1), result));
    assertTrue(e.getMessage().contains("no partition was deleted"), e.getMessage());
  }

  @Test
  void optionsSayWhatToSet() {
    IllegalArgumentException noDataset = assertThrows(IllegalArgumentException.class, () ->
        BigQueryWarehouse.from(PipelineOptionsFactory.fromArgs("--warehouse=BIGQUERY")
            .as(BatchPipelineOptions.class)));
    assertTrue(noDataset.getMessage().contains("--bigQueryDataset=PROJECT:DATASET"), noDataset.getMessage());
    assertTrue(noDataset.getMessage().contains("--bigQueryTempLocation=gs://"), noDataset.getMessage());
    IllegalArgumentException badDataset = assertThrows(IllegalArgumentException.class, () ->
        BigQueryWarehouse.from(PipelineOptionsFactory.fromArgs("--warehouse=BIGQUERY",
            "--bigQueryDataset=analytics", "--tempLocation=gs://b/t").as(BatchPipelineOptions.class)));
    assertTrue(badDataset.getMessage().contains("is not PROJECT:DATASET"), badDataset.getMessage());
    // --tempLocation is the default of --bigQueryTempLocation.
    BigQueryWarehouse warehouse = BigQueryWarehouse.from(PipelineOptionsFactory.fromArgs(
        "--bigQueryDataset=my-project:analytics", "--tempLocation=gs://b/t").as(BatchPipelineOptions.class));
    assertEquals("my-project:analytics", warehouse.location());
  }

  /**
   * A backfill into BigQuery, run three times: the second run skips both days, and a forced third
   * run leaves every table exactly as the first left it (partitions replaced, never appended to).
   */
  @Test
  void aBackfillIntoBigQueryCanRunAgainAndLeavesTheSameWarehouse() throws Exception {
    FakeBigQueryServices services = PartitionedFakeBigQuery.create(PROJECT, DATASET);
    Backfill.DayRunner intoBigQuery =
        day -> BatchPipeline.run(day, BigQueryWarehouse.from(day).withTestServices(services));
    PipelineOptionsFactory.register(BackfillOptions.class);
    BackfillOptions options = options(DAY_1, DAY_2, "--markerRoot=" + dir.resolve("bigquery-markers"))
        .as(BackfillOptions.class);

    assertEquals(List.of(Backfill.Status.DONE, Backfill.Status.DONE), statuses(Backfill.run(options, intoBigQuery, System.out)));
    Map<String, List<String>> once = snapshot(services);
    assertTrue(once.get("events").size() > 2_000, "two days of events: " + once.get("events").size());

    assertEquals(List.of(Backfill.Status.SKIPPED, Backfill.Status.SKIPPED),
        statuses(Backfill.run(options, intoBigQuery, System.out)));
    assertEquals(once, snapshot(services), "a skipped backfill changes nothing");

    options.setForce(true);
    assertEquals(List.of(Backfill.Status.DONE, Backfill.Status.DONE), statuses(Backfill.run(options, intoBigQuery, System.out)));
    assertEquals(once, snapshot(services), "a forced re-run leaves the warehouse a single run leaves");
  }

  private static List<Backfill.Status> statuses(List<Backfill.DayOutcome> outcomes) {
    return outcomes.stream().map(Backfill.DayOutcome::status).toList();
  }

  /** Every BigQuery table's rows in canonical form, sorted. */
  private static Map<String, List<String>> snapshot(FakeBigQueryServices services) throws Exception {
    Map<String, List<String>> tables = new TreeMap<>();
    for (BigQuerySchemas.Table table : BigQuerySchemas.tables()) {
      List<String> rows = new ArrayList<>();
      for (List<String> row : bigQueryRows(services, table.name(), table.tableSchema().getFields())) {
        rows.add(String.join("|", row));
      }
      rows.sort(null);
      tables.put(table.name(), rows);
    }
    return tables;
  }

  /**
   * Every table in BigQuery equals the DuckDB oracle row for row, and every row sits in the
   * partition of its day; returns the canonical rows per table and day.
   */
  private static Map<String, Map<LocalDate, List<String>>> assertEqualsOracle(FakeBigQueryServices services)
      throws Exception {
    Map<String, Map<LocalDate, List<String>>> all = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("oracle.duckdb"));
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      for (BigQuerySchemas.Table table : BigQuerySchemas.tables()) {
        List<TableFieldSchema> fields = table.tableSchema().getFields();
        int dayIndex = fields.stream().map(TableFieldSchema::getName).toList().indexOf(table.dayColumn());
        Map<LocalDate, List<String>> bigQuery = byDay(bigQueryRows(services, table.name(), fields), dayIndex);
        Map<LocalDate, List<String>> duckDb = byDay(duckDbRows(s, table.name(), fields), dayIndex);
        assertEquals(duckDb.keySet(), bigQuery.keySet(), table.name() + ": days with rows");
        for (LocalDate day : duckDb.keySet()) {
          List<String> expected = duckDb.get(day);
          List<String> actual = bigQuery.get(day);
          assertEquals(expected.size(), actual.size(), table.name() + " rows on " + day);
          assertEquals(expected, actual, table.name() + " on " + day);
        }
        all.put(table.name(), bigQuery);
      }
    }
    return all;
  }

  private static void assertTablesArePartitionedAndClustered(FakeBigQueryServices services) throws Exception {
    for (BigQuerySchemas.Table expected : BigQuerySchemas.tables()) {
      Table table = services.getDatasetService(null).getTable(reference(expected.name()));
      assertTrue(table != null, "no BigQuery table " + expected.name());
      assertEquals("DAY", table.getTimePartitioning().getType(), expected.name());
      assertEquals(expected.dayColumn(), table.getTimePartitioning().getField(), expected.name());
      assertEquals(expected.clustering(), table.getClustering() == null
          ? List.of() : table.getClustering().getFields(), expected.name());
      assertEquals(expected.tableSchema().getFields(), table.getSchema().getFields(), expected.name());
    }
  }

  /**
   * The sketches are ZetaSketch HLL++ sketches, as BigQuery's HLL_COUNT reads them: each hourly one
   * estimates its row's distinct_users, and merging a day's hourly sketches gives the daily row.
   */
  private static void assertSketchesRoundTrip(FakeBigQueryServices services) throws Exception {
    Map<String, HyperLogLogPlusPlus<?>> merged = new HashMap<>();
    int hourly = 0;
    for (TableRow row : services.getDatasetService(null).getTable(reference("distinct_users_hourly")) == null
        ? List.<TableRow>of() : rows(services, "distinct_users_hourly")) {
      byte[] sketch = Base64.getDecoder().decode((String) row.get("sketch"));
      assertEquals(Long.parseLong((String) row.get("distinct_users")),
          HyperLogLogPlusPlus.forProto(sketch).result(), "hourly sketch of " + row);
      String key = PartitionedFakeBigQuery.dayOf(row.get("window_start")) + "|" + row.get("event_type");
      HyperLogLogPlusPlus<?> day = merged.get(key);
      if (day == null) {
        merged.put(key, HyperLogLogPlusPlus.forProto(sketch));
      } else {
        day.merge(sketch);
      }
      hourly++;
    }
    assertTrue(hourly > 24, "hourly rows: " + hourly);
    int daily = 0;
    for (TableRow row : rows(services, "distinct_users_daily")) {
      String key = PartitionedFakeBigQuery.dayOf(row.get("day")) + "|" + row.get("event_type");
      long stored = Long.parseLong((String) row.get("distinct_users"));
      assertEquals(stored, merged.get(key).result(), "daily users of " + key + " vs its hourly sketches");
      assertEquals(stored, HyperLogLogPlusPlus.forProto(
          Base64.getDecoder().decode((String) row.get("sketch"))).result(), "daily sketch of " + key);
      daily++;
    }
    assertEquals(merged.size(), daily, "one daily row per day and event type");
  }

  private static List<TableRow> rows(FakeBigQueryServices services, String table) throws Exception {
    return ((org.apache.beam.sdk.io.gcp.testing.FakeDatasetService) services.getDatasetService(null))
        .getAllRows(PROJECT, DATASET, table);
  }

  private static TableReference reference(String table) {
    return new TableReference().setProjectId(PROJECT).setDatasetId(DATASET).setTableId(table);
  }

  /** BigQuery's rows (as its JSON load files carry them) in a canonical form, per column type. */
  private static List<List<String>> bigQueryRows(
      FakeBigQueryServices services, String table, List<TableFieldSchema> fields) throws Exception {
    List<List<String>> out = new ArrayList<>();
    if (services.getDatasetService(null).getTable(reference(table)) == null) {
      return out;
    }
    for (TableRow row : rows(services, table)) {
      List<String> values = new ArrayList<>();
      for (TableFieldSchema field : fields) {
        Object value = row.get(field.getName());
        if ("REPEATED".equals(field.getMode())) {
          List<String> items = new ArrayList<>();
          if (value != null) {
            ((List<?>) value).forEach(item -> items.add(String.valueOf(item)));
          }
          items.sort(null);
          values.add(String.join(",", items));
          continue;
        }
        values.add(value == null ? "null" : switch (field.getType()) {
          case "TIMESTAMP" -> Long.toString(LocalDateTime.parse((String) value, BIGQUERY_TIMESTAMP)
              .toInstant(ZoneOffset.UTC).toEpochMilli());
          case "INT64" -> Long.toString(Long.parseLong(String.valueOf(value)));
          case "FLOAT64" -> Double.toString(Double.parseDouble(String.valueOf(value)));
          case "BYTES" -> Base64.getEncoder().encodeToString(Base64.getDecoder().decode((String) value));
          case "STRING" -> (String) value;
          case "BOOL" -> Boolean.toString(Boolean.parseBoolean(String.valueOf(value)));
          default -> throw new AssertionError("Column type not compared: " + field);
        });
      }
      out.add(values);
    }
    return out;
  }

  /** The DuckDB oracle's rows in the same canonical form. */
  private static List<List<String>> duckDbRows(Statement s, String table, List<TableFieldSchema> fields)
      throws Exception {
    List<List<String>> out = new ArrayList<>();
    List<String> columns = new ArrayList<>();
    for (TableFieldSchema field : fields) {
      columns.add("REPEATED".equals(field.getMode())
          ? "array_to_string(list_sort(" + field.getName() + "), ',')"
          : "TIMESTAMP".equals(field.getType())
          ? "epoch_ms(" + field.getName() + ")" : "\"" + field.getName() + "\"");
    }
    try (ResultSet exists = s.executeQuery("SELECT count(*) FROM information_schema.tables"
        + " WHERE table_name = '" + table + "'")) {
      exists.next();
      if (exists.getLong(1) == 0) {
        return out;
      }
    }
    try (ResultSet rs = s.executeQuery("SELECT " + String.join(", ", columns) + " FROM " + table)) {
      while (rs.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
          Object value = rs.getObject(i + 1);
          if ("REPEATED".equals(fields.get(i).getMode())) {
            values.add(value == null ? "" : rs.getString(i + 1));
            continue;
          }
          values.add(value == null ? "null" : switch (fields.get(i).getType()) {
            case "TIMESTAMP", "INT64" -> Long.toString(rs.getLong(i + 1));
            case "FLOAT64" -> Double.toString(rs.getDouble(i + 1));
            case "BYTES" -> Base64.getEncoder().encodeToString(rs.getBytes(i + 1));
            case "STRING" -> rs.getString(i + 1);
            case "BOOL" -> Boolean.toString(rs.getBoolean(i + 1));
            default -> throw new AssertionError("Column type not compared: " + fields.get(i));
          });
        }
        out.add(values);
      }
    }
    return out;
  }

  /** Rows grouped by the UTC day of their day column (canonical epoch millis), sorted. */
  private static Map<LocalDate, List<String>> byDay(List<List<String>> rows, int dayIndex) {
    Map<LocalDate, List<String>> days = new TreeMap<>();
    for (List<String> row : rows) {
      LocalDate day = java.time.Instant.ofEpochMilli(Long.parseLong(row.get(dayIndex)))
          .atZone(ZoneOffset.UTC).toLocalDate();
      days.computeIfAbsent(day, d -> new ArrayList<>()).add(String.join("|", row));
    }
    days.values().forEach(list -> list.sort(null));
    return days;
  }

  /**
   * Events present twice: the same (event_id, user_id). Ids alone may repeat here: the generator's
   * days of seeds 27 and 28 draw some of the same ids for different users' events, and an event is
   * its user's (deduplication is per user).
   */
  private static long duplicates(Map<LocalDate, List<String>> events) {
    Map<String, Integer> ids = new HashMap<>();
    events.values().forEach(rows -> rows.forEach(r -> {
      String[] columns = r.split("\\|", 4);
      ids.merge(columns[0] + "|" + columns[2], 1, Integer::sum);
    }));
    return ids.values().stream().filter(n -> n > 1).count();
  }

  /** Writes every output to both warehouses: BigQuery under test, DuckDB as the oracle. */
  private record BothWarehouses(BigQueryWarehouse bigQuery, DuckDbWarehouse duckDb) implements WarehouseSink {
    @Override
    public <T> void write(String table, String dayColumn, DateRange days, PCollection<T> rows) {
      bigQuery.write(table, dayColumn, days, rows);
      duckDb.write(table, dayColumn, days, rows);
    }

    /** The history BigQuery holds: what is under test (the DuckDB copy holds the same rows). */
    @Override
    public PCollection<org.apache.beam.sdk.values.Row> readHistory(
        org.apache.beam.sdk.Pipeline pipeline, String table, org.apache.beam.sdk.schemas.Schema schema,
        String dayColumn, DateRange read, DateRange run) {
      return bigQuery.readHistory(pipeline, table, schema, dayColumn, read, run);
    }

    @Override
    public PCollection<org.apache.beam.sdk.values.Row> readFirstSeen(
        org.apache.beam.sdk.Pipeline pipeline, DateRange run) {
      return bigQuery.readFirstSeen(pipeline, run);
    }

    @Override
    public void commit(DateRange range, PipelineResult result) throws Exception {
      bigQuery.commit(range, result);
      duckDb.commit(range, result);
    }

    @Override
    public String location() {
      return bigQuery.location();
    }
  }
}
