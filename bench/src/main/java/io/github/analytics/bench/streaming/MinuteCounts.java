package io.github.analytics.bench.streaming;

import io.github.analytics.pipelines.io.RedisReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Reads the streaming layer's per-minute counts from Redis by the README's layout: the hash {@code
 * event_counts_per_minute:<minute, ISO-8601 UTC>} holds one field per event type, platform and
 * country, each an {@code event_counts_per_minute} row as JSON; the minute's count is the sum of their
 * {@code event_count}. Only that number is taken from each row (a substring search, not a JSON
 * parse), so the sampler stays cheap beside the job it measures.
 */
final class MinuteCounts {
  static final String METRIC = "event_counts_per_minute";
  private static final String FIELD = "\"event_count\":";

  private MinuteCounts() {}

  /** The Redis key of the minute starting at {@code minuteMillis} (epoch ms, a whole minute). */
  static String key(long minuteMillis) {
    return METRIC + ":" + Instant.ofEpochMilli(minuteMillis);
  }

  /** The minute an epoch-millisecond instant falls in, as epoch ms. */
  static long minuteOf(long epochMillis) {
    return Math.floorDiv(epochMillis, 60_000L) * 60_000L;
  }

  /** The counts of {@code minutes} (epoch ms), in one round trip; a minute with no hash counts 0. */
  static Map<Long, Long> read(Jedis redis, List<Long> minutes) {
    Pipeline pipeline = redis.pipelined();
    List<Response<List<String>>> responses = new ArrayList<>(minutes.size());
    for (long minute : minutes) {
      responses.add(pipeline.hvals(key(minute)));
    }
    pipeline.sync();
    Map<Long, Long> counts = new LinkedHashMap<>();
    for (int i = 0; i < minutes.size(); i++) {
      counts.put(minutes.get(i), sum(responses.get(i).get()));
    }
    return counts;
  }

  /** Events counted over every per-minute hash in Redis (a SCAN: for a final check, not a poll). */
  static long total(Jedis redis) {
    long total = 0;
    for (String key : RedisReader.keys(redis, METRIC + ":*")) {
      total += sum(redis.hvals(key));
    }
    return total;
  }

  static long sum(List<String> rows) {
    long sum = 0;
    for (String row : rows) {
      int at = row.indexOf(FIELD);
      if (at < 0) {
        throw new IllegalStateException("A per-minute row without event_count: " + row
            + "; has the Redis layout changed? See the README's Redis key layout.");
      }
      int i = at + FIELD.length();
      while (row.charAt(i) == ' ') {
        i++;
      }
      long value = 0;
      while (i < row.length() && Character.isDigit(row.charAt(i))) {
        value = value * 10 + (row.charAt(i++) - '0');
      }
      sum += value;
    }
    return sum;
  }
}
