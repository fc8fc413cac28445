package io.github.analytics.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.stack.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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
    AtomicInteger computed = new AtomicInteger();
    SnapshotCache<String> cache = new SnapshotCache<>(pool, Duration.ofMinutes(1), key -> key,
        key -> "{\"n\":" + computed.incrementAndGet() + "}", Runnable::run);
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService readers = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        answers.add(readers.submit(() -> {
          go.await();
          return new String(cache.get("many"), StandardCharsets.UTF_8);
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
  void anotherProcessReusesTheAnswerAndAReaderNeverWaitsForARecomputation() {
    Duration period = Duration.ofMillis(300);
    AtomicInteger computed = new AtomicInteger();
    ExecutorService background = Executors.newSingleThreadExecutor();
    try {
      SnapshotCache<String> first = new SnapshotCache<>(pool, period, key -> key,
          key -> String.valueOf(computed.incrementAndGet()), background);
      SnapshotCache<String> second = new SnapshotCache<>(pool, period, key -> key,
          key -> String.valueOf(computed.incrementAndGet()), background);
      assertEquals("1", text(first.get("shared")));
      assertEquals("1", text(second.get("shared")), "read from Redis, not computed again");
      assertEquals(1, computed.get());
      // After the period a reader still gets the answer it had at once, and a new one is computed
      // in the background for the next readers.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      String seen;
      while ((seen = text(second.get("shared"))).equals("1")) {
        assertTrue(System.nanoTime() < deadline, "never recomputed");
        Thread.onSpinWait();
      }
      assertEquals("2", seen);
      // A push asks for a fresh answer: never the stale one (Redis's if another process made it
      // within the period, else a new one).
      assertTrue(Integer.parseInt(text(second.refresh("shared"))) >= 2);
    } finally {
      background.shutdownNow();
    }
  }

  private static String text(byte[] json) {
    return new String(json, StandardCharsets.UTF_8);
  }
}
