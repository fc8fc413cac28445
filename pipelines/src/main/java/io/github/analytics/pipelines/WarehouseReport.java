package io.github.analytics.pipelines;

import io.github.analytics.pipelines.options.DateRange;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;

/**
 * The warehouse analytics of a batch run, read back from the DuckDB warehouse: a retention triangle
 * of the first-time daily cohorts, the weekly lifecycle, and revenue by channel under each
 * attribution model.
 */
public final class WarehouseReport {
  /** Days after the cohort day shown in the triangle. */
  private static final int TRIANGLE_DAYS = 7;
  /** Channels shown, by last-touch revenue. */
  private static final int CHANNELS = 8;

  private WarehouseReport() {}

  /** Renders the analytics of the days of {@code range} in the DuckDB file {@code databasePath}. */
  public static String render(String databasePath, DateRange range) throws SQLException {
    StringBuilder out = new StringBuilder();
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + databasePath, readOnly);
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      String days = " BETWEEN DATE '" + range.from() + "' AND DATE '" + range.to() + "'";
      triangle(s, days, out);
      lifecycle(s, days, out);
      attribution(s, days, out);
    }
    return out.toString();
  }

  private static void triangle(Statement s, String days, StringBuilder out) throws SQLException {
    out.append("\nRetention of new users (first-time daily cohorts: % active again N days later;"
        + " blank: not complete yet)\n");
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-10s %7s", "cohort", "users"));
    for (int n = 1; n <= TRIANGLE_DAYS; n++) {
      header.append(String.format(Locale.ROOT, " %6s", "day " + n));
    }
    out.append(header).append('\n');
    try (ResultSet rs = s.executeQuery(
        "SELECT CAST(cohort_day AS DATE), day_n, cohort_size, retained, complete FROM retention_daily"
            + " WHERE cohort_type = 'first_time' AND CAST(cohort_day AS DATE)" + days
            + " AND day_n <= " + TRIANGLE_DAYS + " ORDER BY 1, 2")) {
      String cohort = null;
      StringBuilder line = null;
      while (rs.next()) {
        if (!rs.getString(1).equals(cohort)) {
          if (line != null) {
            out.append(line).append('\n');
          }
          cohort = rs.getString(1);
          line = new StringBuilder(String.format(Locale.ROOT, "  %-10s %,7d", cohort, rs.getLong(3)));
        }
        if (rs.getInt(2) > 0) {
          line.append(rs.getBoolean(5)
              ? String.format(Locale.ROOT, " %5.1f%%", 100.0 * rs.getLong(4) / rs.getLong(3))
              : String.format(Locale.ROOT, " %6s", ""));
        }
      }
      if (line != null) {
        out.append(line).append('\n');
      }
    }
  }

  private static void lifecycle(Statement s, String days, StringBuilder out) throws SQLException {
    out.append("\nLifecycle by ISO week (active = new + returning + resurrecting)\n");
    out.append(String.format(Locale.ROOT, "  %-10s %8s %8s %10s %13s %8s%n",
        "week", "active", "new", "returning", "resurrecting", "dormant"));
    try (ResultSet rs = s.executeQuery(
        "SELECT CAST(period_start AS DATE), active_users, new_users, returning_users,"
            + " resurrecting_users, dormant_users FROM user_lifecycle WHERE period = 'week'"
            + " AND CAST(period_start AS DATE)" + days + " ORDER BY 1")) {
      while (rs.next()) {
        out.append(String.format(Locale.ROOT, "  %-10s %,8d %,8d %,10d %,13d %,8d%n", rs.getString(1),
            rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)));
      }
    }
  }

  private static void attribution(Statement s, String days, StringBuilder out) throws SQLException {
    out.append("\nRevenue attribution (purchases' revenue credited to the touchpoints of the 30 days"
        + " before)\n");
    out.append(String.format(Locale.ROOT, "  %-36s %12s %12s %12s %14s %12s%n", "source / medium",
        "first touch", "last touch", "linear", "position-based", "time decay"));
    try (ResultSet rs = s.executeQuery(
        "SELECT source || ' / ' || medium AS channel,"
            + " coalesce(sum(revenue) FILTER (WHERE model = 'first_touch'), 0),"
            + " coalesce(sum(revenue) FILTER (WHERE model = 'last_touch'), 0),"
            + " coalesce(sum(revenue) FILTER (WHERE model = 'linear'), 0),"
            + " coalesce(sum(revenue) FILTER (WHERE model = 'position_based'), 0),"
            + " coalesce(sum(revenue) FILTER (WHERE model = 'time_decay'), 0)"
            + " FROM revenue_attribution WHERE CAST(day AS DATE)" + days
            + " GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT " + CHANNELS)) {
      while (rs.next()) {
        out.append(String.format(Locale.ROOT, "  %-36.36s %12.2f %12.2f %12.2f %14.2f %12.2f%n",
            Printable.text(rs.getString(1)), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4),
            rs.getDouble(5),
            rs.getDouble(6)));
      }
    }
    try (ResultSet rs = s.executeQuery(
        "SELECT model, sum(revenue), sum(purchases) FROM revenue_attribution WHERE CAST(day AS DATE)"
            + days + " GROUP BY 1 ORDER BY 1")) {
      StringBuilder totals = new StringBuilder("  every model credits the same total:");
      while (rs.next()) {
        totals.append(String.format(Locale.ROOT, " %s %.2f;", rs.getString(1), rs.getDouble(2)));
      }
      out.append(totals).append('\n');
    }
  }
}
