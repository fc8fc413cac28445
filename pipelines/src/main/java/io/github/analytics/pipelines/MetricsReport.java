package io.github.analytics.pipelines;

import io.github.analytics.pipelines.options.DateRange;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;

/**
 * The headline numbers of a batch run, read back from the DuckDB warehouse: daily and rolling active
 * users, sessions, funnel conversion and anomalies. It reads what was written, so it shows what an
 * analyst querying the warehouse would see.
 */
public final class MetricsReport {
  private MetricsReport() {}

  /** Renders the headlines of the days of {@code range} in the DuckDB file {@code databasePath}. */
  public static String render(String databasePath, DateRange range) throws SQLException {
    StringBuilder out = new StringBuilder();
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + databasePath, readOnly);
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      String days = " BETWEEN DATE '" + range.from() + "' AND DATE '" + range.to() + "'";

      out.append("\nActive users (HyperLogLog++ estimates, about 0.6% standard error)\n");
      try (ResultSet rs = s.executeQuery(
          "SELECT CAST(day AS DATE) AS d, window_days, active_users, days_with_data FROM active_users"
              + " WHERE CAST(day AS DATE)" + days + " AND window_days IN (1, 7, 30)"
              + " ORDER BY d, window_days")) {
        while (rs.next()) {
          int window = rs.getInt(2);
          String label = window == 1 ? "DAU" : window == 7 ? "WAU" : "MAU (30 days)";
          long covered = rs.getLong(4);
          out.append(String.format(Locale.ROOT, "  %s %-14s %,12d%s%n", rs.getString(1), label,
              rs.getLong(3), covered < window ? "  (only " + covered + " day(s) of data in this run)" : ""));
        }
      }

      try (ResultSet rs = s.executeQuery(
          "SELECT count(*), avg(duration_seconds) / 60.0, avg(event_count), sum(page_views),"
              + " count(*) FILTER (WHERE client_session_ids > 1)"
              + " FROM sessions WHERE CAST(session_start AS DATE)" + days)) {
        rs.next();
        out.append(String.format(Locale.ROOT,
            "%nSessions (30-minute inactivity gap)%n  %-34s %,14d%n  %-34s %14.1f%n  %-34s %14.1f%n"
                + "  %-34s %,14d%n",
            "sessions", rs.getLong(1), "average minutes", rs.getDouble(2),
            "average events", rs.getDouble(3), "with several client session ids", rs.getLong(5)));
      }

      out.append("\nFunnel conversion (users per step, attempts started in the range)\n");
      try (ResultSet rs = s.executeQuery(
          "SELECT funnel, step, any_value(step_name), sum(users), median(median_seconds_to_step)"
              + " FROM funnel_conversion WHERE CAST(day AS DATE)" + days
              + " GROUP BY funnel, step ORDER BY funnel, step")) {
        String funnel = null;
        long first = 0;
        long previous = 0;
        while (rs.next()) {
          if (!rs.getString(1).equals(funnel)) {
            funnel = rs.getString(1);
            first = rs.getLong(4);
            previous = first;
          }
          long users = rs.getLong(4);
          out.append(String.format(Locale.ROOT, "  %-10s %d. %-26s %,10d users  %6.2f%% of step 1%s%n",
              Printable.text(funnel), rs.getInt(2), Printable.text(rs.getString(3)), users,
              first == 0 ? 0.0 : 100.0 * users / first,
              rs.getObject(5) == null ? ""
                  : String.format(Locale.ROOT, "  %5.1f%% of the step before, median %.0f s from step 1",
                      previous == 0 ? 0.0 : 100.0 * users / previous, rs.getDouble(5))));
          previous = users;
        }
      }

      long anomalies;
      try (ResultSet rs = s.executeQuery(
          "SELECT count(*) FROM anomalies WHERE CAST(window_start AS DATE)" + days)) {
        rs.next();
        anomalies = rs.getLong(1);
      }
      out.append(String.format(Locale.ROOT, "%nAnomalies (per-minute counts beyond 3 standard deviations): %,d%n",
          anomalies));
      try (ResultSet rs = s.executeQuery(
          "SELECT series_key, strftime(CAST(window_start AS TIMESTAMP), '%Y-%m-%d %H:%M'), direction,"
              + " value, mean, z_score FROM anomalies WHERE CAST(window_start AS DATE)" + days
              + " ORDER BY window_start, series_key LIMIT 12")) {
        while (rs.next()) {
          out.append(String.format(Locale.ROOT, "  %-12s %s UTC  %-5s %,8d vs mean %,10.1f  z = %+.1f%n",
              Printable.text(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getLong(4),
              rs.getDouble(5),
              rs.getDouble(6)));
        }
      }
      if (anomalies > 12) {
        out.append("  ... ./analytics sql \"SELECT * FROM anomalies ORDER BY window_start\" lists them all\n");
      }
    }
    return out.toString();
  }
}
