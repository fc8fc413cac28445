package io.github.analytics.pipelines.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Reads what {@link RedisSink} writes, by its documented key layout: what a dashboard, the demo and the
 * tests do.
 *
 * <pre>{@code
 * try (Jedis redis = new Jedis("127.0.0.1", 6379)) {
 *   Map<String, JsonNode> minutes = RedisReader.metricRows(redis, "event_counts_per_minute", day);
 *   // "2026-11-28T14:05:00Z|page_view|web|US" -> {"event_count": 42, ...}
 * }
 * }</pre>
 */
public final class RedisReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RedisReader() {}

  /** Every key matching {@code pattern} (Redis glob), by {@code SCAN}, never {@code KEYS}. */
  public static List<String> keys(Jedis redis, String pattern) {
    List<String> keys = new ArrayList<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, new ScanParams().match(pattern).count(1000));
      keys.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return keys;
  }

  /**
   * The rows of a metric whose day column lies on {@code day}: {@code <day column value>|<field>} to
   * the row.
   */
  public static Map<String, JsonNode> metricRows(Jedis redis, String metric, LocalDate day) {
    Map<String, JsonNode> rows = new TreeMap<>();
    for (String key : keys(redis, metric + ":" + day + "T*")) {
      String window = key.substring(metric.length() + 1);
      redis.hgetAll(key).forEach((field, json) -> rows.put(window + "|" + field, parse(json)));
    }
    return rows;
  }

  /** The sessions starting on {@code day}: {@code <user_id>|<session_start>} to the session. */
  public static Map<String, JsonNode> sessions(Jedis redis, LocalDate day) {
    Map<String, JsonNode> rows = new TreeMap<>();
    redis.hgetAll(RedisSink.SESSIONS_PREFIX + day).forEach((field, json) -> rows.put(field, parse(json)));
    return rows;
  }

  /** Parses one stored row. */
  public static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("Not a JSON row in Redis: " + json, e);
    }
  }
}
