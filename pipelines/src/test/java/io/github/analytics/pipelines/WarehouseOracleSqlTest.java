package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The warehouse analytics oracle (WarehouseAnalyticsTest/oracle.sql) checked on a small hand-built
 * events table against values worked out by hand from the definitions.
 *
 * <p>The users, and the UTC days on which they are active (2026; weeks named by their Monday):
 *
 * <pre>
 *   A: Jan 5 (Mon, three events, two types), Feb 4 (Wed)    day 30 after Jan 5: inside the horizon
 *   B: Jan 5 (Mon), Feb 5 (Thu)                             day 31 after Jan 5: outside
 *   C: Jan 30 (Fri, written 2026-01-31 01:30+02), Feb 2 (Mon) a cohort across the month end, day 3
 *   D: Jan 12 (Mon), Jan 28 (Wed)                           week Jan 12, nothing in week Jan 19, back in Jan 26
 *   E: Jan 20 (Tue), Jan 22 (Thu)
 *   F: Jan 22 (Thu)                                          recurring Jan 22 = {E, F}, first_time = {F}
 *   G: Feb 4 (Wed), Feb 7 (Sat), Feb 10 (Tue)                3 of the 7 days ending data_through
 * </pre>
 *
 * data_from = Jan 5 (a Monday), data_through = Feb 10 (a Tuesday, in the week of Feb 9).
 *
 * <p>Active weeks: A {Jan 5, Feb 2}, B {Jan 5, Feb 2}, C {Jan 26, Feb 2}, D {Jan 12, Jan 26},
 * E {Jan 19}, F {Jan 19}, G {Feb 2, Feb 9}.
 */
class WarehouseOracleSqlTest {
  private static Connection connection;
  private static Statement s;

  private static final String[] EVENTS = {
    // user, type, timestamp (with its offset, as written by a client; the oracle takes the UTC day)
    "A|page_view|2026-01-05 09:00:00+00",
    "A|click|2026-01-05 10:00:00+00",
    "A|page_view|2026-01-05 23:59:59+00",
    "A|purchase|2026-02-04 12:00:00+00",
    "B|page_view|2026-01-05 00:00:00+00",
    "B|page_view|2026-02-05 08:00:00+00",
    // 2026-01-31 01:30 at +02 is 2026-01-30 23:30 UTC: C's first day is Jan 30, not Jan 31.
    "C|page_view|2026-01-31 01:30:00+02",
    "C|click|2026-02-02 07:00:00+00",
    "D|page_view|2026-01-12 12:00:00+00",
    "D|page_view|2026-01-28 12:00:00+00",
    "E|page_view|2026-01-20 12:00:00+00",
    "E|click|2026-01-22 12:00:00+00",
    "F|page_view|2026-01-22 18:00:00+00",
    "G|page_view|2026-02-04 06:00:00+00",
    "G|page_view|2026-02-07 06:00:00+00",
    "G|click|2026-02-10 06:00:00+00",
    "G|page_view|2026-02-10 21:00:00+00",
  };

  @BeforeAll
  static void runTheOracle() throws Exception {
    connection = DriverManager.getConnection("jdbc:duckdb:");
    s = connection.createStatement();
    s.execute("SET TimeZone = 'UTC'");
    s.execute("CREATE TABLE events (event_id VARCHAR, user_id VARCHAR, event_type VARCHAR,"
        + " event_timestamp TIMESTAMP WITH TIME ZONE)");
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < EVENTS.length; i++) {
      String[] f = EVENTS[i].split("\\|");
      rows.add("('e" + i + "', '" + f[0] + "', '" + f[1] + "', TIMESTAMPTZ '" + f[2] + "')");
    }
    s.execute("INSERT INTO events VALUES " + String.join(", ", rows));
    SqlScripts.run(s, "/WarehouseAnalyticsTest/oracle.sql");
  }

  @AfterAll
  static void close() throws Exception {
    s.close();
    connection.close();
  }

  @Test
  void columnsHaveTheContractsTypes() throws Exception {
    Map<String, String> types = new TreeMap<>();
    try (ResultSet rs = s.executeQuery("SELECT table_name || '.' || column_name, data_type"
        + " FROM information_schema.columns WHERE table_name IN ('oracle_user_first_seen',"
        + " 'oracle_retention_daily', 'oracle_retention_weekly', 'oracle_stickiness', 'oracle_user_lifecycle')")) {
      while (rs.next()) {
        types.put(rs.getString(1), rs.getString(2));
      }
    }
    Map<String, String> expected = new TreeMap<>();
    expected.put("oracle_user_first_seen.user_id", "VARCHAR");
    expected.put("oracle_user_first_seen.event_type", "VARCHAR");
    expected.put("oracle_user_first_seen.first_seen_day", "TIMESTAMP");
    for (String t : List.of("daily", "weekly")) {
      String table = "oracle_retention_" + t + ".";
      expected.put(table + "cohort_type", "VARCHAR");
      expected.put(table + (t.equals("daily") ? "cohort_day" : "cohort_week"), "TIMESTAMP");
      expected.put(table + (t.equals("daily") ? "day_n" : "week_n"), "BIGINT");
      for (String c : List.of("cohort_size", "retained", "retained_or_later")) {
        expected.put(table + c, "BIGINT");
      }
      expected.put(table + "complete", "BOOLEAN");
    }
    expected.put("oracle_stickiness.day", "TIMESTAMP");
    for (String c : List.of("window_days", "active_days", "users_exactly", "users_at_least", "days_with_data")) {
      expected.put("oracle_stickiness." + c, "BIGINT");
    }
    expected.put("oracle_user_lifecycle.period", "VARCHAR");
    expected.put("oracle_user_lifecycle.period_start", "TIMESTAMP");
    for (String c : List.of("active_users", "new_users", "returning_users", "resurrecting_users", "dormant_users")) {
      expected.put("oracle_user_lifecycle." + c, "BIGINT");
    }
    assertEquals(expected, types);
  }

  @Test
  void userFirstSeen() throws Exception {
    // A sent page_view and click on Jan 5 and purchase on Feb 4: one row per type, plus 'all'.
    assertEquals("all 2026-01-05|click 2026-01-05|page_view 2026-01-05|purchase 2026-02-04",
        rows("SELECT event_type || ' ' || strftime(first_seen_day, '%Y-%m-%d') FROM oracle_user_first_seen"
            + " WHERE user_id = 'A' ORDER BY 1"));
    // C's first event, 2026-01-31 01:30+02, is on the UTC day Jan 30.
    assertEquals("2026-01-30 00:00:00", row("SELECT CAST(first_seen_day AS VARCHAR) FROM oracle_user_first_seen"
        + " WHERE user_id = 'C' AND event_type = 'all'"));
    // Distinct (user, type) pairs: A 3, B 1, C 2, D 1, E 2, F 1, G 2 = 12, plus 7 'all' rows.
    assertEquals(19, queryLong("SELECT count(*) FROM oracle_user_first_seen"));
  }

  @Test
  void retentionDaily() throws Exception {
    String cell = "SELECT cohort_size || '|' || retained || '|' || retained_or_later || '|' || complete"
        + " FROM oracle_retention_daily WHERE cohort_type = '%s' AND cohort_day = TIMESTAMP '%s' AND day_n = %d";
    // Cohorts: first_time 6 (Jan 5, 12, 20, 22, 30, Feb 4), recurring 11 (every active day), 31 rows each.
    assertEquals((6 + 11) * 31, queryLong("SELECT count(*) FROM oracle_retention_daily"));
    // first_time Jan 5 = {A, B}. Day 30 = Feb 4: A is back (bounded and unbounded), and Feb 4 <= Feb 10.
    assertEquals("2|1|1|true", row(cell.formatted("first_time", "2026-01-05", 30)));
    // B's return on Feb 5 is day 31, beyond the horizon: from day 1 on, only A counts as retained or later.
    assertEquals("2|0|1|true", row(cell.formatted("first_time", "2026-01-05", 1)));
    // Across the month end: C's cohort Jan 30, back on Feb 2 = day 3 (Jan 30 + 3), not day 2 or 4.
    assertEquals("1|0|1|true", row(cell.formatted("first_time", "2026-01-30", 2)));
    assertEquals("1|1|1|true", row(cell.formatted("first_time", "2026-01-30", 3)));
    assertEquals("1|0|0|true", row(cell.formatted("first_time", "2026-01-30", 4)));
    // Jan 30 + 11 = Feb 10 = data_through: still complete; day 12 (Feb 11) is not.
    assertEquals("1|0|0|true", row(cell.formatted("first_time", "2026-01-30", 11)));
    assertEquals("1|0|0|false", row(cell.formatted("first_time", "2026-01-30", 12)));
    // recurring vs first_time on Jan 22: E (first active Jan 20) and F are both active, only F is new.
    assertEquals("2|2|2|true", row(cell.formatted("recurring", "2026-01-22", 0)));
    assertEquals("1|1|1|true", row(cell.formatted("first_time", "2026-01-22", 0)));
    // recurring Feb 4 = {A, G} (first_time Feb 4 = {G} only). G is back Feb 10 = day 6, complete;
    // day 7 = Feb 11 is after data_through: incomplete and 0. From day 1 only G returns.
    assertEquals("2|1|1|true", row(cell.formatted("recurring", "2026-02-04", 6)));
    assertEquals("2|0|0|false", row(cell.formatted("recurring", "2026-02-04", 7)));
    assertEquals("2|0|1|true", row(cell.formatted("recurring", "2026-02-04", 1)));
    assertEquals("1|0|1|true", row(cell.formatted("first_time", "2026-02-04", 1)));
  }

  @Test
  void retentionWeekly() throws Exception {
    String cell = "SELECT cohort_size || '|' || retained || '|' || retained_or_later || '|' || complete"
        + " FROM oracle_retention_weekly WHERE cohort_type = '%s' AND cohort_week = TIMESTAMP '%s' AND week_n = %d";
    // Cohort weeks: first_time Jan 5, 12, 19, 26, Feb 2 (5); recurring Jan 5 .. Feb 9 (6); 13 rows each.
    assertEquals((5 + 6) * 13, queryLong("SELECT count(*) FROM oracle_retention_weekly"));
    assertEquals(0, queryLong("SELECT count(*) FROM oracle_retention_weekly WHERE isodow(cohort_week) <> 1"),
        "cohort weeks are Mondays");
    // first_time week Jan 5 = {A, B}: both are back in week Feb 2 (week 4), B too, weekly; nobody in week 1.
    // Week 4 ends Sunday Feb 8 <= Feb 10: complete. Week 5 (Feb 9, ending Feb 15) is not.
    assertEquals("2|2|2|true", row(cell.formatted("first_time", "2026-01-05", 4)));
    assertEquals("2|0|2|true", row(cell.formatted("first_time", "2026-01-05", 1)));
    assertEquals("2|0|0|false", row(cell.formatted("first_time", "2026-01-05", 5)));
    // D: week Jan 12, then week Jan 26 = week 2, not week 1.
    assertEquals("1|0|1|true", row(cell.formatted("first_time", "2026-01-12", 1)));
    assertEquals("1|1|1|true", row(cell.formatted("first_time", "2026-01-12", 2)));
    // recurring week Feb 2 = {A, B, C, G}, first_time = {G}; G is active in week Feb 9, not yet complete.
    assertEquals("4|1|1|false", row(cell.formatted("recurring", "2026-02-02", 1)));
    assertEquals("1|1|1|false", row(cell.formatted("first_time", "2026-02-02", 1)));
  }

  @Test
  void stickiness() throws Exception {
    // Every day Jan 5 .. Feb 10 (37 days), 7 + 28 rows each, but for the 7-day window of Jan 19
    // (Jan 13 .. Jan 19), where nobody is active: a window without data has no rows.
    assertEquals(37 * 35 - 7, queryLong("SELECT count(*) FROM oracle_stickiness"));
    String cells = "SELECT string_agg(active_days || ':' || users_exactly || '/' || users_at_least, ' '"
        + " ORDER BY active_days) || ' days ' || any_value(days_with_data) FROM oracle_stickiness"
        + " WHERE day = TIMESTAMP '%s' AND window_days = %d AND active_days <= 4";
    // Window Feb 4 .. Feb 10: A (Feb 4) 1 day, B (Feb 5) 1 day, G (Feb 4, 7, 10) 3 days;
    // days with data Feb 4, 5, 7, 10.
    assertEquals("1:2/3 2:0/1 3:1/1 4:0/0 days 4", row(cells.formatted("2026-02-10", 7)));
    // Window Jan 14 .. Feb 10: A, B, D (Jan 28), F 1 day; C (Jan 30, Feb 2), E (Jan 20, 22) 2; G 3;
    // days with data Jan 20, 22, 28, 30, Feb 2, 4, 5, 7, 10.
    assertEquals("1:4/7 2:2/3 3:1/1 4:0/0 days 9", row(cells.formatted("2026-02-10", 28)));
    // data_from: the window reaches back before any data; A and B, 1 day each.
    assertEquals("1:2/2 2:0/0 3:0/0 4:0/0 days 1", row(cells.formatted("2026-01-05", 7)));
    // at_least(n) is the sum of exactly(m) for m >= n, on every row.
    assertEquals(0, queryLong("SELECT count(*) FROM oracle_stickiness o WHERE users_at_least <>"
        + " (SELECT sum(users_exactly) FROM oracle_stickiness i WHERE i.day = o.day"
        + " AND i.window_days = o.window_days AND i.active_days >= o.active_days)"));
  }

  @Test
  void userLifecycle() throws Exception {
    String cell = "SELECT active_users || '|' || new_users || '|' || returning_users || '|' || resurrecting_users"
        + " || '|' || dormant_users FROM oracle_user_lifecycle WHERE period = '%s' AND period_start = TIMESTAMP '%s'";
    // The days with someone active (Jan 5, 12, 20, 22, 28, 30, Feb 2, 4, 5, 7, 10) or active the day
    // before (Jan 6, 13, 21, 23, 29, 31, Feb 3, 6, 8; Feb 11 is after the data), and every week
    // Jan 5 .. Feb 9 (6).
    assertEquals(20, queryLong("SELECT count(*) FROM oracle_user_lifecycle WHERE period = 'day'"));
    assertEquals(6, queryLong("SELECT count(*) FROM oracle_user_lifecycle WHERE period = 'week'"));
    // active | new | returning | resurrecting | dormant
    // Day Jan 6: nobody active, A and B (Jan 5) dormant.
    assertEquals("0|0|0|0|2", row(cell.formatted("day", "2026-01-06")));
    // Day Jan 22: F new; E (first Jan 20, not active Jan 21) resurrecting.
    assertEquals("2|1|0|1|0", row(cell.formatted("day", "2026-01-22")));
    // Day Feb 5: B resurrecting; A and G (active Feb 4) dormant.
    assertEquals("1|0|0|1|2", row(cell.formatted("day", "2026-02-05")));
    // Week Jan 26: C new, D (week Jan 12, not Jan 19) resurrecting; E, F (week Jan 19) dormant.
    assertEquals("2|1|0|1|2", row(cell.formatted("week", "2026-01-26")));
    // Week Feb 2: G new, C returning (week Jan 26), A and B resurrecting (last in week Jan 5); D dormant.
    assertEquals("4|1|1|2|1", row(cell.formatted("week", "2026-02-02")));
    // Week Feb 9: G returning; A, B, C dormant.
    assertEquals("1|0|1|0|3", row(cell.formatted("week", "2026-02-09")));
    // First week: everyone new.
    assertEquals("2|2|0|0|0", row(cell.formatted("week", "2026-01-05")));
  }

  @Test
  void identities() throws Exception {
    // Lifecycle: active = new + returning + resurrecting, and active(P-1) = returning + dormant, with
    // active before the first period = 0.
    assertEquals(0, queryLong("SELECT count(*) FROM oracle_user_lifecycle"
        + " WHERE active_users <> new_users + returning_users + resurrecting_users"));
    assertEquals(0, queryLong("SELECT count(*) FROM oracle_user_lifecycle c"
        + " LEFT JOIN oracle_user_lifecycle p ON p.period = c.period AND p.period_start"
        + " = c.period_start - CASE c.period WHEN 'day' THEN INTERVAL 1 DAY ELSE INTERVAL 7 DAY END"
        + " WHERE coalesce(p.active_users, 0) <> c.returning_users + c.dormant_users"));
    // Weeks start on Mondays.
    assertEquals(0, queryLong("SELECT count(*) FROM oracle_user_lifecycle"
        + " WHERE period = 'week' AND isodow(period_start) <> 1"));
    // The sum of new users over the periods is the number of users.
    assertEquals("7|7", row("SELECT sum(new_users) FILTER (WHERE period = 'day') || '|' ||"
        + " sum(new_users) FILTER (WHERE period = 'week') FROM oracle_user_lifecycle"));
    for (String t : List.of("daily", "weekly")) {
      String n = t.equals("daily") ? "day_n" : "week_n";
      String c = t.equals("daily") ? "cohort_day" : "cohort_week";
      // With any/any, retained at N = 0 is the cohort; retained <= retained_or_later <= cohort_size,
      // and retained_or_later does not grow with N.
      assertEquals(0, queryLong("SELECT count(*) FROM (SELECT *, lag(retained_or_later) OVER"
          + " (PARTITION BY cohort_type, " + c + " ORDER BY " + n + ") AS before FROM oracle_retention_" + t + ")"
          + " WHERE (" + n + " = 0 AND retained <> cohort_size) OR retained > retained_or_later"
          + " OR retained_or_later > cohort_size OR retained_or_later > before"), t);
    }
    // Daily cells after data_through (incomplete) are 0. (Not so for weeks: the week holding
    // data_through is incomplete but may have activity.)
    assertEquals(0, queryLong("SELECT count(*) FROM oracle_retention_daily"
        + " WHERE NOT complete AND retained_or_later <> 0"));
    // first_time cohorts partition the users.
    assertEquals(7, queryLong("SELECT sum(cohort_size) FROM oracle_retention_daily"
        + " WHERE cohort_type = 'first_time' AND day_n = 0"));
  }



  /** The single value of a one-row, one-column query, as a string. */
  private static String row(String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), "no row: " + sql);
      String value = rs.getString(1);
      assertTrue(!rs.next(), "more than one row: " + sql);
      return value;
    }
  }

  private static long queryLong(String sql) throws Exception {
    return SqlScripts.queryLong(s, sql);
  }

  /** The values of a one-column query, joined with '|'. */
  private static String rows(String sql) throws Exception {
    return SqlScripts.column(s, sql, "|");
  }
}
