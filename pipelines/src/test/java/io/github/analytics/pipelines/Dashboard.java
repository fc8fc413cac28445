package io.github.analytics.pipelines;

import io.github.analytics.pipelines.io.RedisReader;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;

/**
 * What a dashboard shows for one generated UTC day, read from Redis by the key layout {@code RedisSink}
 * documents: per-minute counts ({@code window|event_type|platform|country} to {@code event_count}),
 * sessions ({@code user_id|session_start_ms} to {@code event_count}) and the hourly distinct-user
 * estimates ({@code window|event_type} to {@code distinct_users}). Sessions that start before midnight
 * run into the next day, so the next day's keys are read too.
 */
record Dashboard(
    Map<String, Long> perMinuteCounts, Map<String, Long> sessions, Map<String, Long> hourlyDistinctUsers) {
  /** Reads the day's values (and the next day's) from the database {@code redis} has selected. */
  static Dashboard read(Jedis redis, LocalDate day) {
    Map<String, Long> perMinute = new TreeMap<>();
    Map<String, Long> sessions = new TreeMap<>();
    Map<String, Long> hourlyUsers = new TreeMap<>();
    for (LocalDate d : List.of(day, day.plusDays(1))) {
      perMinute.putAll(metric(redis, d, "event_counts_per_minute", "event_count"));
      sessions.putAll(sessions(redis, d));
      hourlyUsers.putAll(metric(redis, d, "distinct_users_hourly", "distinct_users"));
    }
    return new Dashboard(perMinute, sessions, hourlyUsers);
  }

  /** Events counted over all per-minute rows. */
  long countedEvents() {
    return perMinuteCounts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Events counted over all sessions. */
  long sessionEvents() {
    return sessions.values().stream().mapToLong(Long::longValue).sum();
  }

  /** A short description for failure messages: sizes and sums, not thousands of rows. */
  String summary() {
    return perMinuteCounts.size() + " per-minute rows counting " + countedEvents() + " events, "
        + sessions.size() + " sessions holding " + sessionEvents() + " events, "
        + hourlyDistinctUsers.size() + " hourly distinct-user rows";
  }

  /** Every row of a metric's hashes ({@code <metric>:<window>}) for the day: window|field to a number. */
  private static Map<String, Long> metric(Jedis redis, LocalDate day, String metric, String value) {
    Map<String, Long> rows = new TreeMap<>();
    RedisReader.metricRows(redis, metric, day).forEach((key, row) -> rows.put(key, row.get(value).asLong()));
    return rows;
  }

  private static Map<String, Long> sessions(Jedis redis, LocalDate day) {
    Map<String, Long> rows = new TreeMap<>();
    for (JsonNode row : RedisReader.sessions(redis, day).values()) {
      rows.put(row.get("user_id").asText() + "|" + row.get("session_start_ms").asLong(),
          row.get("event_count").asLong());
    }
    return rows;
  }
}
