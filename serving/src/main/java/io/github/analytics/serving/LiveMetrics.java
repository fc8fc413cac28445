package io.github.analytics.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The streaming layer's live values, read from Redis by the key layout the README documents (and
 * {@code RedisSink} writes): per-minute counts, HyperLogLogs of users, session hashes and the alert
 * stream. Every read is one pipelined round trip on a pooled connection.
 */
public final class LiveMetrics {
  /** The longest range of per-minute buckets one answer holds: a week. */
  public static final Duration MAX_MINUTE_RANGE = Duration.ofDays(7);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MINUTE_METRIC = "event_counts_per_minute";
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyyMMddHH", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** Which rows of a per-minute hash count: null fields match every value. */
  public record Dimensions(String eventType, String platform, String country) {
    public static final Dimensions ALL = new Dimensions(null, null, null);

    boolean matches(JsonNode row) {
      return matches(eventType, row, "event_type")
          && matches(platform, row, "platform")
          && matches(country, row, "country");
    }

    private static boolean matches(String wanted, JsonNode row, String column) {
      return wanted == null || wanted.equals(row.path(column).asText(null));
    }
  }

  /** One minute's count; {@code present} is false when Redis holds no hash for the minute. */
  public record MinuteCount(Instant start, long count, boolean present) {}

  /** One step of a funnel, of the attempts that started on a day. */
  public record FunnelStep(String funnel, int step, String stepName, long users, double overallConversion) {}

  /** One alert of the stream: its id, when it was added, and the anomaly row as JSON. */
  public record Alert(String id, Instant addedAt, JsonNode row) {}

  private final JedisPool pool;

  public LiveMetrics(JedisPool pool) {
    this.pool = Objects.requireNonNull(pool);
  }

  JedisPool pool() {
    return pool;
  }

  /**
   * The count of every minute in {@code [from, to)} (whole minutes, UTC) over the rows matching
   * {@code dimensions}; a minute Redis holds nothing for counts 0 and is marked absent.
   */
  public List<MinuteCount> eventsPerMinute(Instant from, Instant to, Dimensions dimensions) {
    Instant start = from.truncatedTo(ChronoUnit.MINUTES);
    checkRange(start, to, MAX_MINUTE_RANGE);
    List<Instant> minutes = new ArrayList<>();
    for (Instant m = start; m.isBefore(to); m = m.plus(1, ChronoUnit.MINUTES)) {
      minutes.add(m);
    }
    List<Response<List<String>>> rows = new ArrayList<>(minutes.size());
    try (Jedis jedis = pool.getResource()) {
      Pipeline pipeline = jedis.pipelined();
      for (Instant minute : minutes) {
        rows.add(pipeline.hvals(MINUTE_METRIC + ":" + minute));
      }
      pipeline.sync();
    }
    List<MinuteCount> counts = new ArrayList<>(minutes.size());
    for (int i = 0; i < minutes.size(); i++) {
      List<String> values = rows.get(i).get();
      long sum = 0;
      for (String value : values) {
        JsonNode row = parse(value);
        if (dimensions.matches(row)) {
          sum += row.path("event_count").asLong();
        }
      }
      counts.add(new MinuteCount(minutes.get(i), sum, !values.isEmpty()));
    }
    return counts;
  }

  /**
   * A value as one part of a Redis key, as the streaming job's sink writes it ({@code
   * RowJson.keyPart}; {@code RedisSinkTest} reads through this class what the sink wrote): {@code %},
   * {@code |} and {@code :} as {@code %25}, {@code %7C} and {@code %3A}.
   */
  static String keyPart(String value) {
    StringBuilder escaped = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '%' -> escaped.append("%25");
        case '|' -> escaped.append("%7C");
        case ':' -> escaped.append("%3A");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }

  /**
   * Distinct users of {@code eventType} ({@code all} for every type) over {@code [from, to)} in whole
   * UTC hours, as Redis's HyperLogLog union estimates it (0.81% standard error): the daily keys for
   * the days the range covers whole (they outlive the hourly ones), the hourly keys for the rest.
   */
  public long distinctUsers(String eventType, Instant from, Instant to) {
    Instant start = from.truncatedTo(ChronoUnit.HOURS);
    checkRange(start, to, Duration.ofDays(400));
    List<String> keys = new ArrayList<>();
    Instant t = start;
    while (t.isBefore(to)) {
      Instant dayEnd = t.truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
      if (t.equals(t.truncatedTo(ChronoUnit.DAYS)) && !dayEnd.isAfter(to)) {
        keys.add("hll:" + keyPart(eventType) + ":" + DAY.format(t));
        t = dayEnd;
      } else {
        keys.add("hll:" + keyPart(eventType) + ":" + HOUR.format(t));
        t = t.plus(1, ChronoUnit.HOURS);
      }
    }
    try (Jedis jedis = pool.getResource()) {
      return jedis.pfcount(keys.toArray(new String[0]));
    }
  }

  /** Sessions that started on {@code day} (UTC), as the streaming layer has seen them so far. */
  public long sessionsStartedOn(java.time.LocalDate day) {
    try (Jedis jedis = pool.getResource()) {
      return jedis.hlen("sessions:" + day);
    }
  }

  /**
   * The steps of every funnel for the attempts that started on {@code day} (UTC), ordered by funnel and
   * step, from the {@code funnel_conversion:<day>} hash.
   */
  public List<FunnelStep> funnelSteps(java.time.LocalDate day) {
    List<String> values;
    try (Jedis jedis = pool.getResource()) {
      values = jedis.hvals("funnel_conversion:" + day.atStartOfDay(ZoneOffset.UTC).toInstant());
    }
    List<FunnelStep> steps = new ArrayList<>(values.size());
    for (String value : values) {
      JsonNode row = parse(value);
      steps.add(new FunnelStep(row.path("funnel").asText(), row.path("step").asInt(),
          row.path("step_name").asText(), row.path("users").asLong(),
          row.path("overall_conversion").asDouble()));
    }
    steps.sort(java.util.Comparator.comparing(FunnelStep::funnel).thenComparingInt(FunnelStep::step));
    return steps;
  }

  /**
   * The sum of {@code column} over the rows of {@code metric}'s window starting at {@code windowStart}
   * (the hash {@code <metric>:<window start>}) whose columns equal {@code where}'s values; 0 when Redis
   * holds no row for the window.
   */
  public double sumColumn(String metric, Instant windowStart, String column, Map<String, String> where) {
    List<String> values;
    try (Jedis jedis = pool.getResource()) {
      values = jedis.hvals(metric + ":" + windowStart);
    }
    double sum = 0;
    for (String value : values) {
      JsonNode row = parse(value);
      boolean matches = true;
      for (Map.Entry<String, String> condition : where.entrySet()) {
        if (!condition.getValue().equals(row.path(condition.getKey()).asText(null))) {
          matches = false;
          break;
        }
      }
      if (matches) {
        sum += row.path(column).asDouble();
      }
    }
    return sum;
  }

  /** The alerts the stream received from {@code since} on (by the time Redis added them), oldest first. */
  public List<Alert> alertsSince(Instant since) {
    List<StreamEntry> entries;
    try (Jedis jedis = pool.getResource()) {
      entries = jedis.xrange("alerts:anomalies", new StreamEntryID(since.toEpochMilli(), 0),
          StreamEntryID.MAXIMUM_ID);
    }
    return alerts(entries);
  }

  /** The latest {@code limit} alerts of the stream, newest first. */
  public List<Alert> latestAlerts(int limit) {
    List<StreamEntry> entries;
    try (Jedis jedis = pool.getResource()) {
      entries = jedis.xrevrange("alerts:anomalies", StreamEntryID.MAXIMUM_ID, StreamEntryID.MINIMUM_ID, limit);
    }
    return alerts(entries);
  }

  private static List<Alert> alerts(List<StreamEntry> entries) {
    List<Alert> alerts = new ArrayList<>(entries.size());
    for (StreamEntry entry : entries) {
      Map<String, String> fields = entry.getFields();
      alerts.add(new Alert(fields.get("alert_id"), Instant.ofEpochMilli(entry.getID().getTime()),
          parse(fields.get("alert"))));
    }
    return alerts;
  }

  /** Whether Redis answers. */
  public boolean ping() {
    try (Jedis jedis = pool.getResource()) {
      return "PONG".equals(jedis.ping());
    }
  }

  private static void checkRange(Instant from, Instant to, Duration max) {
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("The range is empty: from " + from + " is not before to " + to);
    }
    if (Duration.between(from, to).compareTo(max) > 0) {
      throw new IllegalArgumentException(
          "The range " + from + " to " + to + " is longer than " + max.toDays() + " days; ask for less");
    }
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("A value in Redis is not JSON (has the key layout changed?): " + json, e);
    }
  }
}
