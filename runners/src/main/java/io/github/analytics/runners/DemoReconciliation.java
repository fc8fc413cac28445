package io.github.analytics.runners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.generator.LiveRun;
import io.github.analytics.pipelines.io.RedisReader;
import io.github.analytics.pipelines.io.RedisSink;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;

/**
 * The end of {@link LambdaDemo}: the streaming layer's values (Redis) beside the batch layer's
 * (DuckDB) over the streamed window, with the exact figures SQL gives over the events table.
 */
final class DemoReconciliation {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DemoReconciliation() {}

  /** The two layers side by side, for the streamed window. */
  static void print(LiveRun live, Jedis redis, Path warehouse) throws Exception {
    long start = live.start().toEpochMilli();
    long end = live.end().toEpochMilli();
    Map<String, Long> streamingMinutes = new TreeMap<>();
    for (LocalDate day : LambdaDemo.days(live)) {
      RedisReader.metricRows(redis, "event_counts_per_minute", day)
          .forEach((key, row) -> streamingMinutes.put(key, row.get("event_count").asLong()));
    }
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + warehouse)) {
      Map<String, Long> batchMinutes = queryMap(db,
          "SELECT strftime(window_start, '%Y-%m-%dT%H:%M:%SZ') || '|' || event_type || '|' || platform"
              + " || '|' || country, event_count FROM event_counts_per_minute"
              + " WHERE epoch_ms(window_start) >= " + (start - 60_000));
      long batchBefore = queryLong(db, "SELECT coalesce(sum(event_count), 0)"
          + " FROM event_counts_per_minute WHERE epoch_ms(window_start) < " + (start - 60_000));
      streamingMinutes.keySet().removeIf(k -> !batchMinutes.containsKey(k)
          && java.time.Instant.parse(k.substring(0, k.indexOf('|'))).toEpochMilli() < start - 60_000);
      long equal = batchMinutes.entrySet().stream()
          .filter(e -> e.getValue().equals(streamingMinutes.get(e.getKey()))).count();
      long streamingSum = streamingMinutes.values().stream().mapToLong(Long::longValue).sum();
      long batchSum = batchMinutes.values().stream().mapToLong(Long::longValue).sum();

      String day = LocalDate.ofInstant(live.start(), ZoneOffset.UTC).toString();
      long streamingSessions = 0;
      for (LocalDate d : LambdaDemo.days(live)) {
        streamingSessions += RedisReader.sessions(redis, d).values().stream()
            .filter(row -> row.get("session_start_ms").asLong() >= start).count();
      }
      long batchSessions = queryLong(db,
          "SELECT count(*) FROM sessions WHERE epoch_ms(session_start) >= " + start);
      String dailyKey = "distinct_users_daily:" + day + "T00:00:00Z";
      String streamingUsers = redis.hexists(dailyKey, "all")
          ? String.format(Locale.ROOT, "%,d", number(redis.hget(dailyKey, "all"), "distinct_users"))
          : "-";
      long batchUsers = queryLong(db, "SELECT coalesce(max(distinct_users), 0) FROM distinct_users_daily"
          + " WHERE event_type = 'all' AND CAST(day AS DATE) = DATE '" + day + "'");
      long exactUsers = queryLong(db, "SELECT count(DISTINCT user_id) FROM events"
          + " WHERE CAST(event_timestamp AS DATE) = DATE '" + day + "'");
      // The same without the late arrivals (the minutes before the window, as counted above).
      long exactOnTimeUsers = queryLong(db, "SELECT count(DISTINCT user_id) FROM events"
          + " WHERE CAST(event_timestamp AS DATE) = DATE '" + day + "'"
          + " AND epoch_ms(date_trunc('minute', event_timestamp)) >= " + (start - 60_000));
      // Alerts judged with a full history (the detector needs 30 minutes of it) inside the window.
      long judgedFrom = start + Duration.ofMinutes(30).toMillis();
      List<String> streamingAlerts = new ArrayList<>();
      if (redis.exists(RedisSink.ALERT_IDS)) {
        for (String alert : redis.hvals(RedisSink.ALERT_IDS)) {
          if (number(alert, "window_start_ms") >= judgedFrom && number(alert, "window_end_ms") <= end) {
            streamingAlerts.add(alertText(live, alert));
          }
        }
      }
      java.util.Collections.sort(streamingAlerts);
      List<String> batchAlerts = new ArrayList<>();
      try (Statement s = db.createStatement();
          ResultSet r = s.executeQuery("SELECT series_key, epoch_ms(window_start), value, z_score"
              + " FROM anomalies WHERE epoch_ms(window_start) >= " + judgedFrom
              + " AND epoch_ms(window_end) <= " + end + " ORDER BY 2, 1")) {
        while (r.next()) {
          batchAlerts.add(String.format(Locale.ROOT, "%s %s: %d events, z %.1f",
              io.github.analytics.pipelines.Printable.text(r.getString(1)),
              LambdaDemo.HHMM.format(Instant.ofEpochMilli(r.getLong(2)).minus(live.timeShift())), r.getLong(3),
              r.getDouble(4)));
        }
      }
      Map<String, Long> batchFunnel = queryMap(db,
          "SELECT funnel || ' step ' || step || ' ' || step_name, users FROM funnel_conversion"
              + " WHERE CAST(day AS DATE) = DATE '" + day + "'");
      Map<String, String> streamingFunnel = redis.hgetAll("funnel_conversion:" + day + "T00:00:00Z");

      System.out.printf("%nReconciliation of the two layers over the streamed window%n");
      String row = "  %-44s %18s %18s%n";
      System.out.printf(row, "", "streaming (Redis)", "batch (DuckDB)");
      System.out.printf(Locale.ROOT, row, "events counted, minutes of the window",
          String.format(Locale.ROOT, "%,d", streamingSum), String.format(Locale.ROOT, "%,d", batchSum));
      System.out.printf(Locale.ROOT, row, "per-minute rows identical",
          String.format(Locale.ROOT, "%,d of %,d", equal, batchMinutes.size()), "");
      System.out.printf(Locale.ROOT, row, "late arrivals (event time before the window)",
          "dropped (> lateness)", String.format(Locale.ROOT, "%,d", batchBefore));
      System.out.printf(Locale.ROOT, row, "sessions started in the window",
          String.format(Locale.ROOT, "%,d", streamingSessions),
          String.format(Locale.ROOT, "%,d", batchSessions));
      System.out.printf(Locale.ROOT, row, "distinct users on " + day + " (HLL++)", streamingUsers,
          String.format(Locale.ROOT, "%,d", batchUsers));
      System.out.printf(Locale.ROOT, row, "  exact (SQL over the events table)", "",
          String.format(Locale.ROOT, "%,d", exactUsers));
      System.out.printf(Locale.ROOT, row, "  exact without the late arrivals", "",
          String.format(Locale.ROOT, "%,d", exactOnTimeUsers));
      for (Map.Entry<String, Long> step : batchFunnel.entrySet()) {
        String[] parts = step.getKey().split(" step ");
        String field = parts[0] + "|" + parts[1].split(" ")[0];
        String streamed = streamingFunnel.containsKey(field)
            ? String.format(Locale.ROOT, "%,d", number(streamingFunnel.get(field), "users")) : "-";
        System.out.printf(Locale.ROOT, row, "funnel " + day + " " + step.getKey(), streamed,
            String.format(Locale.ROOT, "%,d", step.getValue()));
      }
      System.out.printf(Locale.ROOT, row, "anomaly alerts after 30 min of history",
          String.format(Locale.ROOT, "%,d", streamingAlerts.size()),
          String.format(Locale.ROOT, "%,d", batchAlerts.size()));
      System.out.printf("    streaming: %s%n    batch:     %s%n",
          streamingAlerts.isEmpty() ? "none" : String.join("; ", streamingAlerts),
          batchAlerts.isEmpty() ? "none" : String.join("; ", batchAlerts));
      System.out.printf("%n  Streaming values of windows still open when the demo stopped (the last"
          + " minutes, sessions in%n  progress) are early results; the batch layer's are final,"
          + " and it also counts the late%n  arrivals the streaming layer dropped. Streaming's"
          + " distinct users lie between the two exact%n  figures: it also counts the late"
          + " arrivals it took before its watermark first moved.%n  The streaming funnel shows a"
          + " step as soon as an attempt reaches it, provisional until the%n  attempt's conversion"
          + " window (60 minutes) closes. LambdaParityTest shows the two layers%n  agree exactly"
          + " once every window has closed.%n");
    }
  }

  /** An alert as "series_key HH:mm (simulated): value events, z". */
  private static String alertText(LiveRun live, String json) {
    try {
      JsonNode node = JSON.readTree(json);
      return String.format(Locale.ROOT, "%s %s: %d events, z %.1f",
          io.github.analytics.pipelines.Printable.text(node.get("series_key").asText()),
          LambdaDemo.HHMM.format(Instant.ofEpochMilli(node.get("window_start_ms").asLong()).minus(live.timeShift())),
          node.get("value").asLong(), node.get("z_score").asDouble());
    } catch (Exception e) {
      throw new IllegalStateException("Unexpected alert " + json, e);
    }
  }

  private static long number(String json, String field) {
    try {
      JsonNode node = JSON.readTree(json).get(field);
      return node == null ? 0 : node.asLong();
    } catch (Exception e) {
      throw new IllegalStateException("Unexpected Redis value " + json, e);
    }
  }

  private static Map<String, Long> queryMap(Connection db, String sql) throws Exception {
    Map<String, Long> rows = new TreeMap<>();
    try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        rows.put(r.getString(1), r.getLong(2));
      }
    }
    return rows;
  }

  private static long queryLong(Connection db, String sql) throws Exception {
    try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
