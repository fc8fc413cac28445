package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The revenue attribution oracle (WarehouseAnalyticsTest/attribution.sql) checked on a small
 * hand-built events table against values worked out by hand from the definitions.
 *
 * <p>The users (2026, times UTC unless written with another offset), one purchase day each:
 *
 * <pre>
 *   alice  Mar 15: utm google (Mar 1), utm newsletter (Mar 8), referrer facebook (Mar 15, the purchase's
 *          instant), purchase 70: ages 14, 7, 0 days, three touchpoints, every model differs
 *   bob    Mar 20: only non-touchpoints (utm_source a number, an object, blank, true; referrer an
 *          array, null, empty; utm_medium alone; no properties), a touchpoint a minute after the
 *          purchase, and mallory's touchpoint the same day: the purchase (25) is (direct)
 *   dave   Mar 25: two touchpoints at the same instant, event ids d-b (utm bbb) and d-a (referrer
 *          HTTPS://WWW.Example.COM:8443/..), purchase 30: first = d-a, last = d-b, 50/50 otherwise
 *   erin   Mar 28: one referrer touchpoint ("  Not A URL ", no host, and utm_source ""), purchases with
 *          revenue "lots", "12.5" (strings), 1e999 (not finite) and 8.5: 4 purchases, revenue 8.5
 *   carol  Apr 30: touchpoints 30 days + 1 minute (out) and exactly 30 days (in) before, purchase 40
 * </pre>
 */
class AttributionOracleSqlTest {
  private static Connection connection;
  private static Statement s;

  private static final List<String> MODELS =
      List.of("first_touch", "last_touch", "linear", "position_based", "time_decay");

  // The channels (source, medium, campaign) of the touchpoints that count, and (direct).
  // alice's a1: utm_source " google " trimmed; its referrer (bing) is ignored, utm_source comes first.
  private static final String GOOGLE = "google|cpc|spring";
  // alice's a2: utm_campaign 7 is a number, not a string: (not set).
  private static final String NEWSLETTER = "newsletter|email|(not set)";
  // alice's a3: https://www.Facebook.COM/some/path: host lower-cased, "www." removed.
  private static final String FACEBOOK = "facebook.com|referral|(not set)";
  private static final String DIRECT = "(direct)|(none)|(not set)";
  // dave's d-a: HTTPS://WWW.Example.COM:8443/landing?q=1: the host, without port, lower case, no www.
  private static final String EXAMPLE = "example.com|referral|(not set)";
  // dave's d-b: utm_source without medium or campaign.
  private static final String BBB = "bbb|(not set)|(not set)";
  // erin's e1: utm_source "" does not count; the referrer "  Not A URL " has no host: the whole
  // (trimmed) text lower-cased; utm_campaign " launch " trimmed.
  private static final String NOT_A_URL = "not a url|referral|launch";
  // carol's c1: a referrer with a utm_medium: the medium is utm_medium (trimmed), not referral.
  private static final String HACKER_NEWS = "news.ycombinator.com|social|(not set)";

  private static final String[][] EVENTS = {
    // event_id, event_type, user_id, event_timestamp, properties (null: SQL NULL)
    // a1 is written at +01: 11:00+01 = 10:00 UTC, 14 days before the purchase.
    {"a1", "page_view", "alice", "2026-03-01 11:00:00+01",
        "{\"utm_source\": \" google \", \"utm_medium\": \"cpc\", \"utm_campaign\": \"spring\","
            + " \"referrer\": \"https://www.bing.com/\"}"},
    {"a2", "page_view", "alice", "2026-03-08 10:00:00+00",
        "{\"utm_source\": \"newsletter\", \"utm_medium\": \"email\", \"utm_campaign\": 7}"},
    {"a3", "page_view", "alice", "2026-03-15 10:00:00+00",
        "{\"referrer\": \"https://www.Facebook.COM/some/path\"}"},
    {"a4", "purchase", "alice", "2026-03-15 10:00:00+00", "{\"revenue\": 70.0, \"currency\": \"EUR\"}"},

    {"b1", "page_view", "bob", "2026-03-19 12:00:00+00", "{\"utm_source\": 42, \"utm_medium\": \"cpc\"}"},
    {"b2", "page_view", "bob", "2026-03-19 12:01:00+00",
        "{\"utm_source\": {\"name\": \"google\"}, \"utm_campaign\": \"spring\"}"},
    {"b3", "page_view", "bob", "2026-03-19 12:02:00+00", "{\"utm_source\": \"   \", \"referrer\": null}"},
    {"b4", "click", "bob", "2026-03-19 12:03:00+00", "{\"referrer\": [\"https://x.com/\"]}"},
    {"b5", "page_view", "bob", "2026-03-19 12:04:00+00", "{\"utm_source\": true, \"referrer\": \"\"}"},
    {"b6", "page_view", "bob", "2026-03-19 12:05:00+00", "{\"utm_medium\": \"email\", \"utm_campaign\": \"promo\"}"},
    {"b7", "page_view", "bob", "2026-03-19 12:06:00+00", null},
    {"b8", "page_view", "bob", "2026-03-19 12:07:00+00", "{\"page\": \"/home\"}"},
    // 2026-03-21 00:30 at +01 is 2026-03-20 23:30 UTC: the purchase's day is Mar 20.
    {"b9", "purchase", "bob", "2026-03-21 00:30:00+01", "{\"revenue\": 25}"},
    {"b10", "page_view", "bob", "2026-03-20 23:31:00+00", "{\"utm_source\": \"late\"}"},
    {"m1", "page_view", "mallory", "2026-03-20 12:00:00+00", "{\"utm_source\": \"someone_else\"}"},

    // d-b is inserted before d-a, at the same instant: the order is by event_id, not insertion.
    {"d-b", "page_view", "dave", "2026-03-20 12:00:00+00", "{\"utm_source\": \"bbb\"}"},
    {"d-a", "click", "dave", "2026-03-20 12:00:00+00",
        "{\"referrer\": \"HTTPS://WWW.Example.COM:8443/landing?q=1\"}"},
    {"d-p", "purchase", "dave", "2026-03-25 12:00:00+00", "{\"revenue\": 30}"},

    {"e1", "page_view", "erin", "2026-03-27 08:00:00+00",
        "{\"utm_source\": \"\", \"referrer\": \"  Not A URL \", \"utm_campaign\": \" launch \"}"},
    {"e2", "purchase", "erin", "2026-03-28 09:00:00+00", "{\"revenue\": \"lots\"}"},
    {"e3", "purchase", "erin", "2026-03-28 10:00:00+00", "{\"revenue\": \"12.5\"}"},
    {"e4", "purchase", "erin", "2026-03-28 11:00:00+00", "{\"revenue\": 1e999}"},
    {"e5", "purchase", "erin", "2026-03-28 12:00:00+00", "{\"revenue\": 8.5}"},

    // Mar 31 12:00 + 30 days = Apr 30 12:00: c1 is exactly 30 * 24 hours before c2, c0 a minute more.
    {"c0", "page_view", "carol", "2026-03-31 11:59:00+00", "{\"utm_source\": \"too_early\"}"},
    {"c1", "page_view", "carol", "2026-03-31 12:00:00+00",
        "{\"referrer\": \"https://news.ycombinator.com/item?id=1\", \"utm_medium\": \" social \"}"},
    {"c2", "purchase", "carol", "2026-04-30 12:00:00+00", "{\"revenue\": 40}"},
  };

  @BeforeAll
  static void runTheOracle() throws Exception {
    connection = DriverManager.getConnection("jdbc:duckdb:");
    s = connection.createStatement();
    s.execute("SET TimeZone = 'UTC'");
    s.execute("CREATE TABLE events (event_id VARCHAR, event_type VARCHAR, user_id VARCHAR,"
        + " properties VARCHAR, event_timestamp TIMESTAMP WITH TIME ZONE)");
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO events VALUES (?, ?, ?, ?, CAST(? AS TIMESTAMP WITH TIME ZONE))")) {
      for (String[] e : EVENTS) {
        insert.setString(1, e[0]);
        insert.setString(2, e[1]);
        insert.setString(3, e[2]);
        insert.setString(4, e[4]);
        insert.setString(5, e[3]);
        insert.execute();
      }
    }
    SqlScripts.run(s, "/WarehouseAnalyticsTest/attribution.sql");
  }

  @AfterAll
  static void close() throws Exception {
    s.close();
    connection.close();
  }

  @Test
  void columnsHaveTheContractsTypes() throws Exception {
    Map<String, String> types = new TreeMap<>();
    try (ResultSet rs = s.executeQuery("SELECT column_name, data_type FROM information_schema.columns"
        + " WHERE table_name = 'oracle_revenue_attribution'")) {
      while (rs.next()) {
        types.put(rs.getString(1), rs.getString(2));
      }
    }
    Map<String, String> expected = new TreeMap<>();
    expected.put("day", "TIMESTAMP");
    for (String c : List.of("model", "source", "medium", "campaign")) {
      expected.put(c, "VARCHAR");
    }
    expected.put("revenue", "DOUBLE");
    expected.put("purchases", "DOUBLE");
    assertEquals(expected, types);
  }

  @Test
  void threeTouchpointsInEveryModel() throws Exception {
    // alice's purchase of 70 at Mar 15 10:00; window Feb 13 10:00 .. Mar 15 10:00 holds
    // a1 (google, age 14 days), a2 (newsletter, 7 days), a3 (facebook, 0 days: at the purchase's instant).
    String day = "2026-03-15";
    // first_touch / last_touch: all to a1 / a3, and no row for the others.
    assertCell(day, "first_touch", GOOGLE, 70, 1);
    assertCell(day, "last_touch", FACEBOOK, 70, 1);
    // linear: 1/3 each.
    for (String channel : List.of(GOOGLE, NEWSLETTER, FACEBOOK)) {
      assertCell(day, "linear", channel, 70.0 / 3, 1.0 / 3);
    }
    // position_based, n = 3: 0.4 first, 0.4 last, 0.2 / (3 - 2) = 0.2 to the middle one.
    assertCell(day, "position_based", GOOGLE, 28, 0.4);
    assertCell(day, "position_based", NEWSLETTER, 14, 0.2);
    assertCell(day, "position_based", FACEBOOK, 28, 0.4);
    // time_decay: weights 2^-2 = 1/4, 2^-1 = 1/2, 2^0 = 1, sum 7/4: shares 1/7, 2/7, 4/7 = 10, 20, 40.
    assertCell(day, "time_decay", GOOGLE, 10, 1.0 / 7);
    assertCell(day, "time_decay", NEWSLETTER, 20, 2.0 / 7);
    assertCell(day, "time_decay", FACEBOOK, 40, 4.0 / 7);
    // 1 + 1 + 3 + 3 + 3 rows: shares of exactly 0 (first/last touch) have none.
    assertEquals(11, queryLong("SELECT count(*) FROM oracle_revenue_attribution WHERE day = TIMESTAMP '" + day + "'"));
  }

  @Test
  void purchaseWithoutTouchpointIsDirect() throws Exception {
    // bob's events before the purchase carry no touchpoint (non-string or blank utm_source / referrer,
    // utm_medium alone, no properties); b10 (utm "late") comes a minute after the purchase, and m1 is
    // mallory's. The purchase, at 2026-03-21 00:30+01 = Mar 20 23:30 UTC, is (direct) in every model.
    for (String model : MODELS) {
      assertCell("2026-03-20", model, DIRECT, 25, 1);
    }
    assertEquals(5, queryLong("SELECT count(*) FROM oracle_revenue_attribution WHERE day = TIMESTAMP '2026-03-20'"));
    assertEquals(0, queryLong("SELECT count(*) FROM oracle_revenue_attribution WHERE day = TIMESTAMP '2026-03-21'"));
  }

  @Test
  void twoTouchpointsAtTheSameInstant() throws Exception {
    // dave's purchase of 30 on Mar 25 12:00; d-a and d-b both Mar 20 12:00 (5 days), ordered d-a, d-b.
    String day = "2026-03-25";
    assertCell(day, "first_touch", EXAMPLE, 30, 1);
    assertCell(day, "last_touch", BBB, 30, 1);
    // linear, position_based (n = 2: 0.5 each) and time_decay (equal ages, equal weights): 15 and 0.5.
    for (String model : List.of("linear", "position_based", "time_decay")) {
      assertCell(day, model, EXAMPLE, 15, 0.5);
      assertCell(day, model, BBB, 15, 0.5);
    }
    assertEquals(8, queryLong("SELECT count(*) FROM oracle_revenue_attribution WHERE day = TIMESTAMP '" + day + "'"));
  }

  @Test
  void revenueIsAFiniteJsonNumberElseZero() throws Exception {
    // erin's four purchases on Mar 28 all credit e1 alone (n = 1: share 1 in every model): revenue
    // "lots" -> 0, "12.5" (a string) -> 0, 1e999 (not finite) -> 0, 8.5 -> 8.5; 4 purchases.
    for (String model : MODELS) {
      assertCell("2026-03-28", model, NOT_A_URL, 8.5, 4);
    }
    assertEquals(5, queryLong("SELECT count(*) FROM oracle_revenue_attribution WHERE day = TIMESTAMP '2026-03-28'"));
  }

  @Test
  void thirtyDaysBackIsIncluded() throws Exception {
    // carol's purchase Apr 30 12:00: c1 (Mar 31 12:00, exactly 30 * 24 h before) is in the window,
    // c0 (Mar 31 11:59, 30 days + 1 minute) is not. So n = 1 (position_based n = 1: share 1): c1 takes
    // everything in every model, and too_early gets nothing.
    for (String model : MODELS) {
      assertCell("2026-04-30", model, HACKER_NEWS, 40, 1);
    }
    assertEquals(5, queryLong("SELECT count(*) FROM oracle_revenue_attribution WHERE day = TIMESTAMP '2026-04-30'"));
  }

  @Test
  void channelsFollowTheRules() throws Exception {
    // Every channel credited anywhere: the touchpoints that count, and (direct). Not 42, true, an
    // object, blank, late (after its purchase), someone_else (no purchase of mallory's), too_early.
    assertEquals(String.join(",", new TreeSet<>(List.of(
            GOOGLE, NEWSLETTER, FACEBOOK, DIRECT, EXAMPLE, BBB, NOT_A_URL, HACKER_NEWS))),
        rows("SELECT DISTINCT source || '|' || medium || '|' || campaign FROM oracle_revenue_attribution"
            + " ORDER BY 1"));
  }

  @Test
  void eachDayAndModelSumsToTheDaysPurchases() throws Exception {
    // The days' purchases: revenue and count.
    Map<String, double[]> days = new TreeMap<>();
    days.put("2026-03-15", new double[] {70, 1});
    days.put("2026-03-20", new double[] {25, 1});
    days.put("2026-03-25", new double[] {30, 1});
    days.put("2026-03-28", new double[] {8.5, 4});
    days.put("2026-04-30", new double[] {40, 1});
    int cells = 0;
    try (ResultSet rs = s.executeQuery("SELECT strftime(day, '%Y-%m-%d'), model, sum(revenue), sum(purchases)"
        + " FROM oracle_revenue_attribution GROUP BY ALL ORDER BY 1, 2")) {
      while (rs.next()) {
        String where = rs.getString(1) + " " + rs.getString(2);
        double[] expected = days.get(rs.getString(1));
        assertTrue(expected != null, where);
        assertTrue(MODELS.contains(rs.getString(2)), where);
        assertEquals(expected[0], rs.getDouble(3), 1e-9, where);
        assertEquals(expected[1], rs.getDouble(4), 1e-9, where);
        cells++;
      }
    }
    assertEquals(days.size() * MODELS.size(), cells);
    // 11 + 5 + 8 + 5 + 5 rows, none with a share of 0.
    assertEquals(34, queryLong("SELECT count(*) FROM oracle_revenue_attribution"));
    assertEquals(0, queryLong("SELECT count(*) FROM oracle_revenue_attribution WHERE purchases <= 0"));
  }

  /** Asserts the one row of (day, model, channel "source|medium|campaign"). */
  private static void assertCell(String day, String model, String channel, double revenue, double purchases)
      throws Exception {
    String[] c = channel.split("\\|");
    String where = day + " " + model + " " + channel;
    try (PreparedStatement q = connection.prepareStatement("SELECT revenue, purchases"
        + " FROM oracle_revenue_attribution WHERE day = CAST(? AS TIMESTAMP) AND model = ? AND source = ?"
        + " AND medium = ? AND campaign = ?")) {
      q.setString(1, day);
      q.setString(2, model);
      q.setString(3, c[0]);
      q.setString(4, c[1]);
      q.setString(5, c[2]);
      try (ResultSet rs = q.executeQuery()) {
        assertTrue(rs.next(), "no row: " + where);
        assertEquals(revenue, rs.getDouble(1), 1e-6, "revenue: " + where);
        assertEquals(purchases, rs.getDouble(2), 1e-6, "purchases: " + where);
        assertTrue(!rs.next(), "more than one row: " + where);
      }
    }
  }

  private static long queryLong(String sql) throws Exception {
    return SqlScripts.queryLong(s, sql);
  }

  /** The values of a one-column query, joined with ','. */
  private static String rows(String sql) throws Exception {
    return SqlScripts.column(s, sql, ",");
  }
}
