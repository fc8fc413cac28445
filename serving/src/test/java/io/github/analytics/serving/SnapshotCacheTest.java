package io.github.analytics.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.stack.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;

/** The dashboard's cache against a real redis-server: one computation per period, shared by processes. */
class SnapshotCacheTest {
  @TempDir static java.nio.file.Path dir;
  private static RedisServer redis;
  private static JedisPool pool;

  @BeforeAll
  static void start() {
    redis = RedisServer.start(dir);
    pool = new JedisPool(redis.host(), redis.port());
  }

  @AfterAll
  static void stop() {
    pool.close();
    redis.close();
  }

  @Test
  void manyReadersAtOnceCostOneComputation() throws Exception {
    SnapshotCache cache = new SnapshotCache(pool, Duration.ofMinutes(1), Clock.systemUTC());
    AtomicInteger computed = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService readers = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        answers.add(readers.submit(() -> {
          go.await();
          return new String(cache.get("many", () -> "{\"n\":" + computed.incrementAndGet() + "}"),
              StandardCharsets.UTF_8);
        }));
      }
      go.countDown();
      for (Future<String> answer : answers) {
        assertEquals("{\"n\":1}", answer.get());
      }
    } finally {
      readers.shutdownNow();
    }
    assertEquals(1, computed.get());
    try (Jedis jedis = pool.getResource()) {
      assertEquals("{\"n\":1}", jedis.get("cache:many"));
      long ttl = jedis.pttl("cache:many");
      assertTrue(ttl > 0 && ttl <= 60_000, "expires with the period: " + ttl);
    }
  }

  @Test
  void anotherProcessReusesTheAnswerAndItIsRecomputedOncePerPeriod() {
    Duration period = Duration.ofMillis(300);
    SnapshotCache first = new SnapshotCache(pool, period, Clock.systemUTC());
    SnapshotCache second = new SnapshotCache(pool, period, Clock.systemUTC());
    AtomicInteger computed = new AtomicInteger();
    Supplier<String> compute = () -> String.valueOf(computed.incrementAndGet());
    assertEquals("1", text(first.get("shared", compute)));
    assertEquals("1", text(second.get("shared", compute)), "read from Redis, not computed again");
    assertEquals(1, computed.get());
    // Once the period is over, the next reader computes a new answer.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (text(second.get("shared", compute)).equals("1")) {
      assertTrue(System.nanoTime() < deadline, "never recomputed");
      Thread.onSpinWait();
    }
    assertEquals(2, computed.get());
    assertEquals("2", text(first.get("shared", compute)));
  }

  private static String text(byte[] json) {
    return new String(json, StandardCharsets.UTF_8);
  }
}
