package io.github.analytics.serving;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SetParams;

/**
 * Answers computed at most once per {@code period} for any number of readers: the first reader of a
 * stale key computes it while the others of that key wait for it (one computation, not one per
 * client), and the answer is kept in Redis ({@code cache:<key>}, expiring after the period) so other
 * API processes over the same Redis reuse it instead of computing it again.
 */
final class SnapshotCache {
  static final String PREFIX = "cache:";
  private static final int MAX_ENTRIES = 1_000;

  private record Entry(byte[] json, long expiresAtMillis) {}

  private final JedisPool pool;
  private final Duration period;
  private final Clock clock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  SnapshotCache(JedisPool pool, Duration period, Clock clock) {
    this.pool = pool;
    this.period = period;
    this.clock = clock;
  }

  Duration period() {
    return period;
  }

  /** The answer for {@code key}: cached while younger than the period, else {@code compute}d now. */
  byte[] get(String key, Supplier<String> compute) {
    Entry entry = entries.get(key);
    if (entry != null && entry.expiresAtMillis > clock.millis()) {
      return entry.json;
    }
    synchronized (locks.computeIfAbsent(key, k -> new Object())) {
      entry = entries.get(key);
      long now = clock.millis();
      if (entry != null && entry.expiresAtMillis > now) {
        return entry.json;
      }
      String redisKey = PREFIX + key;
      byte[] json;
      long expiresAt;
      try (Jedis jedis = pool.getResource()) {
        Pipeline pipeline = jedis.pipelined();
        Response<String> cached = pipeline.get(redisKey);
        Response<Long> ttl = pipeline.pttl(redisKey);
        pipeline.sync();
        if (cached.get() != null && ttl.get() > 0) {
          json = cached.get().getBytes(StandardCharsets.UTF_8);
          expiresAt = now + Math.min(ttl.get(), period.toMillis());
        } else {
          String computed = compute.get();
          jedis.set(redisKey, computed, SetParams.setParams().px(period.toMillis()));
          json = computed.getBytes(StandardCharsets.UTF_8);
          expiresAt = now + period.toMillis();
        }
      }
      if (entries.size() >= MAX_ENTRIES) {
        evictExpired(now);
      }
      entries.put(key, new Entry(json, expiresAt));
      return json;
    }
  }

  private void evictExpired(long now) {
    for (String key : List.copyOf(entries.keySet())) {
      Entry entry = entries.get(key);
      if (entry != null && entry.expiresAtMillis <= now) {
        entries.remove(key);
        locks.remove(key);
      }
    }
  }
}
