package io.github.analytics.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;

/**
 * The batch section's baseline: DuckDB SQL (duckdb-batch.sql) computing the batch layer's outputs
 * over the same Parquet archive — parse and check, deduplicate, per-minute counts, hourly distinct
 * users, gap sessions — in a database file of its own, so that it may spill like the pipeline: the
 * outputs are written to the file, the intermediates ({@code classified}, {@code unique_events}) are
 * TEMP tables, which spill to the file's {@code .tmp} directory.
 */
final class DuckDbBaseline {
  private static final String SCRIPT = "duckdb-batch.sql";

  /**
   * What the baseline computed and how long it took.
   *
   * @param seconds wall time of the script's statements (not the connection's start)
   * @param records archive records read
   * @param perMinuteTotal the day's events, summed over the per-minute counts
   * @param ambiguous events whose copies have different event times: which copy is kept may move each
   *     by a few minutes, or across midnight, so totals may differ by that many
   * @param sessions the day's sessions
   * @param outcomes records by outcome: {@code VALID} or the dead-letter reason, as the pipeline's
   */
  record Result(double seconds, long records, long perMinuteTotal, long ambiguous, long sessions,
      Map<String, Long> outcomes) {
    /** Records dead-lettered, whatever the reason. */
    long deadLetters() {
      return records - outcomes.getOrDefault("VALID", 0L);
    }
  }

  private DuckDbBaseline() {}

  static Result run(Path archive, LocalDate day, Path database, int threads)
      throws IOException, SQLException {
    Files.deleteIfExists(database);
    Files.deleteIfExists(database.resolveSibling(database.getFileName() + ".wal"));
    String script;
    try (InputStream in = DuckDbBaseline.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT + " is missing from the bench jar: rebuild with bench/run.sh");
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("{archive}", archive.toAbsolutePath().toString())
          .replace("{day}", day.toString());
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + database.toAbsolutePath());
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("SET threads = " + threads);
      long started = System.nanoTime();
      for (String statement : statements(script)) {
        s.execute(statement);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      return new Result(
          seconds,
          queryLong(s, "SELECT count(*) FROM classified"),
          queryLong(s, "SELECT coalesce(sum(n), 0) FROM per_minute"),
          queryLong(s, "SELECT count(*) FROM (SELECT event_id FROM classified WHERE outcome = 'VALID'"
              + " GROUP BY 1 HAVING count(DISTINCT event_time) > 1)"),
          queryLong(s, "SELECT count(*) FROM sessions"),
          outcomes(s));
    }
  }

  private static Map<String, Long> outcomes(Statement s) throws SQLException {
    Map<String, Long> outcomes = new TreeMap<>();
    try (ResultSet rs = s.executeQuery("SELECT outcome, count(*) FROM classified GROUP BY 1")) {
      while (rs.next()) {
        outcomes.put(rs.getString(1), rs.getLong(2));
      }
    }
    return outcomes;
  }

  /** The script's statements: split at semicolons ending a line, comment lines dropped. */
  static java.util.List<String> statements(String script) {
    java.util.List<String> statements = new java.util.ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      if (line.strip().startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (line.strip().endsWith(";")) {
        statements.add(current.toString().strip());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      statements.add(current.toString().strip());
    }
    return statements;
  }

  static long queryLong(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
