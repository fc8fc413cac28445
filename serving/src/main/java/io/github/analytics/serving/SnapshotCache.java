package io.github.analytics.serving;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.params.SetParams;

/**
 * Answers computed at most once per {@code period} for any number of readers (Caffeine): the first
 * reader of a key computes it while the others of that key wait for it; after the period a reader
 * gets the answer it has and one background computation replaces it (stale while revalidating), so
 * no reader waits for a recomputation. The answer is kept in Redis too ({@code cache:<key>}, expiring
 * after the period), so other API processes over the same Redis take it instead of computing it again
 * (an answer taken from there may be up to two periods old).
 */
final class SnapshotCache<K> {
  static final String PREFIX = "cache:";
  private static final int MAX_ENTRIES = 1_000;

  private final JedisPool pool;
  private final Duration period;
  private final Function<K, String> redisKey;
  private final Function<K, String> compute;
  private final LoadingCache<K, byte[]> cache;

  SnapshotCache(JedisPool pool, Duration period, Function<K, String> redisKey, Function<K, String> compute,
      Executor refreshes) {
    this.pool = pool;
    this.period = period;
    this.redisKey = redisKey;
    this.compute = compute;
    this.cache = Caffeine.newBuilder()
        .maximumSize(MAX_ENTRIES)
        .refreshAfterWrite(period)
        .expireAfterWrite(period.multipliedBy(30))
        .executor(refreshes)
        .build(this::load);
  }

  Duration period() {
    return period;
  }

  /** The answer for {@code key}: computed now if there is none, else the latest (see the class). */
  byte[] get(K key) {
    return unwrapped(() -> cache.get(key));
  }

  /** Computes {@code key}'s answer again now (or takes a fresh one from Redis) and returns it. */
  byte[] refresh(K key) {
    return unwrapped(() -> cache.refresh(key).join());
  }

  /** What a computation threw (Redis down, a bad range) rather than Caffeine's wrapper of it. */
  private static byte[] unwrapped(java.util.function.Supplier<byte[]> answer) {
    try {
      return answer.get();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  private byte[] load(K key) {
    String stored = PREFIX + redisKey.apply(key);
    try (Jedis jedis = pool.getResource()) {
      String cached = jedis.get(stored);
      if (cached != null) {
        return cached.getBytes(StandardCharsets.UTF_8);
      }
      String computed = compute.apply(key);
      jedis.set(stored, computed, SetParams.setParams().px(period.toMillis()));
      return computed.getBytes(StandardCharsets.UTF_8);
    }
  }
}
