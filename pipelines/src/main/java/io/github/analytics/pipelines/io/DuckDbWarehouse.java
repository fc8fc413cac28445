package io.github.analytics.pipelines.io;

import io.github.analytics.transforms.warehouse.FirstSeen;
import java.util.Properties;
import org.apache.beam.sdk.Pipeline;
import org.checkerframework.checker.nullness.qual.Nullable;
import io.github.analytics.transforms.metrics.ApplyMetricCatalog;
import io.github.analytics.pipelines.options.DateRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.transforms.Convert;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.apache.beam.sdk.values.Row;

/**
 * The embedded warehouse: a DuckDB database file, one table per output.
 *
 * <p>Workers never open the database (DuckDB has one writer, and workers may be elsewhere): they write
 * each table as Parquet files under a staging directory, and {@link #commit} then loads them in one
 * transaction per table, after deleting the rows of the same days. So a re-run replaces, a failed run
 * changes nothing, and every runner writes the same way.
 */
public final class DuckDbWarehouse implements WarehouseSink {
  private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_]*$");
  /** Files per table and run on the direct runner: DuckDB loads them in parallel. */
  private static final int FILES_PER_TABLE = 4;

  private final String databasePath;
  private final String stagingRoot;
  private final String runId;
  private final Map<String, String> dayColumns = new LinkedHashMap<>();
  private final Map<String, String> avroSchemas = new LinkedHashMap<>();
  private final Map<String, Schema> beamSchemas = new LinkedHashMap<>();
  /** Per table, the days its commit replaces when not the run's (absent: the run's days). */
  private final Map<String, DateRange> replacedDays = new LinkedHashMap<>();

  private DuckDbWarehouse(String databasePath, String stagingRoot, String runId) {
    this.databasePath = databasePath;
    this.stagingRoot = stagingRoot;
    this.runId = runId;
  }

  /**
   * A warehouse in the file {@code databasePath}, staging under {@code stagingRoot} (null: next to
   * the database). {@code runId} keeps concurrent runs' staging files apart.
   */
  public static DuckDbWarehouse at(String databasePath, String stagingRoot, String runId) {
    String staging =
        stagingRoot == null || stagingRoot.isBlank() ? databasePath + ".staging" : stagingRoot;
    return new DuckDbWarehouse(
        Paths.get(databasePath).toAbsolutePath().toString(),
        Paths.get(staging).toAbsolutePath().toString(),
        runId);
  }

  @Override
  public String location() {
    return databasePath;
  }

  private Path stagingDir(String table) {
    return Paths.get(stagingRoot, runId, table);
  }

  @Override
  public <T> void write(
      String table, String dayColumn, @Nullable DateRange days, PCollection<T> rows) {
    WarehouseSink.checkNewTable(table, dayColumn, dayColumns.keySet());
    if (days != null) {
      replacedDays.put(table, days);
    }
    Schema beamSchema = rows.getSchema();
    if (!beamSchema.hasField(dayColumn)) {
      throw new IllegalArgumentException(
          "Table " + table + " has no column " + dayColumn + "; its columns: " + beamSchema.getFieldNames());
    }
    dayColumns.put(table, dayColumn);
    org.apache.avro.Schema avroSchema = AvroUtils.toAvroSchema(beamSchema, table, "analytics.warehouse");
    avroSchemas.put(table, avroSchema.toString());
    String prefix = ApplyMetricCatalog.stepName(table);
    beamSchemas.put(table, beamSchema);
    FileIO.Write<Void, Row> files =
        FileIO.<Row>write()
            .via(stagingSink(beamSchema, avroSchema))
            .to(stagingDir(table).toString())
            .withNaming(new UniqueStagingNaming());
    if (tinyBundles(rows.getPipeline().getOptions())) {
      // The direct runner makes a bundle of each key's elements after a stateful step: a file per
      // bundle would be thousands of tiny files, so it writes a fixed number (a shuffle of every row).
      files = files.withNumShards(FILES_PER_TABLE);
    }
    // Elsewhere a bundle is a task's whole partition (Flink and Spark batch) or a large work item
    // (Dataflow): a file per bundle is a few files per worker, written where the rows are, unshuffled.
    rows
        // Metric rows come in event-time windows; a file per window would be thousands of files.
        .apply(prefix + "IntoOneWindow", Window.<T>into(new GlobalWindows())
            .triggering(DefaultTrigger.of())
            .withAllowedLateness(Duration.ZERO)
            .discardingFiredPanes())
        .apply(prefix + "ToRows", Convert.toRows())
        .apply(prefix + "WriteParquet", files);
  }

  private static boolean tinyBundles(org.apache.beam.sdk.options.PipelineOptions options) {
    return options.getRunner().getSimpleName().contains("DirectRunner");
  }

  @Override
  public void commit(DateRange range, PipelineResult result) throws SQLException {
    Path database = Paths.get(databasePath);
    try {
      if (database.getParent() != null) {
        Files.createDirectories(database.getParent());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the directory of " + databasePath, e);
    }
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + databasePath)) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET TimeZone = 'UTC'");
      }
      connection.setAutoCommit(false);
      for (Map.Entry<String, String> table : dayColumns.entrySet()) {
        load(connection, table.getKey(), table.getValue(),
            replacedDays.getOrDefault(table.getKey(), range));
      }
    }
    deleteRecursively(Paths.get(stagingRoot, runId));
  }

  private void load(Connection connection, String table, String dayColumn, DateRange range)
      throws SQLException {
    Path dir = stagingDir(table);
    if (!Files.isDirectory(Paths.get(stagingRoot, runId))) {
      throw new IllegalStateException(
          "No staged files in " + Paths.get(stagingRoot, runId)
              + ": did the pipeline run, and can this machine see the workers' staging directory?");
    }
    if (!Files.isDirectory(dir)) {
      // Runners write no file for an empty output: the days still have to be replaced by nothing
      // (a re-run that finds no anomaly must remove the old ones), so stage an empty file.
      writeEmptyFile(dir.resolve("part-empty.parquet"), beamSchemas.get(table), avroSchemas.get(table));
    }
    String files = "read_parquet('" + dir.toString().replace("'", "''") + "/*.parquet')";
    try (Statement statement = connection.createStatement()) {
      boolean hasFiles;
      try (Stream<Path> list = Files.list(dir)) {
        hasFiles = list.anyMatch(p -> p.toString().endsWith(".parquet"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (!hasFiles) {
        throw new IllegalStateException("The pipeline wrote no file for table " + table + " in " + dir);
      }
      statement.execute("CREATE TABLE IF NOT EXISTS " + table + " AS SELECT * FROM " + files + " LIMIT 0");
      addNewColumns(statement, table, files);
      try (PreparedStatement delete =
          connection.prepareStatement(
              "DELETE FROM " + table + " WHERE CAST(" + dayColumn + " AS DATE) BETWEEN ? AND ?")) {
        delete.setObject(1, range.from());
        delete.setObject(2, range.to());
        delete.executeUpdate();
      }
      statement.execute("INSERT INTO " + table + " BY NAME SELECT * FROM " + files);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    }
  }

  /**
   * Exports the rows of a history table to JSON lines in the run's staging directory, before the job
   * starts, and reads them in the job ({@link HistoryRows}): the workers never open the database. A
   * database or table that does not exist yet has no history.
   */
  @Override
  public PCollection<Row> readHistory(Pipeline pipeline, String table, Schema schema,
      String dayColumn, DateRange read, DateRange run) {
    List<String> columns = new ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      String column = "\"" + field.getName() + "\"";
      columns.add(field.getType().getTypeName() == Schema.TypeName.DATETIME
          ? "epoch_ms(" + column + ") AS " + column : column);
    }
    String query = "SELECT " + String.join(", ", columns) + " FROM " + table
        + " WHERE CAST(" + dayColumn + " AS DATE) BETWEEN DATE '" + read.from() + "' AND DATE '"
        + read.to() + "' AND CAST(" + dayColumn + " AS DATE)" + notIn(run);
    Path file = export(table, table, query);
    return pipeline.apply("Read" + ApplyMetricCatalog.stepName(table) + "History",
        HistoryRows.of(file.toString(), schema));
  }

  @Override
  public PCollection<Row> readFirstSeen(Pipeline pipeline, DateRange run) {
    Path file = export(FirstSeen.NAME, FirstSeen.NAME, "SELECT user_id, event_type,"
        + " epoch_ms(min(first_seen_day)) AS first_seen_day FROM " + FirstSeen.NAME
        + " WHERE CAST(first_seen_day AS DATE)" + notIn(run) + " GROUP BY user_id, event_type");
    return pipeline.apply("ReadUserFirstSeenHistory", HistoryRows.of(file.toString(), FirstSeen.SCHEMA));
  }

  private static String notIn(DateRange run) {
    return " NOT BETWEEN DATE '" + run.from() + "' AND DATE '" + run.to() + "'";
  }

  /**
   * Writes what {@code query} returns as JSON lines to a file of the run's staging directory, or an
   * empty file when the database or {@code table} does not exist.
   */
  private Path export(String table, String name, String query) {
    Path dir = Paths.get(stagingRoot, runId, "_history");
    Path file = dir.resolve(name + ".json");
    try {
      Files.createDirectories(dir);
      Files.writeString(file, "");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the history file " + file, e);
    }
    if (!Files.exists(Paths.get(databasePath))) {
      return file;
    }
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + databasePath, readOnly);
        Statement statement = connection.createStatement()) {
      statement.execute("SET TimeZone = 'UTC'");
      try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM information_schema.tables"
          + " WHERE table_schema = 'main' AND table_name = '" + table + "'")) {
        rs.next();
        if (rs.getLong(1) == 0) {
          return file;
        }
      }
      statement.execute("COPY (" + query + ") TO " + quote(file) + " (FORMAT JSON)");
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read the history of " + table + " from " + databasePath
          + ": " + e.getMessage() + ". Is another process writing the database?", e);
    }
    return file;
  }

  private static String quote(Path file) {
    return "'" + file.toString().replace("'", "''") + "'";
  }

  /**
   * Staging files are written once on this machine, read once by DuckDB and deleted: written without
   * compression, dictionaries or column statistics, which only a file that is kept and scanned
   * often repays ({@link StagingParquetSink} says why not {@code ParquetIO.sink}).
   */
  private static StagingParquetSink stagingSink(Schema beamSchema, org.apache.avro.Schema avroSchema) {
    return new StagingParquetSink(beamSchema, avroSchema);
  }

  private static void writeEmptyFile(Path file, Schema beamSchema, String avroSchema) {
    try {
      Files.createDirectories(file.getParent());
      try (java.nio.channels.WritableByteChannel channel = Files.newByteChannel(file,
          java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
        StagingParquetSink sink =
            stagingSink(beamSchema, new org.apache.avro.Schema.Parser().parse(avroSchema));
        sink.open(channel);
        sink.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stage an empty file " + file, e);
    }
  }

  /** A column added to the output since the table was created is added to the table. */
  private static void addNewColumns(Statement statement, String table, String files)
      throws SQLException {
    Set<String> existing = new LinkedHashSet<>();
    try (ResultSet rs = statement.executeQuery("DESCRIBE " + table)) {
      while (rs.next()) {
        existing.add(rs.getString("column_name"));
      }
    }
    List<String[]> added = new ArrayList<>();
    try (ResultSet rs = statement.executeQuery("DESCRIBE SELECT * FROM " + files)) {
      while (rs.next()) {
        if (!existing.contains(rs.getString("column_name"))) {
          added.add(new String[] {rs.getString("column_name"), rs.getString("column_type")});
        }
      }
    }
    for (String[] column : added) {
      statement.execute("ALTER TABLE " + table + " ADD COLUMN " + column[0] + " " + column[1]);
    }
  }

  /**
   * Row counts of {@code table} grouped by {@code column}, for the days of {@code range}, largest first:
   * what summaries print.
   */
  public static Map<String, Long> countBy(
      String databasePath, String table, String column, String dayColumn, DateRange range)
      throws SQLException {
    if (!NAME.matcher(table).matches() || !NAME.matcher(column).matches()
        || !NAME.matcher(dayColumn).matches()) {
      throw new IllegalArgumentException("Names must be lower_snake_case");
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + databasePath);
        Statement statement = connection.createStatement()) {
      statement.execute("SET TimeZone = 'UTC'");
      try (PreparedStatement query =
          connection.prepareStatement(
              "SELECT " + column + ", count(*) AS n FROM " + table
                  + " WHERE CAST(" + dayColumn + " AS DATE) BETWEEN ? AND ?"
                  + " GROUP BY 1 ORDER BY n DESC, 1")) {
        query.setObject(1, range.from());
        query.setObject(2, range.to());
        try (ResultSet rs = query.executeQuery()) {
          while (rs.next()) {
            counts.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
    }
    return counts;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Loaded, but cannot remove the staging files in " + dir, e);
    }
  }
}
