package io.github.analytics.serving;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The batch layer's values, read from the DuckDB warehouse, and which days it holds completely: a day
 * is complete once the backfill wrote its completion marker ({@code <markers>/<YYYY-MM-DD>.json},
 * written only after the day's rows were committed and removed before the day is re-run).
 *
 * <p>The database is opened read-only for each query. DuckDB lets one process write a file or several
 * read it, not both, so while a batch job writes the warehouse a query fails with {@link
 * WarehouseBusyException} and the API serves the streaming layer's values instead.
 */
public final class WarehouseMetrics {
  private final Path database;
  private final Path markers;

  /** Thrown while another process holds the warehouse for writing. */
  public static final class WarehouseBusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WarehouseBusyException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public WarehouseMetrics(Path database, Path markers) {
    this.database = database;
    this.markers = markers;
  }

  /** The markers next to the database, as the backfill writes them by default. */
  public static Path defaultMarkers(Path database) {
    return Path.of(database + ".markers");
  }

  public Path database() {
    return database;
  }

  /** The UTC days of {@code [from, to)} whose rows the batch layer has committed. */
  public Set<LocalDate> completeDays(Instant from, Instant to) {
    Set<LocalDate> days = new TreeSet<>();
    LocalDate last = to.minusMillis(1).atZone(ZoneOffset.UTC).toLocalDate();
    for (LocalDate day = from.atZone(ZoneOffset.UTC).toLocalDate(); !day.isAfter(last); day = day.plusDays(1)) {
      if (Files.isRegularFile(markers.resolve(day + ".json"))) {
        days.add(day);
      }
    }
    return days;
  }

  /**
   * Events per minute (epoch ms of the minute's start) of {@code [from, to)} in the warehouse's
   * {@code event_counts_per_minute} table, over the rows matching {@code dimensions}; minutes without
   * rows are absent from the map.
   */
  public Map<Long, Long> eventsPerMinute(Instant from, Instant to, LiveMetrics.Dimensions dimensions) {
    StringBuilder sql = new StringBuilder(
        "SELECT epoch_ms(window_start) AS minute, sum(event_count) AS events FROM event_counts_per_minute"
            + " WHERE epoch_ms(window_start) >= ? AND epoch_ms(window_start) < ?");
    List<String> values = new ArrayList<>();
    filter(sql, values, "event_type", dimensions.eventType());
    filter(sql, values, "platform", dimensions.platform());
    filter(sql, values, "country", dimensions.country());
    sql.append(" GROUP BY 1");
    Map<Long, Long> counts = new HashMap<>();
    try (Connection connection = open();
        PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      statement.setLong(1, from.toEpochMilli());
      statement.setLong(2, to.toEpochMilli());
      for (int i = 0; i < values.size(); i++) {
        statement.setString(3 + i, values.get(i));
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          counts.put(rows.getLong(1), rows.getLong(2));
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return counts;
  }

  private static void filter(StringBuilder sql, List<String> values, String column, String value) {
    if (value != null) {
      sql.append(" AND ").append(column).append(" = ?");
      values.add(value);
    }
  }

  private Connection open() throws SQLException {
    if (!Files.isRegularFile(database)) {
      throw new IllegalStateException("The warehouse " + database + " does not exist: run ./analytics batch or"
          + " backfill first, or start serve without --duckdb-path");
    }
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    return DriverManager.getConnection("jdbc:duckdb:" + database, readOnly);
  }

  private RuntimeException failure(SQLException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("lock")) {
      return new WarehouseBusyException("The warehouse " + database + " is being written by another process", e);
    }
    return new IllegalStateException("Reading the warehouse " + database + " failed: " + message, e);
  }
}
